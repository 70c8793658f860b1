using ClickInsights.Core.Data;
using ClickInsights.Core.Reports;

namespace ClickInsights.Web;

/// <summary>Every link of the dashboard, built in one place, so a support person can send exactly what they see.</summary>
public static class Urls
{
    public const string Overview = "/";
    public const string Campaigns = "/campaigns";
    public const string Domains = "/domains";
    public const string Authentication = "/authentication";
    public const string Import = "/import";
    public const string Settings = "/settings";
    public const string Workspaces = "/workspaces";
    public const string Connections = "/connections";
    public const string Audit = "/audit";
    public const string People = "/people";
    public const string FirstRun = "/first-run";

    /// <summary>A share link: read-only, no account needed; the token is the link's secret.</summary>
    public static string Share(string token) => $"/share/{Uri.EscapeDataString(token)}";
    public const string ConstantContactCallback = "/connections/constantcontact/callback";

    /// <summary>The workspace's own address of a page: <c>/campaigns?x</c> → <c>/w/7/campaigns?x</c>, <c>/</c> → <c>/w/7</c>.</summary>
    public static string InWorkspace(int workspaceId, string path) =>
        path is "" or "/" ? $"/w/{workspaceId}"
        : path[0] is '?' or '#' ? $"/w/{workspaceId}{path}"
        : path.StartsWith("/?", StringComparison.Ordinal) || path.StartsWith("/#", StringComparison.Ordinal) ? $"/w/{workspaceId}{path[1..]}"
        : $"/w/{workspaceId}{(path[0] == '/' ? path : "/" + path)}";

    public static string ConnectionsAdd(string provider) => $"{Connections}?add={Uri.EscapeDataString(provider)}";

    public static string ConnectionsSignedIn(int connectionId) => $"{Connections}?signedin={connectionId}";

    /// <param name="notice">The number <see cref="Notices.Keep"/> gave the message (the text itself never goes into an address).</param>
    public static string ConnectionsWithProblem(string notice) => $"{Connections}?problem={Uri.EscapeDataString(notice)}";

    /// <param name="key">The connection's random webhook key (<see cref="ClickInsights.Core.Providers.ConnectionService.NewWebhookKey"/>).</param>
    public static string Webhook(string baseUri, string provider, string? key) => $"{baseUri.TrimEnd('/')}/webhooks/{provider}/{key}";

    public static string Campaign(int id) => $"/campaigns/{id}";

    public static string Campaign(int id, ClickFilter filter)
    {
        var query = new List<string>();
        if (filter.Verdict is { } verdict)
        {
            query.Add("verdict=" + verdict.ToString().ToLowerInvariant());
        }
        else if (filter.NotHuman)
        {
            query.Add("verdict=" + NotHuman);
        }
        if (!string.IsNullOrWhiteSpace(filter.Reason))
        {
            query.Add("reason=" + Uri.EscapeDataString(filter.Reason));
        }
        if (!string.IsNullOrWhiteSpace(filter.Domain))
        {
            query.Add("domain=" + Uri.EscapeDataString(filter.Domain));
        }
        if (filter.LinkId is { } link)
        {
            query.Add($"link={link}");
        }
        if (filter.Page > 0)
        {
            query.Add($"page={filter.Page + 1}");
        }
        return Campaign(id) + (query.Count == 0 ? "" : "?" + string.Join('&', query)) + "#clicks";
    }

    public static string Domain(string domain) => $"{Domains}/{Uri.EscapeDataString(domain)}";

    public static string DomainClicksCsv(int workspaceId, string domain) => $"/w/{workspaceId}/domains/{Uri.EscapeDataString(domain)}/clicks.csv";

    /// <summary>The Domains list as CSV, one row per recipient domain.</summary>
    public static string DomainsCsv(int workspaceId) => $"/w/{workspaceId}/domains.csv";

    /// <summary>The workspace report over a period (days in UTC, both inclusive; none: every campaign).</summary>
    public const string Report = "/report";
    public static string ReportFor(DateOnly? from, DateOnly? to) => Report + PeriodQuery(from, to);

    /// <summary>The workspace report's tables as CSV: <c>campaigns</c> or <c>domains</c>, over the same period.</summary>
    public static string ReportCsv(int workspaceId, string table, DateOnly? from, DateOnly? to) => $"/w/{workspaceId}/report/{table}.csv{PeriodQuery(from, to)}";

    private static string PeriodQuery(DateOnly? from, DateOnly? to)
    {
        var query = new List<string>(2);
        if (from is { } f)
        {
            query.Add("from=" + f.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (to is { } t)
        {
            query.Add("to=" + t.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
        return query.Count == 0 ? "" : "?" + string.Join('&', query);
    }

    /// <summary>Search of the workspace; the address of a search is itself shareable.</summary>
    public const string Search = "/search";
    public static string SearchFor(string query) => $"{Search}?q={Uri.EscapeDataString(query)}";

    public static string CampaignReport(int id) => $"/campaigns/{id}/report";
    public static string CampaignClicksCsv(int id) => $"/campaigns/{id}/clicks.csv";
    public static string CampaignReportCsv(int id) => $"/campaigns/{id}/report.csv";

    /// <summary>A campaign's clickers as CSV: <c>people</c> (clicked at least once as a person), <c>scanner-only</c>, or all.</summary>
    public static string CampaignClickersCsv(int id, string who) => $"/campaigns/{id}/clickers.csv?who={who}";
    public static string Click(long eventId) => $"/clicks/{eventId}";
    public static string Recipient(int id) => $"/recipients/{id}";

    /// <summary>The <c>verdict</c> value of clicks not counted as people (suspects and bots).</summary>
    public const string NotHuman = "not-human";

    /// <summary>A verdict by its name (human, suspect, bot); anything else, numbers included, is none.</summary>
    public static Verdict? ParseVerdict(string? text) =>
        !string.IsNullOrEmpty(text) && char.IsLetter(text[0]) && Enum.TryParse<Verdict>(text, ignoreCase: true, out var verdict) ? verdict : null;
}
