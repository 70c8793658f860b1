using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Data;

public static class DatabaseMigrator
{
    /// <summary>Creates the database if it is new and applies every pending migration.</summary>
    public static async Task MigrateAsync(IDbContextFactory<ClickInsightsDbContext> factory, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets the dashboard read while an import writes; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        await FillIdHashesAsync(db, cancellationToken);
    }

    /// <summary>Events stored before duplicates were found by hash get theirs (found through the index, so nothing is scanned when none lack it).</summary>
    private static async Task FillIdHashesAsync(ClickInsightsDbContext db, CancellationToken cancellationToken)
    {
        var workspaces = await db.Workspaces.Select(w => w.Id).ToListAsync(cancellationToken);
        var missing = await db.Events.Where(e => workspaces.Contains(e.WorkspaceId) && e.IdHash == 0)
            .Select(e => new { e.Id, e.Source, e.ExternalId }).ToListAsync(cancellationToken);
        foreach (var chunk in missing.Chunk(10_000))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var e in chunk)
            {
                var hash = EmailEvent.IdHashOf(e.Source, e.ExternalId);
                await db.Events.Where(x => x.Id == e.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IdHash, hash), cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>Campaigns classified by another classifier version than this one (or before versions were kept per campaign): to classify again.</summary>
    public static async Task<List<int>> StaleCampaignsAsync(IDbContextFactory<ClickInsightsDbContext> factory, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.CampaignSummaries.Where(s => s.ClassifierVersion != Classification.ClickClassifier.Version).Select(s => s.CampaignId).ToListAsync(cancellationToken);
    }
}
