using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Reports;

/// <summary>One recipient domain: how many recipients, who clicked, how many clicks were scanners, and its mail gateway.</summary>
public sealed record DomainRow(
    string Domain,
    int Recipients,
    int RawClickers,
    int HumanClickers,
    int Clicks,
    int HumanClicks,
    int SuspectClicks,
    int BotClicks,
    string? Gateway,
    string? MxHosts,
    string? GatewayError,
    DateTime? GatewayCheckedAt)
{
    public double BotShare => Clicks == 0 ? 0 : (double)BotClicks / Clicks;
    /// <summary>True when no lookup has stored a gateway for the domain yet.</summary>
    public bool GatewayPending => Gateway is null;
}

/// <summary>The recipient domains of a workspace ranked by how many clicks their mail security added.</summary>
public sealed class DomainReport(IDbContextFactory<ClickInsightsDbContext> dbFactory)
{
    public async Task<IReadOnlyList<DomainRow>> DomainsAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // One aggregate in the database: events are never loaded into memory.
        var rows = await db.Database.SqlQuery<DomainRow>($"""
            SELECT r."Domain" AS "Domain",
                   COUNT(DISTINCT r."Id") AS "Recipients",
                   COUNT(DISTINCT e."RecipientId") AS "RawClickers",
                   COUNT(DISTINCT CASE WHEN v."Verdict" = {(int)Verdict.Human} THEN e."RecipientId" END) AS "HumanClickers",
                   COUNT(e."Id") AS "Clicks",
                   COALESCE(SUM(CASE WHEN v."Verdict" = {(int)Verdict.Human} THEN 1 ELSE 0 END), 0) AS "HumanClicks",
                   COALESCE(SUM(CASE WHEN v."Verdict" = {(int)Verdict.Suspect} THEN 1 ELSE 0 END), 0) AS "SuspectClicks",
                   COALESCE(SUM(CASE WHEN v."Verdict" = {(int)Verdict.Bot} THEN 1 ELSE 0 END), 0) AS "BotClicks",
                   g."Gateway" AS "Gateway",
                   g."MxHosts" AS "MxHosts",
                   g."Error" AS "GatewayError",
                   g."CheckedAt" AS "GatewayCheckedAt"
            FROM "Recipients" r
            LEFT JOIN "Events" e ON e."RecipientId" = r."Id" AND e."Type" = {(int)EventType.Click}
            LEFT JOIN "ClickVerdicts" v ON v."EventId" = e."Id"
            LEFT JOIN "DomainGateways" g ON g."Domain" = r."Domain"
            WHERE r."WorkspaceId" = {workspaceId}
            GROUP BY r."Domain", g."Gateway", g."MxHosts", g."Error", g."CheckedAt"
            """).ToListAsync(cancellationToken);
        return rows
            .OrderByDescending(r => r.BotClicks)
            .ThenByDescending(r => r.Clicks)
            .ThenByDescending(r => r.Recipients)
            .ThenBy(r => r.Domain, StringComparer.Ordinal)
            .ToList();
    }
}
