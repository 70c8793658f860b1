using System.Globalization;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Classification;

/// <summary>Computes a campaign's breakdowns (by link, reason, delay, domain) from its verdicts, in memory, at classification.</summary>
public static class Breakdowns
{
    /// <summary>Time from delivery to click on a log scale: seconds, minutes, hours, days.</summary>
    public static readonly (string Label, long UpToMs)[] DelayBuckets =
    [
        ("before delivery", 0),
        ("< 10 s", 10_000),
        ("10–60 s", 60_000),
        ("1–10 min", 600_000),
        ("10–60 min", 3_600_000),
        ("1–6 h", 21_600_000),
        ("6–24 h", 86_400_000),
        ("1–3 days", 259_200_000),
        ("> 3 days", long.MaxValue),
    ];

    public static int DelayBucketOf(long delayMs)
    {
        for (int i = 0; i < DelayBuckets.Length; i++)
        {
            if (delayMs < DelayBuckets[i].UpToMs)
            {
                return i;
            }
        }
        return DelayBuckets.Length - 1;
    }

    public static List<CampaignBreakdown> Compute(int campaignId, CampaignInput input, IReadOnlyList<ClickResult> clicks)
    {
        var clickEvents = new Dictionary<long, ClassifierEvent>(clicks.Count);
        var delivered = new Dictionary<int, long>();
        var sent = new Dictionary<int, long>();
        foreach (var e in input.Events)
        {
            switch (e.Type)
            {
                case EventType.Click:
                    clickEvents[e.EventId] = e;
                    break;
                case EventType.Delivered:
                    delivered[e.RecipientId] = delivered.TryGetValue(e.RecipientId, out var d) ? Math.Min(d, e.TimeMs) : e.TimeMs;
                    break;
                case EventType.Sent when e.TimeMs != Import.NormalizedEvent.UnknownTime:
                    sent[e.RecipientId] = sent.TryGetValue(e.RecipientId, out var s) ? Math.Min(s, e.TimeMs) : e.TimeMs;
                    break;
            }
        }
        var campaignStart = input.SentAtMs ?? (sent.Count > 0 ? sent.Values.Min() : clickEvents.Values.Select(c => c.TimeMs).DefaultIfEmpty(0).Min());

        var rows = new Dictionary<(BreakdownKind, string), Accumulator>();
        void Count(BreakdownKind kind, string key, ClickResult click)
        {
            if (!rows.TryGetValue((kind, key), out var row))
            {
                row = new Accumulator();
                rows.Add((kind, key), row);
            }
            row.Add(click);
        }

        foreach (var click in clicks)
        {
            var e = clickEvents[click.EventId];
            Count(BreakdownKind.Link, e.LinkId.ToString(CultureInfo.InvariantCulture), click);
            var anchor = delivered.TryGetValue(e.RecipientId, out var at) ? at : sent.TryGetValue(e.RecipientId, out at) ? at : campaignStart;
            Count(BreakdownKind.Delay, DelayBucketOf(e.TimeMs - anchor).ToString(CultureInfo.InvariantCulture), click);
            var domain = input.RecipientDomains.TryGetValue(e.RecipientId, out var d) ? d : "";
            Count(BreakdownKind.Domain, domain, click);
            if (click.Verdict != Verdict.Human)
            {
                // Reasons are counted for clicks not counted as people: "why clicks were not people".
                var codes = new HashSet<string>(StringComparer.Ordinal);
                foreach (var reason in click.Reasons)
                {
                    // Evidence for a person (negative weight) is not a reason the click was a machine.
                    if (reason.Weight > 0 && codes.Add(reason.Code))
                    {
                        Count(BreakdownKind.Reason, reason.Code, click);
                    }
                }
            }
        }

        return rows.Select(r => new CampaignBreakdown
        {
            CampaignId = campaignId,
            Kind = r.Key.Item1,
            Key = r.Key.Item2,
            Clicks = r.Value.Clicks,
            HumanClicks = r.Value.Human,
            SuspectClicks = r.Value.Suspect,
            BotClicks = r.Value.Bot,
            Clickers = r.Value.Clickers.Count,
            HumanClickers = r.Value.HumanClickers.Count,
        }).ToList();
    }

    private sealed class Accumulator
    {
        public int Clicks, Human, Suspect, Bot;
        public HashSet<int> Clickers { get; } = [];
        public HashSet<int> HumanClickers { get; } = [];

        public void Add(ClickResult click)
        {
            Clicks++;
            Clickers.Add(click.RecipientId);
            switch (click.Verdict)
            {
                case Verdict.Human:
                    Human++;
                    HumanClickers.Add(click.RecipientId);
                    break;
                case Verdict.Suspect:
                    Suspect++;
                    break;
                default:
                    Bot++;
                    break;
            }
        }
    }
}
