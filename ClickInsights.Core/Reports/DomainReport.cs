using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Reports;

/// <summary>One recipient domain: how many recipients, who clicked, how many clicks were scanners, and its mail gateway.</summary>
/// <param name="LatestCampaignId">The last imported campaign with clicks from the domain, to look at them; null without clicks.</param>
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
    DateTime? GatewayCheckedAt,
    int? LatestCampaignId)
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
        // From the campaigns' stored breakdowns and an index scan of recipients: events are never read here.
        // Clickers are counted per campaign and added up (a recipient clicking in two campaigns counts twice).
        var rows = await db.Database.SqlQuery<DomainRow>($"""
            SELECT r."Domain" AS "Domain",
                   r."Recipients" AS "Recipients",
                   COALESCE(b."Clickers", 0) AS "RawClickers",
                   COALESCE(b."HumanClickers", 0) AS "HumanClickers",
                   COALESCE(b."Clicks", 0) AS "Clicks",
                   COALESCE(b."HumanClicks", 0) AS "HumanClicks",
                   COALESCE(b."SuspectClicks", 0) AS "SuspectClicks",
                   COALESCE(b."BotClicks", 0) AS "BotClicks",
                   g."Gateway" AS "Gateway",
                   g."MxHosts" AS "MxHosts",
                   g."Error" AS "GatewayError",
                   g."CheckedAt" AS "GatewayCheckedAt",
                   b."LatestCampaignId" AS "LatestCampaignId"
            FROM (SELECT "Domain", COUNT(*) AS "Recipients" FROM "Recipients" WHERE "WorkspaceId" = {workspaceId} GROUP BY "Domain") r
            LEFT JOIN (
                SELECT x."Key" AS "Domain", SUM(x."Clickers") AS "Clickers", SUM(x."HumanClickers") AS "HumanClickers", SUM(x."Clicks") AS "Clicks",
                       SUM(x."HumanClicks") AS "HumanClicks", SUM(x."SuspectClicks") AS "SuspectClicks", SUM(x."BotClicks") AS "BotClicks",
                       MAX(x."CampaignId") AS "LatestCampaignId"
                FROM "CampaignBreakdowns" x JOIN "Campaigns" c ON c."Id" = x."CampaignId"
                WHERE c."WorkspaceId" = {workspaceId} AND x."Kind" = {(int)BreakdownKind.Domain}
                GROUP BY x."Key"
            ) b ON b."Domain" = r."Domain"
            LEFT JOIN "DomainGateways" g ON g."Domain" = r."Domain"
            """).ToListAsync(cancellationToken);
        return rows
            .OrderByDescending(r => r.BotClicks)
            .ThenByDescending(r => r.Clicks)
            .ThenByDescending(r => r.Recipients)
            .ThenBy(r => r.Domain, StringComparer.Ordinal)
            .ToList();
    }
}
