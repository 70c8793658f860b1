using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;

namespace ClickInsights.Core.Demo;

/// <summary>What each provider's data carries, applied to simulated events (providers.md, "Signals each source carries").</summary>
public enum SourceShape
{
    /// <summary>IP and user agent, whole seconds.</summary>
    SendGrid,
    /// <summary>IP and user agent, fractional seconds.</summary>
    Mailgun,
    /// <summary>IP and user agent, only the first click per recipient and link.</summary>
    Postmark,
    /// <summary>IP only, whole seconds, sent-to without times.</summary>
    Mailchimp,
    /// <summary>Neither IP nor user agent, whole minutes, sends instead of deliveries.</summary>
    ConstantContact,
}

public sealed record EvaluationResult(
    SourceShape Shape,
    int Clicks,
    int TruePositives,
    int FalsePositives,
    int FalseNegatives,
    double WorstRealRateError,
    int Campaigns)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
    /// <summary>F1 of "not human" (bot or suspect) at click level.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public override string ToString() =>
        $"{Shape,-16} clicks {Clicks,7:N0}  precision {Precision:P1}  recall {Recall:P1}  F1 {F1:0.000}  worst real-rate error {WorstRealRateError * 100:0.00} pp over {Campaigns} campaigns";
}

/// <summary>
/// Labelled evaluation of the classifier: simulated worlds (seeds and mixes) reduced to what each source carries,
/// classified exactly as files are, and compared with the simulator's truth.
/// </summary>
public static class ClassifierEvaluation
{
    public static IReadOnlyList<SimulatorOptions> Worlds { get; } =
    [
        new() { Seed = 101, Contacts = 400, Campaigns = 4, BusinessShare = 0.4 },
        new() { Seed = 202, Contacts = 600, Campaigns = 3, BusinessShare = 0.7, FastHumanShare = 0.1 },
        new() { Seed = 303, Contacts = 500, Campaigns = 3, BusinessShare = 0.2, ClickRate = 0.35 },
        new() { Seed = 404, Contacts = 300, Campaigns = 5, BusinessShare = 0.55, OpenRate = 0.5 },
    ];

    public static EvaluationResult Evaluate(SourceShape shape, IEnumerable<SimulatorOptions> worlds, ClassifierSettings? settings = null)
    {
        var classifier = new ClickClassifier(ScannerCatalogue.Default);
        int clicks = 0, tp = 0, fp = 0, fn = 0, campaigns = 0;
        double worst = 0;
        foreach (var world in worlds)
        {
            var events = Shape(new DemoSimulator(world).Generate(), shape).ToList();
            var truth = events.Where(e => e.Type == EventType.Click).ToDictionary(e => e.EventId, e => e.IsHuman ?? true);
            var offline = new OfflineClassification();
            foreach (var e in events)
            {
                offline.Add(ToNormalized(e, shape));
            }
            var rows = offline.Classify(classifier, settings ?? ClassifierSettings.Default).ToList();
            foreach (var row in rows)
            {
                clicks++;
                var predictedMachine = row.Verdict != Verdict.Human;
                var machine = !truth[row.EventId];
                tp += predictedMachine && machine ? 1 : 0;
                fp += predictedMachine && !machine ? 1 : 0;
                fn += !predictedMachine && machine ? 1 : 0;
            }

            foreach (var campaign in events.GroupBy(e => e.CampaignId))
            {
                campaigns++;
                var delivered = campaign.Where(e => e.Type is EventType.Delivered or EventType.Sent).Select(e => e.Email).Distinct().Count()
                    - campaign.Where(e => e.Type == EventType.Bounce).Select(e => e.Email).Distinct().Count();
                var realTrue = campaign.Where(e => e.Type == EventType.Click && e.IsHuman == true).Select(e => e.Email).Distinct().Count();
                var realPredicted = rows.Where(r => r.CampaignId == campaign.Key && r.Verdict == Verdict.Human).Select(r => r.Email).Distinct().Count();
                worst = Math.Max(worst, Math.Abs(realPredicted - realTrue) / (double)Math.Max(1, delivered));
            }
        }
        return new EvaluationResult(shape, clicks, tp, fp, fn, worst, campaigns);
    }

