using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

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
        if (missing.Count == 0)
        {
            return;
        }
        // One prepared statement in one transaction: an old database may carry millions of events.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await using var update = db.Database.GetDbConnection().CreateCommand();
        update.Transaction = transaction.GetDbTransaction();
        update.CommandText = """UPDATE "Events" SET "IdHash" = @h WHERE "Id" = @id""";
        var hash = Import.EventWriter.AddParameter(update, "@h");
        var id = Import.EventWriter.AddParameter(update, "@id");
        await update.PrepareAsync(cancellationToken);
        foreach (var e in missing)
        {
            hash.Value = EmailEvent.IdHashOf(e.Source, e.ExternalId);
            id.Value = e.Id;
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Campaigns classified by another classifier version than this one (or before versions were kept per campaign): to classify again.</summary>
    public static async Task<List<int>> StaleCampaignsAsync(IDbContextFactory<ClickInsightsDbContext> factory, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.CampaignSummaries.Where(s => s.ClassifierVersion != Classification.ClickClassifier.Version).Select(s => s.CampaignId).ToListAsync(cancellationToken);
    }
}
