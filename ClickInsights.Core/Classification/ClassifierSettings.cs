using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Classification;

/// <summary>
/// Weights and thresholds of the classifier. A click's score is the sum of its reasons' weights, clamped to 0–100:
/// at or above <see cref="BotThreshold"/> it is a bot, at or above <see cref="SuspectThreshold"/> a suspect.
/// Negative weights are evidence for a person.
/// </summary>
public sealed record ClassifierSettings
{
    public int SuspectThreshold { get; init; } = 40;
    public int BotThreshold { get; init; } = 70;

    // User agents.
    public int SelfNamedAgentWeight { get; init; } = 100;
    public int AutomationAgentWeight { get; init; } = 90;
    public int ProbableAgentWeight { get; init; } = 45;
    public int EmptyAgentWeight { get; init; } = 30;
    public int OutdatedAgentWeight { get; init; } = 25;
    /// <summary>A browser this many months older than the click is outdated (Safe Links shows Chrome 57–101).</summary>
    public int OutdatedAgentMonths { get; init; } = 30;

    // Networks.
    public int ScannerNetworkWeight { get; init; } = 50;
    /// <summary>A mail-security vendor's network from one secondary source: alone it makes a suspect, not a bot
    /// (browser isolation puts real people behind such networks too).</summary>
    public int ProbableNetworkWeight { get; init; } = 40;
    /// <summary>Cloud networks real people share (Azure-hosted desktops): weak evidence.</summary>
    public int CloudNetworkWeight { get; init; } = 20;

    // Timing.
    public int BeforeDeliveryWeight { get; init; } = 55;
    /// <summary>A click this soon after delivery (or send) is early; scanners come from seconds to minutes after.</summary>
    public double EarlyWindowSeconds { get; init; } = 600;
    public int EarlyClickWeight { get; init; } = 20;

    // Bursts and every link.
    /// <summary>Seconds within which clicks on distinct links count as one burst.</summary>
    public double BurstWindowSeconds { get; init; } = 2;
    /// <summary>Distinct links a burst needs.</summary>
    public int BurstMinLinks { get; init; } = 2;
    public int BurstWeight { get; init; } = 45;
    /// <summary>Added to a burst that reached three or more links.</summary>
    public int BurstManyLinksWeight { get; init; } = 20;
    /// <summary>With whole-minute times, several links in one minute long after delivery: people do that too.</summary>
    public int LateMinuteBurstWeight { get; init; } = 15;
    public int EveryLinkWeight { get; init; } = 35;
    public int EveryLinkMinLinks { get; init; } = 3;
    public double EveryLinkWindowSeconds { get; init; } = 10;

    // Time-of-click sandboxing.
    public double SandboxWindowSeconds { get; init; } = 30;
    public int SandboxPrecheckWeight { get; init; } = 55;
    /// <summary>Without IP addresses a pair on one link is weaker evidence.</summary>
    public int SandboxPrecheckWithoutIpWeight { get; init; } = 45;
    public int FollowedByPersonWeight { get; init; } = -30;

    /// <summary>An early click with no open before it, used only where neither IP nor user agent is known.</summary>
    public int ClickWithoutOpenWeight { get; init; } = 20;

    // Provider flags and honeypot.
    public int ProviderBotFlagWeight { get; init; } = 80;
    public int HoneypotWeight { get; init; } = 100;

    // Domain patterns.
    public int DomainPatternMinRecipients { get; init; } = 3;
    /// <summary>Share of a domain's recipients that clicked early for the domain to count as scanned.</summary>
    public double DomainPatternShare { get; init; } = 0.3;
    public int DomainPatternWeight { get; init; } = 30;

    // Evidence for a person.
    public double LaterClickMinutes { get; init; } = 30;
    public int LaterIsolatedClickWeight { get; init; } = -15;
    public int ConfirmedHumanWeight { get; init; } = -40;

    /// <summary>Weights that speak for a person: 0 or below. Every other weight speaks against one: 0 or above.</summary>
    private static readonly HashSet<string> ForAPerson = [nameof(FollowedByPersonWeight), nameof(LaterIsolatedClickWeight), nameof(ConfirmedHumanWeight)];

    /// <summary>The problem of a domain share outside (0, 1], which the settings page words as a percentage.</summary>
    public const string DomainShareProblem = "The domain share must lie between 0 and 1.";

    /// <summary>The verdict a score (the reasons' weights added up) gives with these thresholds, the sum clamped to 0–100.</summary>
    public Verdict VerdictOf(int sum)
    {
        var score = Math.Clamp(sum, 0, 100);
        return score >= BotThreshold ? Verdict.Bot : score >= SuspectThreshold ? Verdict.Suspect : Verdict.Human;
    }

    /// <summary>What is wrong with these settings, in plain words; null when they can be used.</summary>
    public string? Problem()
    {
        if (SuspectThreshold < 1 || BotThreshold > 100)
        {
            return "Thresholds must lie between 1 and 100.";
        }
        if (SuspectThreshold >= BotThreshold)
        {
            return "The suspect threshold must be below the bot threshold.";
        }
        if (EarlyWindowSeconds <= 0 || BurstWindowSeconds <= 0)
        {
            return "Time windows must be longer than 0 seconds.";
        }
        if (DomainPatternShare is <= 0 or > 1)
        {
            return DomainShareProblem;
        }
        foreach (var property in typeof(ClassifierSettings).GetProperties().Where(p => p.PropertyType == typeof(int) && p.Name.EndsWith("Weight", StringComparison.Ordinal)))
        {
            var weight = (int)property.GetValue(this)!;
            if (ForAPerson.Contains(property.Name) ? weight is < -100 or > 0 : weight is < 0 or > 100)
            {
                return ForAPerson.Contains(property.Name)
                    ? $"{property.Name} speaks for a person: it must lie between -100 and 0 (it is {weight})."
                    : $"{property.Name} speaks against a person: it must lie between 0 and 100 (it is {weight}).";
            }
        }
        return null;
    }

    public string Hash()
    {
        var json = JsonSerializer.Serialize(this);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    public static ClassifierSettings Default { get; } = new();
}
