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

    /// <summary>
    /// The breakdowns of a classified campaign. Delays are timed from the moment the classifier times them from
    /// (<see cref="CampaignAnalysis.AnchorOf"/>), so the chart and the reasons tell the same story.
    /// </summary>
    /// <param name="clicks">The verdicts of <paramref name="campaign"/>'s clicks: in its order, as the classifier gives them, or in any order (matched by event id).</param>
    public static List<CampaignBreakdown> Compute(int campaignId, CampaignAnalysis campaign, IReadOnlyList<ClickResult> clicks)
    {
        var verdictOf = VerdictPositions(campaign, clicks);

        // One accumulator per row, found without building a key string per click.
        var byLink = new Dictionary<int, Accumulator>();
        var byDelay = new Accumulator?[DelayBuckets.Length];
        var byDomain = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        var byReason = new Dictionary<string, Accumulator>(StringComparer.Ordinal);

        // Each recipient's clicks one after another: a row then counts a new clicker whenever the recipient changes,
        // without a set of clickers per row.
        for (int r = 0; r < campaign.RecipientCount; r++)
        {
            var own = campaign.ClicksOf(r);
            if (own.IsEmpty)
            {
                continue;
            }
            var anchor = campaign.AnchorOf(r).TimeMs;
            var domainRow = Row(byDomain, campaign.RecipientDomain[r] ?? "");
            foreach (var k in own)
            {
                var click = clicks[verdictOf[k]];
                var e = campaign.Clicks[k];
                Row(byLink, e.LinkId).Add(click);
                (byDelay[DelayBucketOf(e.TimeMs - anchor)] ??= new Accumulator()).Add(click);
                domainRow.Add(click);

                if (click.Verdict != Verdict.Human)
                {
                    // Reasons are counted for clicks not counted as people: "why clicks were not people". Evidence for a
                    // person (negative weight) is not a reason the click was a machine; a code counts once per click.
                    var reasons = click.Reasons;
                    for (int i = 0; i < reasons.Count; i++)
                    {
                        if (reasons[i].Weight > 0 && !CodeCountedBefore(reasons, i))
                        {
                            Row(byReason, reasons[i].Code).Add(click);
                        }
                    }
                }
            }
        }

        var rows = new List<CampaignBreakdown>(byLink.Count + byDelay.Length + byDomain.Count + byReason.Count);
        foreach (var (link, row) in byLink)
        {
            rows.Add(row.ToBreakdown(campaignId, BreakdownKind.Link, link.ToString(CultureInfo.InvariantCulture)));
        }
        for (int bucket = 0; bucket < byDelay.Length; bucket++)
        {
            if (byDelay[bucket] is { } row)
            {
                rows.Add(row.ToBreakdown(campaignId, BreakdownKind.Delay, bucket.ToString(CultureInfo.InvariantCulture)));
            }
        }
        foreach (var (domain, row) in byDomain)
        {
            rows.Add(row.ToBreakdown(campaignId, BreakdownKind.Domain, domain));
        }
        foreach (var (code, row) in byReason)
        {
            rows.Add(row.ToBreakdown(campaignId, BreakdownKind.Reason, code));
        }
        return rows;
    }

    /// <summary>For each click of the campaign, where its verdict is in <paramref name="clicks"/>.</summary>
    private static int[] VerdictPositions(CampaignAnalysis campaign, IReadOnlyList<ClickResult> clicks)
    {
        if (clicks.Count != campaign.Clicks.Length)
        {
            throw new ArgumentException($"expected a verdict for each of the campaign's {campaign.Clicks.Length} clicks, got {clicks.Count}", nameof(clicks));
        }
        var positions = new int[clicks.Count];
        bool aligned = true;
        for (int i = 0; i < positions.Length && aligned; i++)
        {
            positions[i] = i;
            aligned = clicks[i].EventId == campaign.Clicks[i].EventId;
        }
        if (!aligned)
        {
            var byEvent = new Dictionary<long, int>(clicks.Count);
            for (int i = 0; i < clicks.Count; i++)
            {
                byEvent[clicks[i].EventId] = i;
            }
            for (int k = 0; k < positions.Length; k++)
            {
                positions[k] = byEvent[campaign.Clicks[k].EventId];
            }
        }
        return positions;
    }

    private static Accumulator Row<TKey>(Dictionary<TKey, Accumulator> rows, TKey key)
        where TKey : notnull
    {
        ref var row = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(rows, key, out _);
        return row ??= new Accumulator();
    }

    private static bool CodeCountedBefore(ReasonSet reasons, int index)
    {
        for (int j = 0; j < index; j++)
        {
            if (reasons[j].Weight > 0 && reasons[j].Code == reasons[index].Code)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>One row's counts. Clicks are added recipient by recipient, so a clicker is new when the recipient changes.</summary>
    private sealed class Accumulator
    {
        public int Clicks, Human, Suspect, Bot, Clickers, HumanClickers;
        private int _lastClicker = int.MinValue;
        private int _lastHumanClicker = int.MinValue;

        public void Add(ClickResult click)
        {
            Clicks++;
            if (click.RecipientId != _lastClicker)
            {
                Clickers++;
                _lastClicker = click.RecipientId;
            }
            switch (click.Verdict)
            {
                case Verdict.Human:
                    Human++;
                    if (click.RecipientId != _lastHumanClicker)
                    {
                        HumanClickers++;
                        _lastHumanClicker = click.RecipientId;
                    }
                    break;
                case Verdict.Suspect:
                    Suspect++;
                    break;
                default:
                    Bot++;
                    break;
            }
        }

        public CampaignBreakdown ToBreakdown(int campaignId, BreakdownKind kind, string key) => new()
        {
            CampaignId = campaignId,
            Kind = kind,
            Key = key,
            Clicks = Clicks,
            HumanClicks = Human,
            SuspectClicks = Suspect,
            BotClicks = Bot,
            Clickers = Clickers,
            HumanClickers = HumanClickers,
        };
    }
}
