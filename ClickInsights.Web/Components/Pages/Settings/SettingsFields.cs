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
        new(nameof(ClassifierSettings.EarlyClickWeight), "Weight: clicked right after delivery", "Timing", "A click within the early window after delivery. People rarely click that fast; gateways do."),
        new(nameof(ClassifierSettings.BeforeDeliveryWeight), "Weight: clicked before delivery", "Timing", "A click logged before the provider saw the email delivered: a gateway checking it on the way in."),
        new(nameof(ClassifierSettings.BurstWindowSeconds), "Burst window (seconds)", "Patterns", "Clicks on different links within this many seconds form a burst."),
        new(nameof(ClassifierSettings.BurstWeight), "Weight: several links within seconds", "Patterns", "Clicks on different links within the burst window: one person cannot click that fast."),
        new(nameof(ClassifierSettings.BurstManyLinksWeight), "Extra weight: 3 or more links within seconds", "Patterns", "Added when a burst reaches three or more links."),
        new(nameof(ClassifierSettings.EveryLinkWeight), "Weight: every link of the email", "Patterns", "Every link of the email clicked within seconds: how link scanners work."),
        new(nameof(ClassifierSettings.SandboxPrecheckWeight), "Weight: gateway check just before a person's click", "Patterns", "A click followed within seconds by the same link from another network: the gateway checked it before letting the person through."),
        new(nameof(ClassifierSettings.DomainPatternWeight), "Weight: domain whose gateway checks links", "Patterns", "Many recipients at one domain clicked early: that domain's mail gateway checks links."),
        new(nameof(ClassifierSettings.DomainPatternShare), "Domain: % of its recipients clicking early", "Patterns", "How many of a domain's recipients, in percent, must click early before the whole domain counts as checked by its gateway."),
        new(nameof(ClassifierSettings.SelfNamedAgentWeight), "Weight: scanner names itself", "Browser and network", "The browser says it is a scanner (its user agent names the product)."),
        new(nameof(ClassifierSettings.AutomationAgentWeight), "Weight: automation tool, not a browser", "Browser and network", "The browser is a script or headless tool (curl, python-requests, HeadlessChrome, …)."),
        new(nameof(ClassifierSettings.EmptyAgentWeight), "Weight: no user agent", "Browser and network", "The click came without a user agent (the browser's name and version it sends with every request)."),
        new(nameof(ClassifierSettings.OutdatedAgentWeight), "Weight: years-old browser version", "Browser and network", "A browser years older than the click; scanners pretend to be old browsers (Safe Links shows Chrome 57–101)."),
        new(nameof(ClassifierSettings.ScannerNetworkWeight), "Weight: mail-security vendor's network", "Browser and network", "The click came from a network the catalogue lists as a mail-security vendor's, with its source."),
        new(nameof(ClassifierSettings.ProbableNetworkWeight), "Weight: network listed as a vendor's (unconfirmed)", "Browser and network", "A network named as a vendor's by one secondary source only: weaker than a listed mail-security network."),
        new(nameof(ClassifierSettings.CloudNetworkWeight), "Weight: cloud network scanners use", "Browser and network", "A cloud network (Azure, AWS, …): real people use cloud desktops too, so this is weak evidence."),
        new(nameof(ClassifierSettings.HoneypotWeight), "Weight: clicked the hidden link", "Other", "The hidden link of your emails was clicked (set its pattern below): no person can see it."),
        new(nameof(ClassifierSettings.ProviderBotFlagWeight), "Weight: flagged by the provider", "Other", "Your provider itself marked the event as a machine (SendGrid, Mailgun, Brevo's proxy opens)."),
        new(nameof(ClassifierSettings.ConfirmedHumanWeight), "Weight: confirmed person after a scan (negative)", "Other", "Taken off the score of a click that came on its own, long after delivery and after the recipient's scan: the person, following the scanner."),
        new(nameof(ClassifierSettings.LaterIsolatedClickWeight), "Weight: a single click, later on (negative)", "Other", "Taken off the score of a single click that came on its own, long after delivery, with no scan before it: how people click."),
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
        if (problem == ClassifierSettings.DomainShareProblem)
        {
            var share = All.Single(f => f.Name == nameof(ClassifierSettings.DomainPatternShare));
            return ($"\"{share.Label}\" must lie between 1 and 100.", share.Name);
        }
        return (problem, null);
    }

    /// <summary>Shares the classifier keeps as a fraction (0.3) and a person reads as a percentage (30).</summary>
    private static readonly HashSet<string> Percentages = [nameof(ClassifierSettings.DomainPatternShare)];

    public static double Get(ClassifierSettings settings, string name)
    {
        var value = Convert.ToDouble(Property(name).GetValue(settings), System.Globalization.CultureInfo.InvariantCulture);
        return Percentages.Contains(name) ? Math.Round(value * 100, 1) : value;
    }

    public static ClassifierSettings Set(ClassifierSettings settings, string name, double value)
    {
        var copy = settings with { };
        var property = Property(name);
        var stored = Percentages.Contains(name) ? value / 100 : value;
        property.SetValue(copy, property.PropertyType == typeof(int) ? (object)(int)Math.Round(stored) : stored);
        return copy;
    }

    /// <summary>Whether the field steps by whole numbers (counts, weights, and percentages).</summary>
    public static bool IsInteger(string name) => Property(name).PropertyType == typeof(int) || Percentages.Contains(name);

    private static PropertyInfo Property(string name) =>
        typeof(ClassifierSettings).GetProperty(name) ?? throw new ArgumentException($"No setting {name}.");
}
