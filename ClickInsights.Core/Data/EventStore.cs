using System.Data.Common;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Import;

namespace ClickInsights.Core.Data;

/// <summary>
/// The storage seam: the few operations that need an engine's fastest path (bulk event and verdict writes with their
/// dedupe, the large read of a campaign's events, a consistent snapshot for long reads). Everything else is EF Core
/// LINQ that every engine translates. One implementation per engine, chosen once per context from its provider
/// (<see cref="ClickInsightsDbContext.Store"/>); features never ask which engine they run on.
/// </summary>
internal abstract class EventStore
{
    /// <summary>Runs before the migrations are applied.</summary>
    public virtual Task BeforeMigrateAsync(ClickInsightsDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Settings the engine keeps in the database, set once its migrations are applied.</summary>
    public virtual Task AfterMigrateAsync(ClickInsightsDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Inside the context's transaction: waits for the workspace's running import to finish and keeps the next one out
    /// until the transaction ends (taking an import back, deleting the workspace). SQLite has one writer at a time anyway.
    /// </summary>
    public virtual Task LockWorkspaceAsync(ClickInsightsDbContext db, int workspaceId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Opens a writer for one file: one transaction, all or nothing, the same dedupe keys on every engine.</summary>
    /// <param name="only">The items that will be written, when known in advance (webhook batches): the writer reads only what they name.</param>
    public abstract Task<EventWriter> OpenWriterAsync(ClickInsightsDbContext db, int workspaceId, string fileName, string format, DateTime startedAt, long? expectedEvents, int? connectionId, CancellationToken cancellationToken, IReadOnlyList<ImportItem>? only = null);

    /// <summary>Reads a campaign's events (streamed, never a whole table) and the recipients they name.</summary>
    public abstract Task LoadCampaignEventsAsync(DbConnection connection, int campaignId, List<ClassifierEvent> events, Dictionary<int, (string Email, string Domain)> recipients, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="store"/> in a transaction that writes one campaign's classification, serialised with every
    /// other store of a classification, so that stores happen in the order of their checks.
    /// </summary>
    public abstract Task<bool> StoreClassificationAsync(DbConnection connection, Func<DbTransaction, Task<bool>> store, CancellationToken cancellationToken);

    /// <summary>Writes a campaign's verdicts (its old ones are deleted already), in the order of the event ids.</summary>
    public abstract Task WriteVerdictsAsync(DbTransaction transaction, int campaignId, long[] eventIds, Verdict[] verdicts, int[] scores, int[] reasonSets, CancellationToken cancellationToken);

    /// <summary>Inserts many rows of plain values (numbers, text, times) into one table, by the engine's fastest way.</summary>
    public abstract Task InsertRowsAsync(DbTransaction transaction, string table, string[] columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken);

    /// <summary>Makes the context's reads see one state of the store until the transaction ends.</summary>
    public abstract Task<DbTransaction?> SnapshotAsync(ClickInsightsDbContext db, CancellationToken cancellationToken);
}
