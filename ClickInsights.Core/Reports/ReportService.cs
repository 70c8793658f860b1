using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Reports;

/// <summary>The figures pages show, read from the stored summaries and verdicts (never from raw events in bulk).</summary>
public sealed class ReportService(IDbContextFactory<ClickInsightsDbContext> dbFactory)
{
    public async Task<IReadOnlyList<Workspace>> WorkspacesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Workspaces.AsNoTracking().OrderBy(w => w.Name).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CampaignRow>> CampaignsAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await (
            from c in db.Campaigns.AsNoTracking()
            where c.WorkspaceId == workspaceId
            join s in db.CampaignSummaries on c.Id equals s.CampaignId into summaries
            from s in summaries.DefaultIfEmpty()
            select new CampaignRow(
                c.Id, c.Name, c.Source, c.SentAt,
                s == null ? 0 : s.Delivered,
                s == null ? 0 : s.Clicks,
                s == null ? 0 : s.UniqueClickers,
                s == null ? 0 : s.HumanClickers,
                s == null ? 0 : s.HumanClicks,
                s == null ? 0 : s.SuspectClicks,
                s == null ? 0 : s.BotClicks))
            .ToListAsync(cancellationToken);
        return rows.OrderByDescending(r => r.SentAt ?? DateTime.MinValue).ThenBy(r => r.Name).ToList();
    }

    public async Task<CampaignDetail?> CampaignAsync(int campaignId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, cancellationToken);
        if (campaign is null)
        {
            return null;
        }
        var summary = await db.CampaignSummaries.AsNoTracking().FirstOrDefaultAsync(s => s.CampaignId == campaignId, cancellationToken) ?? new CampaignSummary();
        var row = new CampaignRow(campaign.Id, campaign.Name, campaign.Source, campaign.SentAt, summary.Delivered, summary.Clicks, summary.UniqueClickers,
            summary.HumanClickers, summary.HumanClicks, summary.SuspectClicks, summary.BotClicks);

        var linkCounts = await db.Database.SqlQuery<LinkCount>($"""
            SELECT e."LinkId" AS "LinkId", v."Verdict" AS "Verdict", COUNT(*) AS "Clicks"
            FROM "Events" e LEFT JOIN "ClickVerdicts" v ON v."EventId" = e."Id"
            WHERE e."CampaignId" = {campaignId} AND e."Type" = {(int)EventType.Click}
            GROUP BY e."LinkId", v."Verdict"
            """).ToListAsync(cancellationToken);
        var links = await db.CampaignLinks.AsNoTracking().Where(l => l.CampaignId == campaignId).ToListAsync(cancellationToken);
        var linkRows = links
            .Select(l =>
            {
                var counts = linkCounts.Where(c => c.LinkId == l.Id).ToList();
                return new LinkRow(l.Id, l.Url, l.Position,
                    counts.Sum(c => c.Clicks),
                    counts.Where(c => c.Verdict == (int)Verdict.Human).Sum(c => c.Clicks),
                    counts.Where(c => c.Verdict == (int)Verdict.Suspect).Sum(c => c.Clicks),
                    counts.Where(c => c.Verdict == (int)Verdict.Bot).Sum(c => c.Clicks));
            })
            .OrderBy(l => l.Position ?? int.MaxValue).ThenByDescending(l => l.RawClicks)
            .ToList();

        var reasonCodes = await db.ClickVerdicts.AsNoTracking()
            .Where(v => v.CampaignId == campaignId && v.Verdict != Verdict.Human)
            .GroupBy(v => v.ReasonCodes)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var reasons = reasonCodes
            .SelectMany(r => r.Key.Split(';', StringSplitOptions.RemoveEmptyEntries).Distinct().Select(code => (code, r.Count)))
            .GroupBy(r => r.code)
            .Select(g => new ReasonCount(g.Key, ReasonLabels.Of(g.Key), g.Sum(x => x.Count)))
            .OrderByDescending(r => r.Clicks)
            .ToList();

        var unavailable = summary.UnavailableSignals.Split(';', StringSplitOptions.RemoveEmptyEntries);
        return new CampaignDetail(row, linkRows, reasons, unavailable, summary.Opens, summary.Unsubscribes, campaign.WorkspaceId);
    }

    private sealed record LinkCount(int? LinkId, int? Verdict, int Clicks);
}
