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

/// <summary>A domain's clicks in one campaign, split by verdict (from the campaign's stored breakdown).</summary>
public sealed record DomainCampaignRow(int CampaignId, string CampaignName, DateTime? SentAt, int Clicks, int HumanClicks, int SuspectClicks, int BotClicks, int Clickers, int HumanClickers)
{
    public double BotShare => Clicks == 0 ? 0 : (double)BotClicks / Clicks;
}

/// <summary>
/// Everything about one recipient domain across the workspace's campaigns: its gateway, its clicks campaign by
/// campaign, its recipients who clicked, and the person's decision about the whole domain if there is one.
/// </summary>
/// <param name="Recipients">How many of the workspace's recipients are at the domain.</param>
/// <param name="Clickers">The recipients who clicked, most clicks first (at most <see cref="DomainReport.MaxClickers"/>).</param>
/// <param name="ClickersTotal">How many recipients at the domain clicked as the provider reports it, listed or not.</param>
/// <param name="HumanClickersTotal">How many of them clicked at least once as a person.</param>
public sealed record DomainDetail(
    string Domain,
    int Recipients,
    string? Gateway,
    string? MxHosts,
    string? GatewayError,
    DateTime? GatewayCheckedAt,
    IReadOnlyList<DomainCampaignRow> Campaigns,
    IReadOnlyList<RecipientClicks> Clickers,
    int ClickersTotal,
    int HumanClickersTotal,
    VerdictOverride? Decision)
{
    public int Clicks => Campaigns.Sum(c => c.Clicks);
    public int HumanClicks => Campaigns.Sum(c => c.HumanClicks);
    public int SuspectClicks => Campaigns.Sum(c => c.SuspectClicks);
    public int BotClicks => Campaigns.Sum(c => c.BotClicks);
    public double BotShare => Clicks == 0 ? 0 : (double)BotClicks / Clicks;
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
                   g."CheckedAt" AS "GatewayCheckedAt"
            FROM (SELECT "Domain", COUNT(*) AS "Recipients" FROM "Recipients" WHERE "WorkspaceId" = {workspaceId} GROUP BY "Domain") r
            LEFT JOIN (
                SELECT x."Key" AS "Domain", SUM(x."Clickers") AS "Clickers", SUM(x."HumanClickers") AS "HumanClickers", SUM(x."Clicks") AS "Clicks",
                       SUM(x."HumanClicks") AS "HumanClicks", SUM(x."SuspectClicks") AS "SuspectClicks", SUM(x."BotClicks") AS "BotClicks"
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

    /// <summary>How many of a domain's clickers its page lists (a large provider's domain can have thousands).</summary>
    public const int MaxClickers = 200;

    /// <summary>One domain of a workspace across its campaigns; null when no recipient of the workspace is at it.</summary>
    public async Task<DomainDetail?> DomainAsync(int workspaceId, string domain, CancellationToken cancellationToken = default)
    {
        // Domains are stored in lower case; a link or a person may not write them so.
        domain = domain.Trim().ToLowerInvariant();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var atDomain = db.Recipients.AsNoTracking().Where(r => r.WorkspaceId == workspaceId && r.Domain == domain);
        var recipients = await atDomain.CountAsync(cancellationToken);
        if (recipients == 0)
        {
            return null;
        }
        var gateway = await db.DomainGateways.AsNoTracking().FirstOrDefaultAsync(g => g.Domain == domain, cancellationToken);
        // From the campaigns' stored breakdowns: the same figures as each campaign's domain table.
        var campaigns = await (
            from b in db.CampaignBreakdowns.AsNoTracking()
            join c in db.Campaigns on b.CampaignId equals c.Id
            where c.WorkspaceId == workspaceId && b.Kind == BreakdownKind.Domain && b.Key == domain
            select new DomainCampaignRow(c.Id, c.Name, c.SentAt, b.Clicks, b.HumanClicks, b.SuspectClicks, b.BotClicks, b.Clickers, b.HumanClickers))
            .ToListAsync(cancellationToken);
        // The domain's clicks, recipient by recipient: from the recipients' index to each one's events (not a scan of every click).
        var events = from r in atDomain join e in db.Events on r.Id equals e.RecipientId select e;
        var clickers = await ClickReports.ClicksByRecipient(db, events).ToListAsync(cancellationToken);
        var decision = await db.Overrides.AsNoTracking()
            .FirstOrDefaultAsync(o => o.WorkspaceId == workspaceId && o.Scope == OverrideScope.Domain && o.Key == domain, cancellationToken);
        return new DomainDetail(
            domain,
            recipients,
            gateway?.Gateway,
            gateway?.MxHosts,
            gateway?.Error,
            gateway?.CheckedAt,
            campaigns.OrderByDescending(c => c.SentAt ?? DateTime.MinValue).ThenByDescending(c => c.CampaignId).ToList(),
            clickers.OrderByDescending(c => c.Clicks).ThenBy(c => c.Email, StringComparer.Ordinal).Take(MaxClickers).ToList(),
            clickers.Count,
            clickers.Count(c => c.ClickedAsPerson),
            decision);
    }
}
