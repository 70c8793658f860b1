using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ClickInsights.Core.Data;

public static class DatabaseMigrator
{
    /// <summary>The migration whose data step re-keys stored Constant Contact activities.</summary>
    public const string ConstantContactStableIds = "20261127030000_ConstantContactStableIds";

    /// <summary>Creates the database if it is new and applies every pending migration.</summary>
    public static async Task MigrateAsync(IDbContextFactory<ClickInsightsDbContext> factory, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Store.BeforeMigrateAsync(db, cancellationToken);
        // Only SQLite's set has migrations with a data step; PostgreSQL's history table is not asked for before it exists.
        var pending = db.Database.GetMigrations().Contains(ConstantContactStableIds)
            ? (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal)
            : [];
        await db.Database.MigrateAsync(cancellationToken);
        if (pending.Contains(ConstantContactStableIds))
        {
            await RekeyConstantContactActivitiesAsync(db, cancellationToken);
        }
        await db.Store.AfterMigrateAsync(db, cancellationToken);
        await FillIdHashesAsync(db, cancellationToken);
        await FillWebhookKeysAsync(db, cancellationToken);
    }

    /// <summary>Connections made before webhook addresses carried a random key get one (their old numbered address no longer answers).</summary>
    private static async Task FillWebhookKeysAsync(ClickInsightsDbContext db, CancellationToken cancellationToken)
    {
        var keyless = await db.Connections.Where(c => c.WebhookKey == null).ToListAsync(cancellationToken);
        foreach (var connection in keyless)
        {
            connection.WebhookKey = Providers.ConnectionService.NewWebhookKey();
        }
        if (keyless.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
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
        var prepared = false;
        foreach (var e in missing)
        {
            hash.Value = EmailEvent.IdHashOf(e.Source, e.ExternalId);
            id.Value = e.Id;
            if (!prepared)
            {
                // With the first row's values: PostgreSQL takes the parameters' types from them.
                await update.PrepareAsync(cancellationToken);
                prepared = true;
            }
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Gives stored Constant Contact activities the ids the reader gives now (their record without the contact's
    /// changing fields), from their raw records. Copies an older id made when a contact was renamed or deleted
    /// between two reads of a report are the same activity twice: the later copy is removed (its campaign is
    /// classified again, as every campaign is after a classifier change).
    /// </summary>
    private static async Task RekeyConstantContactActivitiesAsync(ClickInsightsDbContext db, CancellationToken cancellationToken)
    {
        var source = Import.ConstantContactReader.SourceName;
        var rows = await db.Events.AsNoTracking().Where(e => e.Source == source && e.RawBlockId != null).OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.WorkspaceId, e.ExternalId, e.RawBlockId, e.RawOffset, e.RawLength }).ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Prepared once: a workspace may hold hundreds of thousands of activities.
        await using var update = db.Database.GetDbConnection().CreateCommand();
        update.Transaction = transaction.GetDbTransaction();
        update.CommandText = """UPDATE "Events" SET "ExternalId" = @x, "IdHash" = @h WHERE "Id" = @id""";
        var (newId, newHash, updated) = (Import.EventWriter.AddParameter(update, "@x"), Import.EventWriter.AddParameter(update, "@h"), Import.EventWriter.AddParameter(update, "@id"));
        await update.PrepareAsync(cancellationToken);
        await using var delete = db.Database.GetDbConnection().CreateCommand();
        delete.Transaction = transaction.GetDbTransaction();
        delete.CommandText = """DELETE FROM "Events" WHERE "Id" = @id""";
        var deleted = Import.EventWriter.AddParameter(delete, "@id");
        await delete.PrepareAsync(cancellationToken);
        var seen = new HashSet<(int Workspace, string Id)>();
        (long Id, byte[] Records) block = (0, []);
        foreach (var row in rows)
        {
            if (block.Id != row.RawBlockId)
            {
                var stored = await db.RawBlocks.AsNoTracking().Where(b => b.Id == row.RawBlockId).Select(b => new { b.Data, b.Compressed }).FirstOrDefaultAsync(cancellationToken);
                block = (row.RawBlockId!.Value, stored is null ? [] : RawRecords.Unpack(stored.Data, stored.Compressed));
            }
            if (row.RawOffset + row.RawLength > block.Records.Length)
            {
                continue;
            }
            string id;
            try
            {
                using var record = System.Text.Json.JsonDocument.Parse(block.Records.AsMemory(row.RawOffset, row.RawLength));
                id = Import.ConstantContactReader.ActivityIdOf(record.RootElement);
            }
            catch (System.Text.Json.JsonException)
            {
                continue;
            }
            if (!seen.Add((row.WorkspaceId, id)))
            {
                // Its verdict goes with it (the foreign key cascades).
                deleted.Value = row.Id;
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            else if (id != row.ExternalId)
            {
                (newId.Value, newHash.Value, updated.Value) = (id, EmailEvent.IdHashOf(source, id), row.Id);
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Campaigns classified by another classifier version than this one (or before versions were kept per campaign): to classify again.</summary>
    /// <remarks>
    /// Also campaigns classified with other settings than their workspace's: a save whose recompute was cut short
    /// (an error, the app stopping) is finished at the next start.
    /// </remarks>
    public static async Task<List<int>> StaleCampaignsAsync(IDbContextFactory<ClickInsightsDbContext> factory, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var settingsHash = (await db.Workspaces.AsNoTracking().ToListAsync(cancellationToken))
            .ToDictionary(w => w.Id, w => Classification.ClassificationService.SettingsOf(w).Hash());
        var summaries = await (
            from s in db.CampaignSummaries.AsNoTracking()
            join c in db.Campaigns on s.CampaignId equals c.Id
            select new { s.CampaignId, c.WorkspaceId, s.ClassifierVersion, s.SettingsHash }).ToListAsync(cancellationToken);
        return summaries
            .Where(s => s.ClassifierVersion != Classification.ClickClassifier.Version || s.SettingsHash != settingsHash.GetValueOrDefault(s.WorkspaceId))
            .Select(s => s.CampaignId)
            .ToList();
    }
}
