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
        new(nameof(ClassifierSettings.EarlyClickWeight), "Weight: early click", "Timing", "A click within the early window after delivery. People rarely click that fast; gateways do."),
        new(nameof(ClassifierSettings.BeforeDeliveryWeight), "Weight: click before delivery", "Timing", "A click logged before the provider saw the email delivered: a gateway checking it on the way in."),
        new(nameof(ClassifierSettings.BurstWindowSeconds), "Burst window (seconds)", "Patterns", "Clicks on different links within this many seconds form a burst."),
        new(nameof(ClassifierSettings.BurstWeight), "Weight: burst of links", "Patterns", "Clicks on different links within the burst window: one person cannot click that fast."),
        new(nameof(ClassifierSettings.BurstManyLinksWeight), "Extra weight: burst of 3+ links", "Patterns", "Added when a burst reaches three or more links."),
        new(nameof(ClassifierSettings.EveryLinkWeight), "Weight: every link of the email", "Patterns", "Every link of the email clicked within seconds: how link scanners work."),
        new(nameof(ClassifierSettings.SandboxPrecheckWeight), "Weight: gateway check first", "Patterns", "A click followed within seconds by the same link from another network: the gateway checked it before letting the person through."),
        new(nameof(ClassifierSettings.DomainPatternWeight), "Weight: domain-wide pattern", "Patterns", "Many recipients at one domain clicked early: that domain's mail gateway checks links."),
        new(nameof(ClassifierSettings.DomainPatternShare), "Domain pattern: share clicking early", "Patterns", "Share of a domain's recipients that must click early for the domain-wide pattern: 0.3 means 30%."),
        new(nameof(ClassifierSettings.SelfNamedAgentWeight), "Weight: scanner names itself", "Browser and network", "The browser says it is a scanner (its user agent names the product)."),
        new(nameof(ClassifierSettings.AutomationAgentWeight), "Weight: automation tool", "Browser and network", "The browser is a script or headless tool (curl, python-requests, HeadlessChrome, …)."),
        new(nameof(ClassifierSettings.EmptyAgentWeight), "Weight: no user agent", "Browser and network", "The click came with no user agent at all."),
        new(nameof(ClassifierSettings.OutdatedAgentWeight), "Weight: years-old browser", "Browser and network", "A browser years older than the click; scanners pretend to be old browsers (Safe Links shows Chrome 57–101)."),
        new(nameof(ClassifierSettings.ScannerNetworkWeight), "Weight: mail-security network", "Browser and network", "The click came from a network the catalogue lists as a mail-security vendor's, with its source."),
        new(nameof(ClassifierSettings.ProbableNetworkWeight), "Weight: network listed as a vendor's", "Browser and network", "A network named as a vendor's by one secondary source only: weaker than a listed mail-security network."),
        new(nameof(ClassifierSettings.CloudNetworkWeight), "Weight: cloud network", "Browser and network", "A cloud network (Azure, AWS, …): real people use cloud desktops too, so this is weak evidence."),
        new(nameof(ClassifierSettings.HoneypotWeight), "Weight: hidden link clicked", "Other", "The hidden link of your emails was clicked (set its pattern below): no person can see it."),
        new(nameof(ClassifierSettings.ProviderBotFlagWeight), "Weight: provider's own bot flag", "Other", "Your provider itself marked the event as a machine (SendGrid, Mailgun)."),
        new(nameof(ClassifierSettings.ConfirmedHumanWeight), "Weight: person after a scan (negative)", "Other", "Taken off the score of a click that came on its own, long after delivery and after the recipient's scan: the person, following the scanner."),
        new(nameof(ClassifierSettings.LaterIsolatedClickWeight), "Weight: single late click (negative)", "Other", "Taken off the score of a single click that came on its own, long after delivery, with no scan before it: how people click."),
    ];

    /// <summary>
    /// A problem of the settings in the form's words: the setting's code name (as the classifier writes it) becomes its
    /// label, and the field it is about is named, to be marked.
    /// </summary>
    public static (string? Message, string? Field) Explain(string? problem)
    {
        if (problem is null)
        {
            return (null, null);
        }
        // Whole names only: BurstWeight is also the end of LateMinuteBurstWeight, which is not on the form.
        foreach (var field in All)
        {
            var name = new System.Text.RegularExpressions.Regex($@"\b{field.Name}\b");
            if (name.IsMatch(problem))
            {
                return (name.Replace(problem, $"\"{field.Label}\""), field.Name);
            }
        }
        return (problem, null);
    }

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
