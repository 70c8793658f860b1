using System.Globalization;

namespace ClickInsights.Web.Components.Shared;

public static class Show
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static string Percent(double fraction) => (fraction * 100).ToString("0.0", Culture) + "%";

    /// <summary>A rate that may be unknown (a source that does not say how many emails were delivered).</summary>
    public static string Percent(double? fraction) => fraction is { } f ? Percent(f) : "unknown";

    /// <summary>A link as a person reads it in a narrow table: its path without the tracking query (the host when it
    /// has no path); the full address goes in the cell's tooltip.</summary>
    public static string ShortUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? (uri.AbsolutePath == "/" ? uri.Host : uri.AbsolutePath)
            : url ?? "";

    public static string Number(int value) => value.ToString("N0", Culture);

    /// <summary>A person's decision in words: "This click: a person", "Every click of kim@…: a person", "Every click from x.com: a bot".</summary>
    public static string Decision(ClickInsights.Core.Data.VerdictOverride o)
    {
        var what = o.Scope switch
        {
            ClickInsights.Core.Data.OverrideScope.Click => "This click",
            ClickInsights.Core.Data.OverrideScope.Recipient => $"Every click of {o.Key}",
            _ => $"Every click from {o.Key}",
        };
        var verdict = o.Verdict switch
        {
            ClickInsights.Core.Data.Verdict.Human => "a person",
            ClickInsights.Core.Data.Verdict.Bot => "a bot",
            _ => "a suspect",
        };
        return $"{what}: {verdict}{(string.IsNullOrWhiteSpace(o.Note) ? "" : $" ({o.Note})")}, decided {Date(o.CreatedAt)}{(o.CreatedBy is { } by ? $" by {by}" : "")}";
    }

    /// <summary>
    /// The question asked before a decision for every click of a recipient or of a domain, in every campaign: the same
    /// on each page that offers it (a click's evidence, a recipient's timeline, a domain's page).
    /// </summary>
    public static (string Title, string Text) WideDecisionQuestion(ClickInsights.Core.Data.OverrideScope scope, string key, ClickInsights.Core.Data.Verdict verdict)
    {
        var who = verdict == ClickInsights.Core.Data.Verdict.Human ? "a person" : "a bot";
        const string Always = "in every campaign of this workspace, now and after new imports";
        return scope == ClickInsights.Core.Data.OverrideScope.Recipient
            ? ($"Count every click of {key} as {who}?",
               $"This applies to every click of {key} {Always}, whatever the classifier says (a decision you made about one single click still wins). You can undo it on this page.")
            : ($"Count every click from {key} as {who}?",
               $"This applies to every click by anyone at {key}, {Always}, " +
               (verdict == ClickInsights.Core.Data.Verdict.Human ? "including the clicks of its mail gateway." : "including people there who really clicked.") +
               " You can undo it on this page.");
    }

    /// <summary>A domain's mail gateway as every page names it.</summary>
    public static string Gateway(string? gateway) => ClickInsights.Core.Reports.Gateways.Name(gateway);

    /// <summary>A looked-up domain's gateway, saying also when it has no mail server at all.</summary>
    public static string GatewayLabel(string? gateway, string? mxHosts) =>
        gateway == ClickInsights.Core.Domains.GatewayResolver.Unknown
            ? string.IsNullOrEmpty(mxHosts) ? "no mail server found" : "no known security gateway"
            : Gateway(gateway);

    /// <summary>What a gateway was found from: the mail servers, when, and the last lookup's failure if it failed.</summary>
    public static string GatewayTooltip(string? gateway, string? mxHosts, string? error, DateTime? checkedAt)
    {
        var hosts = string.IsNullOrEmpty(mxHosts) ? "No MX records." : "Mail servers: " + mxHosts.Replace(" ", ", ", StringComparison.Ordinal) + ".";
        if (gateway == ClickInsights.Core.Domains.GatewayResolver.Unknown && !string.IsNullOrEmpty(mxHosts))
        {
            hosts += " None of them is a security gateway ClickInsights knows; a scanner can still sit behind them.";
        }
        var when = $" Looked up {DateTime(checkedAt)}.";
        var failed = error is null ? "" : $" The last lookup failed ({error}); this is the earlier answer.";
        return hosts + when + failed;
    }

    /// <summary>
    /// A user agent as a person reads it: "Chrome 72 · Windows", "Safari · iPhone"; the full string goes in the cell's
    /// tooltip. What it cannot name is shortened instead.
    /// </summary>
    public static string Browser(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "—";
        }
        static string? Version(string ua, string marker)
        {
            var at = ua.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }
            var start = at + marker.Length;
            var end = start;
            while (end < ua.Length && char.IsAsciiDigit(ua[end]))
            {
                end++;
            }
            return end > start ? ua[start..end] : "";
        }
        var browser = Version(userAgent, "Edg/") is { } edge ? $"Edge {edge}"
            : Version(userAgent, "Firefox/") is { } firefox ? $"Firefox {firefox}"
            : Version(userAgent, "Chrome/") is { } chrome ? $"Chrome {chrome}"
            : userAgent.Contains("Safari/", StringComparison.Ordinal) && Version(userAgent, "Version/") is { } safari ? $"Safari {safari}"
            : null;
        var system = userAgent.Contains("iPhone", StringComparison.Ordinal) ? "iPhone"
            : userAgent.Contains("iPad", StringComparison.Ordinal) ? "iPad"
            : userAgent.Contains("Android", StringComparison.Ordinal) ? "Android"
            : userAgent.Contains("Windows", StringComparison.Ordinal) ? "Windows"
            : userAgent.Contains("Mac OS X", StringComparison.Ordinal) ? "Mac"
            : userAgent.Contains("Linux", StringComparison.Ordinal) ? "Linux"
            : null;
        return browser is null
            ? (userAgent.Length <= 24 ? userAgent : userAgent[..23] + "…")
            : system is null ? browser : $"{browser} · {system}";
    }

    public static string Number(long value) => value.ToString("N0", Culture);

    /// <summary>
    /// A domain or an address that may wrap only after its dots and at-sign (brightpathschool.<wbr>org), never mid-word;
    /// shown in an element of class <c>name-cell</c>.
    /// </summary>
    public static Microsoft.AspNetCore.Components.MarkupString Breakable(string? name) =>
        new(System.Net.WebUtility.HtmlEncode(name ?? "").Replace(".", ".<wbr>", StringComparison.Ordinal).Replace("@", "@<wbr>", StringComparison.Ordinal));

    /// <summary>
    /// Clicks by verdict in words, people first, leaving out verdicts no click has: "1 by a person, 2 uncertain, 18 by
    /// scanners".
    /// </summary>
    public static string ByVerdict(int human, int suspect, int bot, string uncertain = "uncertain") =>
        string.Join(", ", new[]
        {
            (human, human == 1 ? "by a person" : "by people"),
            (suspect, uncertain),
            (bot, bot == 1 ? "by a scanner" : "by scanners"),
        }.Where(p => p.Item1 > 0).Select(p => $"{Number(p.Item1)} {p.Item2}"));

    /// <summary>A count and its noun, singular or plural: "1 click", "5 clicks", "1 person", "41 people".</summary>
    public static string Count(long value, string one, string? many = null) => ClickInsights.Core.Providers.Plural.Of(value, one, many);

    public static string DateTime(DateTime utc) => utc.ToString("MMM d, yyyy HH:mm:ss", Culture);

    public static string Date(DateTime? utc) => utc is { } d ? d.ToString("MMM d, yyyy", Culture) : "—";

    public static string DateTime(DateTime? utc) => utc is { } d ? d.ToString("MMM d, yyyy HH:mm", Culture) + " UTC" : "—";
}
