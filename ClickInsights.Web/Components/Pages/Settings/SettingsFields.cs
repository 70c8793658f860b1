using System.Reflection;
using ClickInsights.Core.Classification;

namespace ClickInsights.Web.Components.Pages.Settings;

/// <summary>The classifier settings as form fields with plain labels, read and written by name.</summary>
public static class SettingsFields
{
    public sealed record Field(string Name, string Label, string Group, string? Help);

    public static readonly Field[] All =
    [
        new(nameof(ClassifierSettings.SuspectThreshold), "Suspect from score", "Thresholds", "Clicks scoring at least this are suspects: not counted as people."),
        new(nameof(ClassifierSettings.BotThreshold), "Bot from score", "Thresholds", "Clicks scoring at least this are bots."),
        new(nameof(ClassifierSettings.EarlyWindowSeconds), "Early click window (seconds)", "Timing", "Clicks this soon after delivery are early. Scanners come from seconds to minutes after."),
        new(nameof(ClassifierSettings.EarlyClickWeight), "Weight: early click", "Timing", null),
        new(nameof(ClassifierSettings.BeforeDeliveryWeight), "Weight: click before delivery", "Timing", null),
        new(nameof(ClassifierSettings.BurstWindowSeconds), "Burst window (seconds)", "Patterns", "Clicks on different links within this many seconds form a burst."),
        new(nameof(ClassifierSettings.BurstWeight), "Weight: burst of links", "Patterns", null),
        new(nameof(ClassifierSettings.BurstManyLinksWeight), "Extra weight: burst of 3+ links", "Patterns", null),
        new(nameof(ClassifierSettings.EveryLinkWeight), "Weight: every link of the email", "Patterns", null),
        new(nameof(ClassifierSettings.SandboxPrecheckWeight), "Weight: gateway check before a person's click", "Patterns", null),
        new(nameof(ClassifierSettings.DomainPatternWeight), "Weight: domain whose gateway checks links", "Patterns", null),
        new(nameof(ClassifierSettings.DomainPatternShare), "Domain pattern: share of recipients clicking early", "Patterns", "0.3 means 30 % of a domain's recipients."),
        new(nameof(ClassifierSettings.SelfNamedAgentWeight), "Weight: scanner names itself", "Browser and network", null),
        new(nameof(ClassifierSettings.AutomationAgentWeight), "Weight: automation tool", "Browser and network", null),
        new(nameof(ClassifierSettings.EmptyAgentWeight), "Weight: no user agent", "Browser and network", null),
        new(nameof(ClassifierSettings.OutdatedAgentWeight), "Weight: years-old browser", "Browser and network", null),
        new(nameof(ClassifierSettings.ScannerNetworkWeight), "Weight: mail-security network", "Browser and network", null),
        new(nameof(ClassifierSettings.ProbableNetworkWeight), "Weight: network listed as a vendor's", "Browser and network", null),
        new(nameof(ClassifierSettings.CloudNetworkWeight), "Weight: cloud network", "Browser and network", null),
        new(nameof(ClassifierSettings.HoneypotWeight), "Weight: hidden link clicked", "Other", null),
        new(nameof(ClassifierSettings.ProviderBotFlagWeight), "Weight: provider's own bot flag", "Other", null),
        new(nameof(ClassifierSettings.ConfirmedHumanWeight), "Weight: person after a scan (negative)", "Other", null),
        new(nameof(ClassifierSettings.LaterIsolatedClickWeight), "Weight: single late click (negative)", "Other", null),
    ];

    public static double Get(ClassifierSettings settings, string name) =>
        Convert.ToDouble(Property(name).GetValue(settings), System.Globalization.CultureInfo.InvariantCulture);

    public static ClassifierSettings Set(ClassifierSettings settings, string name, double value)
    {
        var copy = settings with { };
        var property = Property(name);
        property.SetValue(copy, property.PropertyType == typeof(int) ? (object)(int)Math.Round(value) : value);
        return copy;
    }

    public static bool IsInteger(string name) => Property(name).PropertyType == typeof(int);

    private static PropertyInfo Property(string name) =>
        typeof(ClassifierSettings).GetProperty(name) ?? throw new ArgumentException($"No setting {name}.");
}
