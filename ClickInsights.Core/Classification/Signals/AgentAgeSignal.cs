using System.Text.RegularExpressions;

namespace ClickInsights.Core.Classification.Signals;

/// <summary>
/// Empty and outdated user agents. Safe Links fetches with an old Windows Chrome (57–101 logged) or with no
/// agent at all; a person's browser updates itself every few weeks.
/// </summary>
public sealed partial class AgentAgeSignal : IClickSignal
{
    public const string Empty = "ua_empty";
    public const string Outdated = "ua_outdated";

    // Chrome 100 shipped on 2022-03-29 and a new major version comes every four weeks.
    private static readonly DateTimeOffset Chrome100 = new(2022, 3, 29, 0, 0, 0, TimeSpan.Zero);

    public string? Unavailable(CampaignAnalysis campaign) =>
        campaign.HasUserAgent ? null : "user agents (the source does not carry them)";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        var empty = new Reason(Empty, "the click came with no user agent, as scanners' fetches often do", settings.EmptyAgentWeight);
        // Judged against the campaign's start: a campaign's clicks come within days of it.
        var reasons = campaign.Agents
            .Select(agent => agent.Length == 0 || agent == "-" ? empty : Describe(agent, campaign.CampaignStartMs, settings))
            .ToArray();
        var clickAgent = campaign.ClickAgent;
        for (int i = 0; i < clickAgent.Length; i++)
        {
            // No agent at all, on one click of a source that has them elsewhere, is as telling as an empty one.
            var reason = clickAgent[i] < 0 ? empty : reasons[clickAgent[i]];
            if (reason is not null)
            {
                evidence.Add(i, reason);
            }
        }
    }

    private static Reason? Describe(string agent, long timeMs, ClassifierSettings settings)
    {
        var match = ChromeVersion().Match(agent);
        if (!match.Success || agent.Contains("Edg/", StringComparison.Ordinal) || !int.TryParse(match.Groups[1].ValueSpan, out var major))
        {
            return null;
        }
        var when = DateTimeOffset.FromUnixTimeMilliseconds(timeMs);
        var expected = 100 + (int)((when - Chrome100).TotalDays / 28);
        var monthsBehind = (expected - major) * 28 / 30;
        if (monthsBehind < settings.OutdatedAgentMonths)
        {
            return null;
        }
        var years = monthsBehind / 12.0;
        // Stored and exported: the same sentence on every machine, whatever its language.
        return new Reason(Outdated, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"browser is Chrome {major}, about {years:0.#} years out of date when the click came (Safe Links uses old Chrome versions)"), settings.OutdatedAgentWeight);
    }

    [GeneratedRegex(@"Chrome/(\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex ChromeVersion();
}
