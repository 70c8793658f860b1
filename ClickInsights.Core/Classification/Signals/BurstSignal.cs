namespace ClickInsights.Core.Classification.Signals;

/// <summary>Several distinct links clicked by one recipient within seconds: scanners fetch every link at once.</summary>
public sealed class BurstSignal : IClickSignal
{
    public const string Code = "burst";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        // Whole-minute times cannot tell seconds apart: a burst is then several links in the same minute, and
        // needs one more link to count.
        long window = campaign.WholeMinuteTimes ? 60_000 : (long)(settings.BurstWindowSeconds * 1000);
        int minLinks = campaign.WholeMinuteTimes ? settings.BurstMinLinks + 1 : settings.BurstMinLinks;
        var clicks = campaign.Clicks;
        var links = new HashSet<int>();

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
                    links.Clear();
                    for (int j = clusterStart; j < k; j++)
                    {
                        links.Add(clicks[own[j]].LinkId);
                    }
                    if (links.Count >= minLinks)
                    {
                        var span = clicks[own[k - 1]].TimeMs - clicks[own[clusterStart]].TimeMs;
                        var firstClick = own[clusterStart];
                        var late = clicks[firstClick].TimeMs - campaign.AnchorOf(r).TimeMs > (long)(settings.EarlyWindowSeconds * 1000);
                        var sentence = campaign.WholeMinuteTimes
                            ? $"clicked {links.Count} of {campaign.LinkCount} links within the same minute{(late ? ", long after delivery" : "")}"
                            : $"clicked {links.Count} of {campaign.LinkCount} links within {Format.Duration(span)}";
                        // Whole minutes cannot tell a scanner's second from a person's minute, except by when it happened.
                        var weight = campaign.WholeMinuteTimes && late
                            ? settings.LateMinuteBurstWeight
                            : settings.BurstWeight + (links.Count >= 3 ? settings.BurstManyLinksWeight : 0);
                        var reason = new Reason(Code, sentence, weight);
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
