namespace ClickInsights.Core.Classification.Signals;

/// <summary>
/// When many recipients of one domain click right after delivery, the domain's gateway scans mail: its other
/// early clicks are suspicious too. This needs neither IP nor user agent (Barracuda, Constant Contact data).
/// </summary>
public sealed class DomainPatternSignal : IClickSignal
{
    public const string Code = "domain_pattern";

    public int Stage => 1;

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        long window = (long)(settings.EarlyWindowSeconds * 1000);
        var clicks = campaign.Clicks;

        // Per domain: recipients in the campaign, and recipients with an early click.
        var recipients = new Dictionary<string, int>(StringComparer.Ordinal);
        var early = new Dictionary<string, int>(StringComparer.Ordinal);
        var earlyRecipient = new bool[campaign.RecipientCount];
        for (int r = 0; r < campaign.RecipientCount; r++)
        {
            var domain = campaign.RecipientDomain[r];
            recipients[domain] = recipients.GetValueOrDefault(domain) + 1;
        }
        for (int i = 0; i < clicks.Length; i++)
        {
            var r = campaign.ClickRecipient[i];
            if (!earlyRecipient[r] && clicks[i].TimeMs - campaign.AnchorOf(r).TimeMs <= window)
            {
                earlyRecipient[r] = true;
                var domain = campaign.RecipientDomain[r];
                early[domain] = early.GetValueOrDefault(domain) + 1;
            }
        }

        var reasons = new Dictionary<string, Reason?>(StringComparer.Ordinal);
        for (int i = 0; i < clicks.Length; i++)
        {
            var r = campaign.ClickRecipient[i];
            var domain = campaign.RecipientDomain[r];
            if (domain.Length == 0 || clicks[i].TimeMs - campaign.AnchorOf(r).TimeMs > window)
            {
                continue;
            }
            if (!reasons.TryGetValue(domain, out var reason))
            {
                var count = early.GetValueOrDefault(domain);
                var total = recipients[domain];
                reason = count >= settings.DomainPatternMinRecipients && count >= settings.DomainPatternShare * total
                    ? new Reason(Code, $"{count} of {total} recipients at {domain} clicked within minutes of delivery: the domain's mail gateway checks links", settings.DomainPatternWeight)
                    : null;
                reasons.Add(domain, reason);
            }
            if (reason is null)
            {
                continue;
            }
            // A click from a network of its own, unlike any scanner's, is left to the other signals.
            if (clicks[i].Ip is not null && campaign.HasIp && campaign.Networks.ScannerOf(clicks[i].Ip) is null && evidence.ScoreOf(i) < settings.SuspectThreshold)
            {
                continue;
            }
            evidence.Add(i, reason);
        }
    }
}
