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
            select new
            {
                Row = new CampaignRow(
                    c.Id, c.Name, c.Source, c.SentAt,
                    s == null ? 0 : s.Delivered,
                    s == null ? 0 : s.Clicks,
                    s == null ? 0 : s.UniqueClickers,
                    s == null ? 0 : s.HumanClickers,
                    s == null ? 0 : s.HumanClicks,
                    s == null ? 0 : s.SuspectClicks,
                    s == null ? 0 : s.BotClicks,
                    s != null && s.DeliveredByHand,
                    s == null ? null : s.FirstEventAt),
            })
            .ToListAsync(cancellationToken);
        // The last campaign is the one sent last: by its send time, else (a source without sends) by its first event.
        return rows.OrderByDescending(r => r.Row.SentOrFirstEventAt ?? DateTime.MinValue).ThenBy(r => r.Row.Name).Select(r => r.Row).ToList();
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
            summary.HumanClickers, summary.HumanClicks, summary.SuspectClicks, summary.BotClicks, summary.DeliveredByHand);

        var breakdowns = await db.CampaignBreakdowns.AsNoTracking()
            .Where(b => b.CampaignId == campaignId && (b.Kind == BreakdownKind.Link || b.Kind == BreakdownKind.Reason))
            .ToListAsync(cancellationToken);
        var byLink = breakdowns.Where(b => b.Kind == BreakdownKind.Link).ToDictionary(b => b.Key);
        var links = await db.CampaignLinks.AsNoTracking().Where(l => l.CampaignId == campaignId).ToListAsync(cancellationToken);
        var linkRows = links
            .Select(l => byLink.TryGetValue(l.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var b)
                ? new LinkRow(l.Id, l.Url, l.Position, b.Clicks, b.HumanClicks, b.SuspectClicks, b.BotClicks)
                : new LinkRow(l.Id, l.Url, l.Position, 0, 0, 0, 0))
            .OrderBy(l => l.Position ?? int.MaxValue).ThenByDescending(l => l.RawClicks)
            .ToList();
        var reasons = breakdowns.Where(b => b.Kind == BreakdownKind.Reason)
            .Select(b => new ReasonCount(b.Key, ReasonLabels.Of(b.Key), b.Clicks))
            .OrderByDescending(r => r.Clicks)
            .ToList();

        var unavailable = summary.UnavailableSignals.Split(';', StringSplitOptions.RemoveEmptyEntries);
        return new CampaignDetail(row, linkRows, reasons, unavailable, summary.Opens, summary.Unsubscribes, campaign.WorkspaceId);
    }
}
