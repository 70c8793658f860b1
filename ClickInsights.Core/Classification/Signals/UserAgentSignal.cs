namespace ClickInsights.Core.Classification.Signals;

/// <summary>Self-named scanners and automation libraries, from the catalogue's user-agent patterns.</summary>
public sealed class UserAgentSignal(ScannerCatalogue catalogue) : IClickSignal
{
    public const string SelfNamed = "ua_self_named";
    public const string Automation = "ua_automation";
    public const string Claimed = "ua_claimed_scanner";

    public string? Unavailable(CampaignAnalysis campaign) =>
        campaign.HasUserAgent ? null : "user agents (the source does not carry them)";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        var reasons = campaign.Agents.Select(agent => agent.Length == 0 ? null : Describe(agent, settings)).ToArray();
        var clickAgent = campaign.ClickAgent;
        for (int i = 0; i < clickAgent.Length; i++)
        {
            if (clickAgent[i] >= 0 && reasons[clickAgent[i]] is { } reason)
            {
                evidence.Add(i, reason);
            }
        }
    }

    private Reason? Describe(string agent, ClassifierSettings settings)
    {
        var entry = catalogue.MatchUserAgent(agent);
        if (entry is null)
        {
            return null;
        }
        if (entry.Confidence == Confidence.Probable)
        {
            return new Reason(Claimed, $"user agent contains \"{entry.Pattern}\", which is said to be {entry.Owner}'s scanner (not confirmed)", settings.ProbableAgentWeight);
        }
        return entry.Kind == "automation"
            ? new Reason(Automation, $"user agent \"{entry.Pattern}\" is an automation tool ({entry.Owner}), not a person's browser", settings.AutomationAgentWeight)
            : new Reason(SelfNamed, $"user agent names itself \"{entry.Pattern}\" ({entry.Owner})", settings.SelfNamedAgentWeight);
    }
}
