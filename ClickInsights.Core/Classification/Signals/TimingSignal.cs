namespace ClickInsights.Core.Classification.Signals;

/// <summary>
/// A click before delivery, or soon after it. Scanners fetch links before delivery (Safe Links) or from seconds
/// to minutes after; a person reading at once also clicks early, so an early click alone stays below suspect.
/// </summary>
public sealed class TimingSignal : IClickSignal
{
    public const string BeforeDelivery = "before_delivery";
    public const string Early = "early_click";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        long window = (long)(settings.EarlyWindowSeconds * 1000);
        var clicks = campaign.Clicks;
        for (int i = 0; i < clicks.Length; i++)
        {
            var recipient = campaign.ClickRecipient[i];
            var (anchor, label) = campaign.AnchorOf(recipient);
            var delay = clicks[i].TimeMs - anchor;
            if (delay < 0 && label == "delivery" && !(campaign.WholeMinuteTimes && delay > -60_000))
            {
                evidence.Add(i, new Reason(BeforeDelivery, $"clicked {Format.Duration(-delay)} before the email was delivered", settings.BeforeDeliveryWeight));
            }
            else if (delay <= window)
            {
                var text = campaign.WholeMinuteTimes && delay < 60_000
                    ? $"clicked within the minute of {label}"
                    : $"clicked {Format.Duration(Math.Max(0, delay))} after {label}";
                evidence.Add(i, new Reason(Early, text, settings.EarlyClickWeight));
            }
        }
    }
}
