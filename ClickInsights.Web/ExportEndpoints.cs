using System.Globalization;
using System.Text;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Reports;

namespace ClickInsights.Web;

/// <summary>CSV downloads: a campaign's every click (the CLI contract's columns) and its support report.</summary>
public static class ExportEndpoints
{
    public static void MapExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/campaigns/{id:int}/clicks.csv", async (int id, ReportService reports, ClickReports clicks, HttpContext http, CancellationToken cancellationToken) =>
        {
            var detail = await reports.CampaignAsync(id, cancellationToken);
            if (await RefusedAsync(http, detail?.WorkspaceId, Permission.ExportPeople, $"There is no campaign with number {id}.") is { } refused)
            {
                return refused;
            }
            await AuditAsync(http, detail!.WorkspaceId, $"Every click of campaign \"{detail.Campaign.Name}\" as CSV.");
            return await StreamClicksAsync(http, detail.Campaign.Name, clicks.ExportAsync(id, cancellationToken), cancellationToken);
        });

        app.MapGet("/campaigns/{id:int}/clickers.csv", async (int id, string? who, ReportService reports, ClickReports clicks, HttpContext http, CancellationToken cancellationToken) =>
        {
            var detail = await reports.CampaignAsync(id, cancellationToken);
            if (await RefusedAsync(http, detail?.WorkspaceId, Permission.ExportPeople, $"There is no campaign with number {id}.") is { } refused)
            {
                return refused;
            }
            await AuditAsync(http, detail!.WorkspaceId, $"The clickers ({who ?? "all"}) of campaign \"{detail.Campaign.Name}\" as CSV.");
            var (which, suffix) = who switch
            {
                "people" => (ClickerList.People, "people-who-clicked"),
                "scanner-only" => (ClickerList.ScannerOnly, "scanner-only-recipients"),
                _ => (ClickerList.All, "clickers"),
            };
            var csv = new StringBuilder();
            string N(int n) => n.ToString(CultureInfo.InvariantCulture);
            AppendRow(csv, "email", "domain", "clicks", "clicks_by_people", "suspect_clicks", "scanner_clicks", "clicked_as");
            foreach (var c in await clicks.ClickersAsync(id, which, cancellationToken))
            {
                AppendRow(csv, c.Email, c.Domain, N(c.Clicks), N(c.HumanClicks), N(c.SuspectClicks), N(c.BotClicks),
                    c.ClickedAsPerson ? "person" : c.ScannerOnly ? "scanner only" : "uncertain");
            }
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName(detail.Campaign.Name)}-{suffix}.csv\"";
            return Results.Text(csv.ToString(), "text/csv; charset=utf-8", new UTF8Encoding(false));
        });

        app.MapGet("/w/{workspace:int}/domains/{domain}/clicks.csv", async (int workspace, string domain, DomainReport domains, ClickReports clicks, HttpContext http, CancellationToken cancellationToken) =>
        {
            var notFound = $"No recipient of this workspace is at {domain}.";
            if (await RefusedAsync(http, workspace, Permission.ExportPeople, notFound) is { } refused)
            {
                return refused;
            }
            var detail = await domains.DomainAsync(workspace, domain, cancellationToken);
            if (detail is null)
            {
                return Results.NotFound(notFound);
            }
            await AuditAsync(http, workspace, $"Every click from {detail.Domain} as CSV.");
            return await StreamClicksAsync(http, detail.Domain, clicks.DomainExportAsync(workspace, detail.Domain, cancellationToken), cancellationToken);
        });

        app.MapGet("/w/{workspace:int}/audit.csv", async (int workspace, string? action, string? q, AuditLog audit, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (await RefusedAsync(http, workspace, Permission.Audit, "There is no such workspace.") is { } refused)
            {
                return refused;
            }
            var entries = await audit.ListAsync(workspace, new AuditFilter(action, q, Take: 100_000), cancellationToken);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-log-{workspace}.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
            await writer.WriteLineAsync("at_utc,who,action,what");
            foreach (var e in entries)
            {
                var line = new StringBuilder(e.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)).Append(',');
                ClickCsv.Cell(line, e.Actor).Append(',');
                ClickCsv.Cell(line, e.Action).Append(',');
                ClickCsv.Cell(line, e.Detail);
                await writer.WriteLineAsync(line.ToString());
            }
            await writer.FlushAsync(cancellationToken);
            return Results.Empty;
        });

        app.MapGet("/campaigns/{id:int}/report.csv", async (int id, ReportService reports, ClickReports clicks, HttpContext http, CancellationToken cancellationToken) =>
        {
            var detail = await reports.CampaignAsync(id, cancellationToken);
            if (await RefusedAsync(http, detail?.WorkspaceId, Permission.Read, $"There is no campaign with number {id}.") is { } refused)
            {
                return refused;
            }
            await AuditAsync(http, detail!.WorkspaceId, $"The support report of campaign \"{detail.Campaign.Name}\" as CSV.");
            var domains = await clicks.DomainsOfCampaignAsync(id, 50, cancellationToken);
            var csv = new StringBuilder();
            void Row(params string[] cells) => AppendRow(csv, cells);
            var c = detail.Campaign;
            string N(int n) => n.ToString(CultureInfo.InvariantCulture);
            string P(double? d) => d is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) : "";
            Row("section", "name", "value");
            Row("campaign", "name", c.Name);
            Row("campaign", "sent", c.SentAt?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "");
            Row("figures", "delivered", N(c.Delivered));
            Row("figures", "raw clicks", N(c.Clicks));
            Row("figures", "raw click rate %", P(c.RawClickRate));
            Row("figures", "human clicks", N(c.HumanClicks));
            Row("figures", "real click rate %", P(c.RealClickRate));
            Row("figures", "suspect clicks", N(c.SuspectClicks));
            Row("figures", "bot clicks", N(c.BotClicks));
            Row("figures", "bot share %", P(c.BotShare));
            foreach (var r in detail.Reasons)
            {
                Row("reason", r.Label, N(r.Clicks));
            }
            Row("domain", "domain,gateway,clicks,human,suspect,bot", "");
            foreach (var d in domains)
            {
                Row("domain", d.Domain, $"{d.Gateway ?? "unknown"}; {d.Clicks} clicks; {d.HumanClicks} human; {d.SuspectClicks} suspect; {d.BotClicks} bot");
            }
            foreach (var l in detail.Links)
            {
                Row("link", l.Url, $"{l.RawClicks} reported; {l.HumanClicks} by people");
            }
            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"{FileName(c.Name)}-report.csv");
        });
    }

    /// <summary>One CSV line, each cell quoted as needed and kept from starting a formula.</summary>
    private static void AppendRow(StringBuilder csv, params string[] cells)
    {
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }
            ClickCsv.Cell(csv, cells[i]);
        }
        csv.Append("\r\n");
    }

    /// <summary>Streams clicks as the per-click CSV (the CLI contract's columns), as a download named after what they are of.</summary>
    private static async Task<IResult> StreamClicksAsync(HttpContext http, string of, IAsyncEnumerable<ClickInsights.Core.Classification.ClickRow> rows, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName(of)}-clicks.csv\"";
        // Kestrel allows only asynchronous writes: every line goes out with WriteAsync.
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync(ClickCsv.Header);
        await foreach (var row in rows)
        {
            await writer.WriteAsync(ClickCsv.Line(row));
        }
        await writer.FlushAsync(cancellationToken);
        return Results.Empty;
    }

    private static string FileName(string name)
    {
        var cleaned = new string(name.Select(ch => char.IsLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-').ToArray()).Trim('-');
        while (cleaned.Contains("--", StringComparison.Ordinal))
        {
            cleaned = cleaned.Replace("--", "-", StringComparison.Ordinal);
        }
        return cleaned.Length == 0 ? "campaign" : cleaned;
    }

    /// <summary>
    /// Not found when the viewer may not see the workspace (the same answer as for a number that does not exist, so
    /// nothing tells another workspace's ids apart); forbidden when they see it but their role does not allow this.
    /// </summary>
    internal static async Task<IResult?> RefusedAsync(HttpContext http, int? workspaceId, Permission permission, string notFound)
    {
        var access = await http.RequestServices.GetRequiredService<Viewer>().GetAsync(http.RequestAborted);
        if (workspaceId is not { } id || access?.RoleIn(id) is not { } role)
        {
            return Results.NotFound(notFound);
        }
        return Permissions.Allows(role, permission)
            ? null
            : Results.Text($"Your role ({role.ToString().ToLowerInvariant()}) does not allow this download. Ask an owner of the workspace.", statusCode: StatusCodes.Status403Forbidden);
    }

    /// <summary>The request's viewer, resolved once by <see cref="RefusedAsync"/>, writes the export into the audit log.</summary>
    private static Task AuditAsync(HttpContext http, int workspaceId, string what) =>
        http.RequestServices.GetRequiredService<Viewer>().AuditAsync(workspaceId, AuditActions.Export, what);
}
