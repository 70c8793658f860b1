namespace ClickInsights.Core.Classification.Signals;

/// <summary>A recipient who clicked every link of the email within a minute: scanners check them all, people pick.</summary>
public sealed class EveryLinkSignal : IClickSignal
{
    public const string Code = "every_link";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        var links = campaign.LinkCount;
        if (links < settings.EveryLinkMinLinks)
        {
            return;
        }
        long window = (long)(settings.EveryLinkWindowSeconds * 1000) + (campaign.WholeMinuteTimes ? 60_000 : 0);
        var clicks = campaign.Clicks;
        // Which links a window holds: seen[link] == stamp, a fresh stamp per window instead of clearing a set.
        var seen = new int[campaign.DistinctLinks];
        int stamp = 0;
        var reasons = new Dictionary<long, Reason>();
        for (int r = 0; r < campaign.RecipientCount; r++)
        {
            var own = campaign.ClicksOf(r);
            if (own.Length < links)
            {
                continue;
            }
            // Slide over the recipient's clicks: does some window hold every link?
            for (int start = 0; start + links <= own.Length; start++)
            {
                stamp++;
                int distinct = 0;
                int end = start;
                while (end < own.Length && clicks[own[end]].TimeMs - clicks[own[start]].TimeMs <= window)
                {
                    ref var mark = ref seen[campaign.ClickLink[own[end]]];
                    if (mark != stamp)
                    {
                        mark = stamp;
                        distinct++;
                    }
                    end++;
                }
                if (distinct >= links)
                {
                    var span = clicks[own[end - 1]].TimeMs - clicks[own[start]].TimeMs;
                    if (!reasons.TryGetValue(Format.DurationKey(span), out var reason))
                    {
                        reason = new Reason(Code, $"clicked every one of the email's {links} links {Format.Within(span, campaign.WholeMinuteTimes)}", settings.EveryLinkWeight);
                        reasons.Add(Format.DurationKey(span), reason);
                    }
                    for (int j = start; j < end; j++)
                    {
                        if (!evidence.Has(own[j], Code))
                        {
                            evidence.Add(own[j], reason);
                        }
                    }
                    start = end - 1;
                }
            }
        }
    }
}
