namespace ClickInsights.Core.Classification.Signals;

/// <summary>
/// An early click by a recipient who never opened the email. Weak alone (people whose mail client blocks images
/// click without an open), so it is only used where nothing stronger is known: no IP, no user agent
/// (Constant Contact), and only when the campaign reports opens at all.
/// </summary>
public sealed class ClickWithoutOpenSignal : IClickSignal
{
    public const string Code = "no_open";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        if (campaign.HasIp || campaign.HasUserAgent || !campaign.HasOpens)
        {
            return;
        }
        long window = (long)(settings.EarlyWindowSeconds * 1000);
        long slack = campaign.WholeMinuteTimes ? 60_000 : 5_000;
        var reasons = new Dictionary<string, Reason>(StringComparer.Ordinal);
        var clicks = campaign.Clicks;
        for (int i = 0; i < clicks.Length; i++)
        {
            var r = campaign.ClickRecipient[i];
            var opened = campaign.FirstOpenAt[r];
            var (anchor, label) = campaign.AnchorOf(r);
            if (clicks[i].TimeMs - anchor <= window && (opened == CampaignAnalysis.Unknown || opened > clicks[i].TimeMs + slack))
            {
                if (!reasons.TryGetValue(label, out var reason))
                {
                    reason = new Reason(Code, $"clicked within minutes of {label} without ever opening the email", settings.ClickWithoutOpenWeight);
                    reasons.Add(label, reason);
                }
                evidence.Add(i, reason);
            }
        }
    }
}