    /// <summary>Reduces simulated events to what a source reports.</summary>
    public static IEnumerable<SimulatedEvent> Shape(IEnumerable<SimulatedEvent> events, SourceShape shape)
    {
        var firstClicks = new HashSet<(string, string?)>();
        foreach (var e in events)
        {
            switch (shape)
            {
                case SourceShape.SendGrid:
                    yield return e with { TimeMs = e.TimeMs / 1000 * 1000 };
                    break;
                case SourceShape.Mailgun:
                    yield return e;
                    break;
                case SourceShape.Postmark:
                    if (e.Type != EventType.Click || firstClicks.Add((e.Email + "|" + e.CampaignId, e.Url)))
                    {
                        yield return e;
                    }
                    break;
                case SourceShape.Mailchimp:
                    if (e.Type == EventType.Delivered)
                    {
                        continue;
                    }
                    yield return e with
                    {
                        TimeMs = e.Type == EventType.Sent ? NormalizedEvent.UnknownTime : e.TimeMs / 1000 * 1000,
                        UserAgent = null,
                        MachineOpen = false,
                    };
                    break;
                case SourceShape.ConstantContact:
                    if (e.Type == EventType.Delivered)
                    {
                        continue;
                    }
                    yield return e with { TimeMs = e.TimeMs / 60_000 * 60_000, Ip = null, UserAgent = null, MachineOpen = false };
                    break;
            }
        }
    }

    private static NormalizedEvent ToNormalized(SimulatedEvent e, SourceShape shape) => new()
    {
        Source = shape.ToString().ToLowerInvariant(),
        ExternalId = e.EventId,
        CampaignKey = e.CampaignId,
        CampaignName = e.CampaignName,
        CampaignSentAtMs = shape == SourceShape.ConstantContact ? null : e.CampaignSendAtMs,
        Email = e.Email,
        Type = e.Type,
        OccurredAtMs = e.TimeMs,
        Url = e.Url,
        LinkPosition = e.LinkIndex,
        Ip = e.Ip,
        UserAgent = e.UserAgent,
        ProviderBotFlag = e.MachineOpen ? "machine_open" : null,
        Raw = "",
    };
}

public static class ClassifierInputs
{
    /// <summary>Simulated campaigns as the classifier receives them from storage: parsed, ids assigned, one input per campaign.</summary>
    public static List<CampaignInput> FromSimulation(SimulatorOptions options)
    {
        var recipients = new Dictionary<string, int>(StringComparer.Ordinal);
        var links = new Dictionary<string, int>(StringComparer.Ordinal);
        var inputs = new List<CampaignInput>();
        long id = 0;
        foreach (var campaign in new DemoSimulator(options).Generate().GroupBy(e => e.CampaignId))
        {
            var events = new List<ClassifierEvent>();
            var domains = new Dictionary<int, string>();
            long sentAt = 0;
            foreach (var e in campaign)
            {
                sentAt = e.CampaignSendAtMs;
                if (!recipients.TryGetValue(e.Email, out var recipient))
                {
                    recipient = recipients.Count + 1;
                    recipients.Add(e.Email, recipient);
                }
                domains[recipient] = EventWriter.DomainOf(e.Email);
                var link = 0;
                if (e.Url is not null && !links.TryGetValue(e.Url, out link))
                {
                    link = links.Count + 1;
                    links.Add(e.Url, link);
                }
                events.Add(new ClassifierEvent(++id, recipient, e.Type, e.TimeMs / 1000 * 1000, link, e.Ip, e.UserAgent, null));
            }
            inputs.Add(new CampaignInput { Events = events, RecipientDomains = domains, SentAtMs = sentAt });
        }
        return inputs;
    }
}
