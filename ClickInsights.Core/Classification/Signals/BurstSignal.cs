namespace ClickInsights.Core.Classification.Signals;

/// <summary>Several distinct links clicked by one recipient within seconds: scanners fetch every link at once.</summary>
public sealed class BurstSignal : IClickSignal
{
    public const string Code = "burst";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        // Whole-minute times cannot tell seconds apart: a burst is then several links in the same minute (the same
        // time, not a minute apart: a person reading one link a minute is no burst), and needs one more link to count.
        long window = campaign.WholeMinuteTimes ? 0 : (long)(settings.BurstWindowSeconds * 1000);
        int minLinks = campaign.WholeMinuteTimes ? settings.BurstMinLinks + 1 : settings.BurstMinLinks;
        var clicks = campaign.Clicks;
        var reasons = new Dictionary<(int Links, bool Late, long Span), Reason>();
        var seen = new int[campaign.DistinctLinks];
        int stamp = 0;

        for (int r = 0; r < campaign.RecipientCount; r++)
        {
            var own = campaign.ClicksOf(r);
            int clusterStart = 0;
            for (int k = 1; k <= own.Length; k++)
            {
                // A cluster is a run of clicks each within the window of the one before.
                if (k < own.Length && clicks[own[k]].TimeMs - clicks[own[k - 1]].TimeMs <= window)
                {
                    continue;
                }
                if (k - clusterStart >= minLinks)
                {
                    stamp++;
                    int distinct = 0;
                    for (int j = clusterStart; j < k; j++)
                    {
                        ref var mark = ref seen[campaign.ClickLink[own[j]]];
                        if (mark != stamp)
                        {
                            mark = stamp;
                            distinct++;
                        }
                    }
                    if (distinct >= minLinks)
                    {
                        var span = clicks[own[k - 1]].TimeMs - clicks[own[clusterStart]].TimeMs;
                        var firstClick = own[clusterStart];
                        var late = clicks[firstClick].TimeMs - campaign.AnchorOf(r).TimeMs > (long)(settings.EarlyWindowSeconds * 1000);
                        var key = (distinct, late, Format.DurationKey(span));
                        if (!reasons.TryGetValue(key, out var reason))
                        {
                            var sentence = campaign.WholeMinuteTimes
                                ? $"clicked {distinct} of {campaign.LinkCount} links within the same minute{(late ? ", long after delivery" : "")}"
                                : $"clicked {distinct} of {campaign.LinkCount} links within {Format.Duration(span)}";
                            // Whole minutes cannot tell a scanner's second from a person's minute, except by when it happened.
                            var weight = campaign.WholeMinuteTimes && late
                                ? settings.LateMinuteBurstWeight
                                : settings.BurstWeight + (distinct >= 3 ? settings.BurstManyLinksWeight : 0);
                            reason = new Reason(Code, sentence, weight);
                            reasons.Add(key, reason);
                        }
                        for (int j = clusterStart; j < k; j++)
                        {
                            evidence.Add(own[j], reason);
                        }
                    }
                }
                clusterStart = k;
            }
        }
    }
}
