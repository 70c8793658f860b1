using System.Globalization;
using System.Text;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Data;
using ClickInsights.Core.Reports;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Web;

/// <summary>
/// CSV downloads, every one a table (a header row, one row per item, one value per column, formula-safe): a campaign's
/// every click (the CLI contract's columns), its clickers and its report by domain; the Domains list; a domain's evidence
/// for its IT; the workspace report's campaigns and domains; the audit log.
/// </summary>
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
            return await StreamTableAsync(http, $"{FileName(detail.Domain)}-clicks.csv", DomainEvidenceColumns,
                Rows(clicks.DomainEvidenceAsync(workspace, detail.Domain, cancellationToken), DomainEvidenceCells), cancellationToken);
        });

        app.MapGet("/w/{workspace:int}/domains.csv", async (int workspace, DomainReport domains, ReportService reports, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (await RefusedAsync(http, workspace, Permission.Read, "There is no such workspace.") is { } refused)
            {
                return refused;
            }
            var name = (await reports.WorkspacesAsync(cancellationToken)).FirstOrDefault(w => w.Id == workspace)?.Name ?? "workspace";
            await AuditAsync(http, workspace, "The Domains list as CSV.");
            var rows = (await domains.DomainsAsync(workspace, cancellationToken)).Select(d => new[]
            {
                d.Domain, Gateways.Name(d.Gateway), N(d.Recipients), N(d.Clicks), N(d.HumanClicks), N(d.SuspectClicks), N(d.BotClicks), Share(d.BotShare),
            });
            // In clicks, as the list shows them: people who clicked (distinct) are on each domain's own page.
            return Table($"{FileName(name)}-domains.csv", ["domain", "gateway", "recipients", "clicks", "human_clicks", "suspect_clicks", "bot_clicks", "bot_share"], rows);
        });

        app.MapGet("/w/{workspace:int}/report/{table}.csv", async (int workspace, string table, string? from, string? to, WorkspaceReport report,
            IDbContextFactory<ClickInsightsDbContext> dbFactory, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (await RefusedAsync(http, workspace, Permission.Read, "There is no such workspace.") is { } refused)
            {
                return refused;
            }
            if (table is not ("campaigns" or "domains"))
            {
                return Results.NotFound("The report has two tables: campaigns.csv and domains.csv.");
            }
            if (!TryPeriod(from, to, out var first, out var last, out var problem))
            {
                return Results.BadRequest(problem);
            }
            var data = await report.MakeAsync(workspace, first, last, cancellationToken);
            if (data is null)
            {
                return Results.NotFound("There is no such workspace.");
            }
            await AuditAsync(http, workspace, $"The workspace report's {table} as CSV.");
            var file = $"{FileName(data.WorkspaceName)}-report-{table}.csv";
            if (table == "domains")
            {
                return Table(file, ["domain", "gateway", "clicks", "human_clicks", "suspect_clicks", "bot_clicks", "bot_share", "share_of_all_bot_clicks", "campaigns_affected"],
                    data.Domains.Select(d => new[] { d.Domain, Gateways.Name(d.Gateway), N(d.Clicks), N(d.HumanClicks), N(d.SuspectClicks), N(d.BotClicks), Share(d.BotShare), Share(d.ShareOfScannerClicks), N(d.CampaignsAffected) }));
            }
            var ids = data.Campaigns.Select(c => c.Id).ToList();
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var providerIds = await db.Campaigns.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.ExternalId, cancellationToken);
            return Table(file, CampaignColumns, data.Campaigns.OrderBy(c => c.SentOrFirstEventAt ?? DateTime.MaxValue).Select(c => CampaignCells(c, providerIds[c.Id])));
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
            // One row per recipient domain of the campaign, every domain: its columns add up to the campaign's figures.
            var domains = await clicks.DomainsOfCampaignAsync(id, int.MaxValue, cancellationToken);
            return Table($"{FileName(detail.Campaign.Name)}-report.csv",
                ["domain", "gateway", "reported_clickers", "people_clickers", "clicks", "human_clicks", "suspect_clicks", "bot_clicks", "bot_share"],
                domains.Select(d => new[] { d.Domain, Gateways.Name(d.Gateway), N(d.Clickers), N(d.HumanClickers), N(d.Clicks), N(d.HumanClicks), N(d.SuspectClicks), N(d.BotClicks), Share(d.BotShare) }));
        });
    }

    /// <summary>The columns of a campaign's row in a CSV: the CLI <c>summary</c>'s, with the rates and whether the delivered count was entered by hand.</summary>
    public static readonly string[] CampaignColumns =
    [
        "campaign_id", "name", "sent_at", "delivered", "delivered_by_hand", "reported_clickers", "people_clickers", "reported_click_rate", "real_click_rate",
        "reported_clicks", "human_clicks", "suspect_clicks", "bot_clicks",
    ];

    private static string[] CampaignCells(CampaignRow c, string providerId) =>
    [
        providerId, c.Name, c.SentAt is { } sent ? Utc(sent) : "", N(c.Delivered), c.DeliveredByHand ? "yes" : "no", N(c.UniqueClickers), N(c.HumanClickers),
        Share(c.RawClickRate), Share(c.RealClickRate), N(c.Clicks), N(c.HumanClicks), N(c.SuspectClicks), N(c.BotClicks),
    ];

    /// <summary>The columns of the per-domain evidence a company's IT asks for.</summary>
    public static readonly string[] DomainEvidenceColumns =
    [
        "campaign", "sent_at", "recipient", "clicked_at", "seconds_after_delivery", "link", "ip", "network", "network_owner", "user_agent", "verdict", "score", "reasons",
    ];

    private static string[] DomainEvidenceCells(DomainEvidenceRow r) =>
    [
        r.CampaignName, r.SentAt is { } sent ? Utc(sent) : "", r.Email, Utc(r.ClickedAt),
        r.SecondsAfterDelivery is { } after ? after.ToString("0.###", CultureInfo.InvariantCulture) : "",
        r.Url ?? "", r.Ip ?? "", r.Network ?? "", r.NetworkOwner ?? "", r.UserAgent ?? "", r.Verdict.ToString().ToLowerInvariant(), N(r.Score),
        string.Join("; ", r.Reasons.Select(x => ReasonLabels.Of(x.Code))),
    ];

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>A fraction as a number a spreadsheet reads (0.289), empty when unknown.</summary>
    private static string Share(double? d) => d is { } v ? Math.Round(v, 4).ToString("0.####", CultureInfo.InvariantCulture) : "";

    private static string Utc(DateTime at) => ClickCsv.Timestamp(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)).ToUnixTimeMilliseconds());

    /// <summary>Reads a report's period (yyyy-MM-dd, both optional); says what is wrong with it otherwise.</summary>
    public static bool TryPeriod(string? from, string? to, out DateOnly? first, out DateOnly? last, out string? problem)
    {
        first = last = null;
        problem = null;
        foreach (var (text, name) in new[] { (from, "from"), (to, "to") })
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                problem = $"The period's '{name}' must be a day written as 2026-03-14; it was '{(text.Length > 40 ? text[..40] + "…" : text)}'.";
                return false;
            }
            if (name == "from") { first = day; } else { last = day; }
        }
        if (first > last)
        {
            problem = "The period's first day comes after its last day.";
            return false;
        }
        return true;
    }

    /// <summary>A small table as a CSV download: a header row, then one row per item, every cell formula-safe.</summary>
    private static IResult Table(string fileName, string[] header, IEnumerable<string[]> rows)
    {
        var csv = new StringBuilder();
        AppendRow(csv, header);
        foreach (var row in rows)
        {
            AppendRow(csv, row);
        }
        return Results.File(new UTF8Encoding(false).GetBytes(csv.ToString()), "text/csv; charset=utf-8", fileName);
    }

    private static async IAsyncEnumerable<string[]> Rows<T>(IAsyncEnumerable<T> items, Func<T, string[]> cells)
    {
        await foreach (var item in items)
        {
            yield return cells(item);
        }
    }

    /// <summary>A long table streamed as a CSV download (a header row, then one row per item), never held whole.</summary>
    private static async Task<IResult> StreamTableAsync(HttpContext http, string fileName, string[] header, IAsyncEnumerable<string[]> rows, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
        var line = new StringBuilder();
        AppendRow(line, header);
        await writer.WriteAsync(line.ToString());
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            line.Clear();
            AppendRow(line, row);
            await writer.WriteAsync(line.ToString());
        }
        await writer.FlushAsync(cancellationToken);
        return Results.Empty;
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
