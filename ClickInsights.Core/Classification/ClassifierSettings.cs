using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

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

    public int SelfNamedAgentWeight { get; init; } = 100;
    public int AutomationAgentWeight { get; init; } = 90;
    public int ProbableAgentWeight { get; init; } = 45;

    /// <summary>Seconds within which clicks on distinct links count as one burst.</summary>
    public double BurstWindowSeconds { get; init; } = 2;
    /// <summary>Distinct links a burst needs.</summary>
    public int BurstMinLinks { get; init; } = 2;
    public int BurstWeight { get; init; } = 45;
    /// <summary>Added to a burst that reached three or more links.</summary>
    public int BurstManyLinksWeight { get; init; } = 20;

    public int BeforeDeliveryWeight { get; init; } = 55;
    /// <summary>A click this soon after delivery (or send) is early; scanners come from seconds to minutes after.</summary>
    public double EarlyWindowSeconds { get; init; } = 300;
    public int EarlyClickWeight { get; init; } = 20;

    public string Hash()
    {
        var json = JsonSerializer.Serialize(this);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    public static ClassifierSettings Default { get; } = new();
}
