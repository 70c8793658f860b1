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
        // Sentences repeat (the same delay in whole seconds): one reason object each.
        var reasons = new Dictionary<(bool Before, string Label, long Seconds), Reason>();
        for (int i = 0; i < clicks.Length; i++)
        {
            var recipient = campaign.ClickRecipient[i];
            var (anchor, label) = campaign.AnchorOf(recipient);
            var delay = clicks[i].TimeMs - anchor;
            if (delay < 0 && label == "delivery" && !(campaign.WholeMinuteTimes && delay > -60_000))
            {
                var key = (true, label, Format.DurationKey(-delay));
                if (!reasons.TryGetValue(key, out var reason))
                {
                    reason = new Reason(BeforeDelivery, $"clicked {Format.Duration(-delay)} before the email was delivered", settings.BeforeDeliveryWeight);
                    reasons.Add(key, reason);
                }
                evidence.Add(i, reason);
            }
            else if (delay <= window)
            {
                var minute = campaign.WholeMinuteTimes && delay < 60_000;
                var key = (false, label, minute ? -1 : Format.DurationKey(Math.Max(0, delay)));
                if (!reasons.TryGetValue(key, out var reason))
                {
                    var text = minute ? $"clicked within the minute of {label}" : $"clicked {Format.Duration(Math.Max(0, delay))} after {label}";
                    reason = new Reason(Early, text, settings.EarlyClickWeight);
                    reasons.Add(key, reason);
                }
                evidence.Add(i, reason);
            }
        }
    }
}
