namespace ClickInsights.Core.Classification.Signals;

/// <summary>
/// Time-of-click sandboxing (Mimecast, Proofpoint): the gateway fetches a link just before the person's own
/// browser does. Of two clicks by one recipient on one link within seconds from different networks, the earlier
/// is the scanner and the later the person.
/// </summary>
public sealed class SandboxPairSignal : IClickSignal
{
    public const string Precheck = "sandbox_precheck";
    public const string FollowedByPerson = "followed_by_person";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        long window = (long)(settings.SandboxWindowSeconds * 1000) + (campaign.WholeMinuteTimes ? 60_000 : 0);
        var clicks = campaign.Clicks;
        for (int r = 0; r < campaign.RecipientCount; r++)
        {
            var own = campaign.ClicksOf(r);
            for (int a = 0; a < own.Length; a++)
            {
                var first = clicks[own[a]];
                for (int b = a + 1; b < own.Length && clicks[own[b]].TimeMs - first.TimeMs <= window; b++)
                {
                    var second = clicks[own[b]];
                    if (second.LinkId != first.LinkId)
                    {
                        continue;
                    }
                    var bothHaveIp = first.Ip is not null && second.Ip is not null;
                    if (bothHaveIp && campaign.NetworkKeyOf(own[a]) == campaign.NetworkKeyOf(own[b]))
                    {
                        // The same network twice: a double click, not a sandbox.
                        continue;
                    }
                    var gapMs = second.TimeMs - first.TimeMs;
                    var gap = Format.Duration(gapMs);
                    var precheck = bothHaveIp
                        ? new Reason(Precheck, $"fetched the link {gap} before the recipient's own click from another network ({second.Ip}): a gateway checking it at the time of click", settings.SandboxPrecheckWeight)
                        : new Reason(Precheck, $"the same link was clicked again {Format.Later(gapMs, campaign.WholeMinuteTimes)}: the first fetch looks like a gateway checking it at the time of click", settings.SandboxPrecheckWithoutIpWeight);
                    if (!evidence.Has(own[a], Precheck))
                    {
                        evidence.Add(own[a], precheck);
                    }
                    if (!evidence.Has(own[b], FollowedByPerson))
                    {
                        evidence.Add(own[b], new Reason(FollowedByPerson, $"came {(campaign.WholeMinuteTimes && gapMs < 60_000 ? "in the same minute as" : gap + " after")} a gateway's check of the same link{(bothHaveIp ? ", from another network" : "")}: the person behind the scan", settings.FollowedByPersonWeight));
                    }
                    break;
                }
            }
        }
    }
}
