using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Core.Reports;

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

    /// <summary>
    /// Simulates each world, writes it as <paramref name="shape"/>'s provider files, reads those files back through
    /// the importers' own format detection and readers, classifies them as the CLI does, and compares every click
    /// with the simulator's truth.
    /// </summary>
    public static async Task<EvaluationResult> EvaluateAsync(SourceShape shape, IEnumerable<SimulatorOptions> worlds, ClassifierSettings? settings = null)
    {
        var classifier = new ClickClassifier(ScannerCatalogue.Default);
        int clicks = 0, tp = 0, fp = 0, fn = 0, campaigns = 0;
        double worst = 0;
        foreach (var world in worlds)
        {
            var events = new DemoSimulator(world).Generate().ToList();
            var offline = new OfflineClassification();
            foreach (var file in ProviderWriters.Write(events, shape))
            {
                var (reader, stream) = await EventImporter.DetectAsync(new MemoryStream(file.Content), file.Name, CancellationToken.None);
                await foreach (var item in reader.ReadNumberedAsync(stream, file.Name, CancellationToken.None))
                {
                    offline.Add(item);
                }
            }
            var rows = offline.Classify(classifier, settings ?? ClassifierSettings.Default).ToList();

            // Clicks are matched on what every format keeps: recipient, link and time at the format's precision.
            // Equal keys (a gateway's fetch and the person's click in the same minute) are compared as counts.
            var truth = new Dictionary<(string, string?, long), (int Human, int Machine)>();
            var reported = shape == SourceShape.Postmark ? FirstClicks(events) : events.Where(e => e.Type == EventType.Click);
            foreach (var e in reported)
            {
                var key = (e.Email, e.Url, Round(e.TimeMs, shape));
                var (human, machine) = truth.GetValueOrDefault(key);
                truth[key] = e.IsHuman == true ? (human + 1, machine) : (human, machine + 1);
            }
            var predicted = new Dictionary<(string, string?, long), (int Human, int Machine)>();
            foreach (var row in rows)
            {
                clicks++;
                var key = (row.Email, row.Url, Round(row.ClickedAtMs, shape));
                var (human, machine) = predicted.GetValueOrDefault(key);
                predicted[key] = row.Verdict == Verdict.Human ? (human + 1, machine) : (human, machine + 1);
            }
            foreach (var key in truth.Keys.Union(predicted.Keys))
            {
                var t = truth.GetValueOrDefault(key).Machine;
                var p = predicted.GetValueOrDefault(key).Machine;
                tp += Math.Min(t, p);
                fp += Math.Max(0, p - t);
                fn += Math.Max(0, t - p);
            }

            foreach (var campaign in events.GroupBy(e => e.CampaignId))
            {
                campaigns++;
                var delivered = campaign.Where(e => e.Type is EventType.Delivered or EventType.Sent).Select(e => e.Email).Distinct().Count()
                    - campaign.Where(e => e.Type == EventType.Bounce).Select(e => e.Email).Distinct().Count();
                var marker = "utm_campaign=" + campaign.Key;
                var realTrue = (shape == SourceShape.Postmark ? FirstClicks(campaign) : campaign.Where(e => e.Type == EventType.Click))
                    .Where(e => e.IsHuman == true).Select(e => e.Email).Distinct().Count();
                var realPredicted = rows.Where(r => r.Verdict == Verdict.Human && r.Url is not null && r.Url.Contains(marker, StringComparison.Ordinal))
                    .Select(r => r.Email).Distinct().Count();
                worst = Math.Max(worst, Math.Abs(realPredicted - realTrue) / (double)Math.Max(1, delivered));
            }
        }
        return new EvaluationResult(shape, clicks, tp, fp, fn, worst, campaigns);
    }

    /// <summary>What Postmark reports: the first click per recipient, link and message only (webhook and API alike).</summary>
    internal static IEnumerable<SimulatedEvent> FirstClicks(IEnumerable<SimulatedEvent> events)
    {
        var seen = new HashSet<(string, string, string?)>();
        return events.Where(e => e.Type == EventType.Click).OrderBy(e => e.TimeMs).Where(e => seen.Add((e.CampaignId, e.Email, e.Url)));
    }

    private static long Round(long ms, SourceShape shape) => shape switch
    {
        SourceShape.ConstantContact => ms / 60_000,
        SourceShape.SendGrid or SourceShape.Mailchimp => ms / 1000,
        _ => (ms + 5) / 10,
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
