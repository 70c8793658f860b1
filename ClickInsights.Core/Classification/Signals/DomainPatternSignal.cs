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
        var domainIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var recipientDomain = new int[campaign.RecipientCount];
        var recipients = new List<int>();
        for (int r = 0; r < campaign.RecipientCount; r++)
        {
            var domain = campaign.RecipientDomain[r];
            if (!domainIndex.TryGetValue(domain, out var d))
            {
                d = domainIndex.Count;
                domainIndex.Add(domain, d);
                recipients.Add(0);
            }
            recipientDomain[r] = d;
            recipients[d]++;
        }
        var early = new int[domainIndex.Count];
        var earlyRecipient = new bool[campaign.RecipientCount];
        var isEarly = new bool[clicks.Length];
        for (int i = 0; i < clicks.Length; i++)
        {
            var r = campaign.ClickRecipient[i];
            if (clicks[i].TimeMs - campaign.AnchorOf(r).TimeMs <= window)
            {
                isEarly[i] = true;
                if (!earlyRecipient[r])
                {
                    earlyRecipient[r] = true;
                    early[recipientDomain[r]]++;
                }
            }
        }

        var names = new string[domainIndex.Count];
        foreach (var (name, d) in domainIndex)
        {
            names[d] = name;
        }
        var reasons = new Reason?[domainIndex.Count];
        for (int d = 0; d < reasons.Length; d++)
        {
            if (names[d].Length > 0 && early[d] >= settings.DomainPatternMinRecipients && early[d] >= settings.DomainPatternShare * recipients[d])
            {
                reasons[d] = new Reason(Code, $"{early[d]} of {recipients[d]} recipients at {names[d]} clicked within minutes of delivery: the domain's mail gateway checks links", settings.DomainPatternWeight);
            }
        }

        for (int i = 0; i < clicks.Length; i++)
        {
            if (!isEarly[i] || reasons[recipientDomain[campaign.ClickRecipient[i]]] is not { } reason)
            {
                continue;
            }
            // A click from a network of its own, unlike any scanner's, is left to the other signals.
            if (clicks[i].Ip is not null && campaign.NetworkOf(i) is null && evidence.ScoreOf(i) < settings.SuspectThreshold)
            {
                continue;
            }
            evidence.Add(i, reason);
        }
    }
}
