using System.Data;
using System.Data.Common;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Import;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ClickInsights.Core.Data;

/// <summary>SQLite's fast paths: prepared statements bound through SQLite's own API, one writer at a time.</summary>
internal sealed class SqliteEventStore : EventStore
{
    public static readonly SqliteEventStore Instance = new();

    private SqliteEventStore()
    {
    }

    /// <summary>WAL lets the dashboard read while an import writes; the setting is stored in the file.</summary>
    public override Task AfterMigrateAsync(ClickInsightsDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

    public override async Task<EventWriter> OpenWriterAsync(ClickInsightsDbContext db, int workspaceId, string fileName, string format, DateTime startedAt, long? expectedEvents, int? connectionId, CancellationToken cancellationToken, IReadOnlyList<ImportItem>? only = null)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        return await SqliteEventWriter.OpenAsync(connection, workspaceId, fileName, format, startedAt, expectedEvents, connectionId, cancellationToken, only);
    }

    /// <summary>
    /// A campaign's events as the classifier reads them, and their recipients, through SQLite's own API: a campaign
    /// of a million events is read in about a second. Each user agent's and recipient's text is read once.
    /// </summary>
    public override Task LoadCampaignEventsAsync(DbConnection connection, int campaignId, List<ClassifierEvent> events, Dictionary<int, (string Email, string Domain)> recipients, CancellationToken cancellationToken)
    {
        var sqlite = (SqliteConnection)connection;
        var agents = new Dictionary<long, string?>();
        using var agentOf = new SqliteStatement(sqlite, """SELECT "Value" FROM "UserAgents" WHERE "Id" = ?""");
        using var recipientOf = new SqliteStatement(sqlite, """SELECT "Email", "Domain" FROM "Recipients" WHERE "Id" = ?""");
        // The campaign's first and last event and how many it has, from the index.
        long first, last, count;
        using (var range = new SqliteStatement(sqlite, """SELECT min("Id"), max("Id"), count(*) FROM "Events" WHERE "CampaignId" = ?"""))
        {
            range.Bind(1, campaignId);
            range.Step();
            (first, last, count) = range.IsNull(0) ? (1, 0, 0) : (range.Int64(0), range.Int64(1), range.Int64(2));
            range.Reset();
        }
        // Sized once: growing a list of a million events would leave every smaller copy behind as garbage.
        events.Capacity = (int)count;
        // When most rows between them are the campaign's (one import, or a few), they are read along the table, a page
        // at a time; a campaign spread thin over the table (webhooks over weeks, among other campaigns) through the
        // index instead, so it never costs a scan of everything stored in between. Both give clicks in time order,
        // ties by id, so the verdicts are the same either way.
        var alongTable = count * 4 >= last - first + 1;
        using var query = new SqliteStatement(sqlite, alongTable
            ? """
              SELECT "Id", "RecipientId", "Type", "OccurredAtMs", "LinkId", "Ip", "UserAgentId", "ProviderBotFlag"
              FROM "Events" NOT INDEXED WHERE "Id" BETWEEN ? AND ? AND "CampaignId" = ?
              """
            : """
              SELECT "Id", "RecipientId", "Type", "OccurredAtMs", "LinkId", "Ip", "UserAgentId", "ProviderBotFlag"
              FROM "Events" WHERE "CampaignId" = ?
              """);
        if (alongTable)
        {
            query.Bind(1, first).Bind(2, last).Bind(3, campaignId);
        }
        else
        {
            query.Bind(1, campaignId);
        }
        while (query.Step())
        {
            if ((events.Count & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            // Each column read once: every read is a call into SQLite. A missing link or agent reads as 0 (ids start at 1).
            var agentId = query.Int64(6);
            string? agent = null;
            if (agentId != 0 && !agents.TryGetValue(agentId, out agent))
            {
                agentOf.Bind(1, agentId);
                agent = agentOf.Step() ? agentOf.Text(0) : null;
                agentOf.Reset();
                agents[agentId] = agent;
            }
            var recipient = (int)query.Int64(1);
            if (!recipients.ContainsKey(recipient))
            {
                recipientOf.Bind(1, recipient);
                recipients[recipient] = recipientOf.Step() ? (recipientOf.Text(0), recipientOf.Text(1)) : ("", "");
                recipientOf.Reset();
            }
            events.Add(new ClassifierEvent(
                query.Int64(0),
                recipient,
                (EventType)query.Int64(2),
                query.Int64(3),
                (int)query.Int64(4),
                query.TextOrNull(5),
                agent,
                query.TextOrNull(7)));
        }
        return Task.CompletedTask;
    }

    public override async Task<bool> StoreClassificationAsync(DbConnection connection, Func<DbTransaction, Task<bool>> store, CancellationToken cancellationToken)
    {
        // Every verdict's event is one of the campaign's, read from the store or just stored by an import: checking
        // each row's foreign key would cost a lookup per click. The campaign is checked once instead, in the transaction.
        // (The setting cannot change inside a transaction, and the connection goes back to the pool with it on.)
        await SetForeignKeysAsync(connection, false, cancellationToken);
        try
        {
            // Takes the write lock at once (SQLite's BEGIN IMMEDIATE): a decision saved after the caller's checks is
            // saved after this commit, and its own recompute then stores after this one.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return await store(transaction);
        }
        finally
        {
            await SetForeignKeysAsync(connection, true, CancellationToken.None);
        }
    }

    private static async Task SetForeignKeysAsync(DbConnection connection, bool on, CancellationToken cancellationToken)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }

    public override Task WriteVerdictsAsync(DbTransaction transaction, int campaignId, long[] eventIds, Verdict[] verdicts, int[] scores, int[] reasonSets, CancellationToken cancellationToken)
    {
        using var insert = new SqliteStatement((SqliteConnection)transaction.Connection!, """
            INSERT INTO "ClickVerdicts" ("EventId", "CampaignId", "Verdict", "Score", "ReasonSet") VALUES (?, ?, ?, ?, ?)
            """);
        insert.Bind(2, campaignId);
        for (int k = 0; k < eventIds.Length; k++)
        {
            insert.Bind(1, eventIds[k]).Bind(3, (int)verdicts[k]).Bind(4, scores[k]).Bind(5, reasonSets[k]).Execute();
        }
        return Task.CompletedTask;
    }

    /// <summary>One prepared statement, run per row (in-process: no round trip to save).</summary>
    public override async Task InsertRowsAsync(DbTransaction transaction, string table, string[] columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var insert = transaction.Connection!.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"""INSERT INTO "{table}" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})""";
        var parameters = EventWriter.AddParameters(insert, columns.Select((_, i) => $"@p{i}").ToArray());
        await insert.PrepareAsync(cancellationToken);
        foreach (var values in rows)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>A read transaction: SQLite's log keeps it apart from writers, and it takes no lock until the first read.</summary>
    public override async Task<DbTransaction?> SnapshotAsync(ClickInsightsDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var transaction = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
        await db.Database.UseTransactionAsync(transaction, cancellationToken);
        return transaction;
    }
}

/// <summary>
/// Writes events with prepared statements bound through SQLite's own API (its fastest path). Duplicates are found by
/// a 64-bit hash of source and event id and confirmed against the stored row.
/// </summary>
/// <remarks>
/// A large file into a small table goes the bulk way on SQLite: inside the same transaction the indexes of
/// <c>Events</c> are dropped, rows are appended without index upkeep, duplicates are found by a hash of their ids
/// (checked exactly against the stored row on a hit), and the indexes are rebuilt from their own stored SQL at the
/// end, which sorts once instead of inserting a million keys at random places. A failure or cancel rolls all of it
/// back, indexes included; readers keep seeing the previous state until the commit.
/// </remarks>
internal sealed class SqliteEventWriter : EventWriter
{
    private readonly BulkState? _bulk;
    private readonly SqliteConnection _connection;
    private readonly SqliteStatement _insertEvent;
    private readonly SqliteStatement _findByHash;
    private readonly SqliteStatement _insertBlock;
    private SqliteStatement? _checkStored;
    private long? _firstRowId;
    private DbCommand? _insertRecipient;
    private long _nextBlockId;

    private SqliteEventWriter(SqliteConnection connection, DbTransaction transaction, int workspaceId, BulkState? bulk)
        : base(connection, transaction, workspaceId)
    {
        _connection = connection;
        _bulk = bulk;
        if (bulk is not null)
        {
            PackOnThread();
        }
        _insertEvent = new SqliteStatement(connection, """
            INSERT INTO "Events" ("WorkspaceId", "CampaignId", "RecipientId", "Type", "OccurredAtMs", "LinkId", "Ip", "UserAgentId", "ProviderBotFlag",
                "Source", "ExternalId", "IdHash", "ImportId", "RawBlockId", "RawOffset", "RawLength")
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """);
        _insertEvent.Bind(1, workspaceId);
        _findByHash = new SqliteStatement(connection, """SELECT "Source", "ExternalId", "Id" FROM "Events" WHERE "WorkspaceId" = ? AND "IdHash" = ?""");
        _findByHash.Bind(1, workspaceId);
        _insertBlock = new SqliteStatement(connection, """INSERT INTO "RawBlocks" ("Id", "WorkspaceId", "Data", "Compressed") VALUES (?, ?, ?, 1)""");
        _insertBlock.Bind(2, workspaceId);
    }

    /// <param name="expectedEvents">About how many events the file holds (from its size), to choose the bulk way; null when unknown.</param>
    /// <param name="connectionId">The provider connection the events come from (a sync or a webhook); null for a file.</param>
    public static async Task<SqliteEventWriter> OpenAsync(SqliteConnection connection, int workspaceId, string fileName, string format, DateTime startedAt, long? expectedEvents, int? connectionId, CancellationToken cancellationToken, IReadOnlyList<ImportItem>? only = null)
    {
        var bulk = await BulkState.StartAsync(connection, workspaceId, expectedEvents, cancellationToken);
        DbTransaction? transaction = null;
        SqliteEventWriter? writer = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken);
            writer = new SqliteEventWriter(connection, transaction, workspaceId, bulk);
            await writer.StartAsync(fileName, format, startedAt, connectionId, cancellationToken, only);
            await using (var nextBlock = writer.Command("""SELECT coalesce(max("Id"), 0) + 1 FROM "RawBlocks" """))
            {
                writer._nextBlockId = Convert.ToInt64(await nextBlock.ExecuteScalarAsync(cancellationToken));
            }
            writer._insertEvent.Bind(13, writer.ImportId);
            if (bulk is not null)
            {
                await bulk.DropIndexesAsync(connection, transaction, cancellationToken);
            }
            return writer;
        }
        catch
        {
            // Cancelled or failed while opening: nothing stays, and the pooled connection gets its settings back
            // (foreign keys among them, which deleting a workspace relies on).
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
            else
            {
                if (transaction is not null)
                {
                    await transaction.DisposeAsync();
                }
                if (bulk is not null)
                {
                    await bulk.RestoreAsync(connection);
                }
            }
            throw;
        }
    }

    public override void Write(NormalizedEvent e)
    {
        var (campaignId, recipientId, linkId, userAgentId) = References(e);
        var hash = EmailEvent.IdHashOf(e.Source, e.ExternalId);
        if (_bulk is not null ? _bulk.Ids.TryGet(hash, out var stored) && IsStored(stored, e.Source, e.ExternalId) : IsStoredWithHash(hash, e.Source, e.ExternalId, out stored))
        {
            // Rows of this import have the highest ids (one writer at a time): the file repeats its own id.
            if (_firstRowId is { } first && stored >= first)
            {
                RepeatsInFile++;
            }
            return;
        }
        var raw = e.RawUtf8.Span;
        var (block, offset) = AppendRaw(raw);
        _insertEvent
            .Bind(2, campaignId)
            .Bind(3, recipientId)
            .Bind(4, (int)e.Type)
            .Bind(5, e.OccurredAtMs)
            .Bind(6, linkId)
            .Bind(7, e.Ip)
            .Bind(8, userAgentId)
            .Bind(9, e.ProviderBotFlag)
            .Bind(10, e.Source)
            .Bind(11, e.ExternalId)
            .Bind(12, hash)
            .Bind(14, block)
            .Bind(15, offset)
            .Bind(16, raw.Length)
            .Execute();
        var rowId = _insertEvent.LastInsertRowId;
        _firstRowId ??= rowId;
        TouchedCampaigns.Add(campaignId);
        Added++;
        if (e.Type == EventType.Click)
        {
            Clicks++;
        }
        // On a (rare) collision of two different ids the first keeps the slot; the second was still stored.
        _bulk?.Ids.TryAdd(hash, rowId);
    }

    protected override long NextBlockId() => _nextBlockId++;

    protected override void StoreBlock(long id, byte[] packed) => _insertBlock.Bind(1, id).BindBlob(3, packed).Execute();

    protected override int InsertRecipient(string email, string domain)
    {
        // Prepared once: a file may bring a hundred thousand new recipients.
        if (_insertRecipient is null)
        {
            _insertRecipient = Command("""INSERT INTO "Recipients" ("WorkspaceId", "Email", "Domain") VALUES (@w, @e, @d) RETURNING "Id" """);
            AddParameter(_insertRecipient, "@w").Value = WorkspaceId;
            AddParameter(_insertRecipient, "@e");
            AddParameter(_insertRecipient, "@d");
            _insertRecipient.Prepare();
        }
        _insertRecipient.Parameters[1].Value = email;
        _insertRecipient.Parameters[2].Value = domain;
        return Convert.ToInt32(_insertRecipient.ExecuteScalar());
    }

    protected override async Task SaveEventsAsync(CancellationToken cancellationToken)
    {
        if (_bulk is not null)
        {
            // A duplicate the hashes missed would fail the unique index here and roll everything back.
            await _bulk.RebuildIndexesAsync(_connection, Transaction, cancellationToken);
        }
    }

    /// <summary>Whether the row with this id holds exactly this source and external id (a hash hit is checked, never trusted).</summary>
    private bool IsStored(long rowId, string source, string externalId)
    {
        _checkStored ??= new SqliteStatement(_connection, """SELECT "Source", "ExternalId" FROM "Events" WHERE "Id" = ?""");
        _checkStored.Bind(1, rowId);
        var found = _checkStored.Step() && _checkStored.Text(0) == source && _checkStored.Text(1) == externalId;
        _checkStored.Reset();
        return found;
    }

    /// <summary>Whether an event with this hash, source and external id is stored in the workspace (the way of small imports, through the index).</summary>
    private bool IsStoredWithHash(long hash, string source, string externalId, out long rowId)
    {
        _findByHash.Bind(2, hash);
        rowId = 0;
        while (_findByHash.Step())
        {
            if (_findByHash.Text(0) == source && _findByHash.Text(1) == externalId)
            {
                rowId = _findByHash.Int64(2);
                _findByHash.Reset();
                return true;
            }
        }
        return false;
    }

    public override async ValueTask DisposeAsync()
    {
        _insertEvent.Dispose();
        _findByHash.Dispose();
        _insertBlock.Dispose();
        _checkStored?.Dispose();
        if (_insertRecipient is not null)
        {
            await _insertRecipient.DisposeAsync();
        }
        await base.DisposeAsync();
        if (_bulk is not null)
        {
            await _bulk.RestoreAsync(_connection);
        }
    }

    /// <summary>The bulk way's state: the connection settings to restore, the dropped indexes, and the hashes of stored ids.</summary>
    private sealed class BulkState
    {
        /// <summary>Below this many events the usual way (index upkeep per row) is as fast.</summary>
        private const long MinimumEvents = 50_000;

        private readonly List<string> _indexes = [];
        private long _synchronous;
        private long _cacheSize;
        private long _autoCheckpoint;

        /// <summary>Hash of source and external id → the row that holds it.</summary>
        public IdHashTable Ids { get; } = new();

        public static async Task<BulkState?> StartAsync(DbConnection connection, int workspaceId, long? expectedEvents, CancellationToken cancellationToken)
        {
            if (connection is not SqliteConnection || expectedEvents is not { } expected || expected < MinimumEvents)
            {
                return null;
            }
            // Rebuilding an index reads the whole table: worth it only when the file is at least as large as what is stored.
            var stored = Convert.ToInt64(await ScalarAsync(connection, null, """SELECT coalesce(max("Id"), 0) FROM "Events" """, cancellationToken));
            if (expected < stored)
            {
                return null;
            }
            var bulk = new BulkState
            {
                _synchronous = Convert.ToInt64(await ScalarAsync(connection, null, "PRAGMA synchronous", cancellationToken)),
                _cacheSize = Convert.ToInt64(await ScalarAsync(connection, null, "PRAGMA cache_size", cancellationToken)),
                _autoCheckpoint = Convert.ToInt64(await ScalarAsync(connection, null, "PRAGMA wal_autocheckpoint", cancellationToken)),
            };
            // Foreign keys cannot change inside a transaction; every id written here comes from this transaction or a row read in it.
            // A crash loses at most this uncommitted import: the commit itself is the last step. A 16 MB cache writes as
            // fast as 32 MB here (measured), and the import's peak memory is 17 MB lower. The commit does not copy
            // the log into the database (half a second for a million events): the next commit of the classification does,
            // while the next campaign is being classified.
            await ScalarAsync(connection, null, "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384; PRAGMA threads = 2; PRAGMA wal_autocheckpoint = 0;", cancellationToken);

            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = """SELECT "IdHash", "Id" FROM "Events" WHERE "WorkspaceId" = @w""";
                EventWriter.SetParameter(command, "@w", workspaceId);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    bulk.Ids.TryAdd(reader.GetInt64(0), reader.GetInt64(1));
                }
            }
            catch
            {
                await bulk.RestoreAsync(connection);
                throw;
            }
            return bulk;
        }

        public async Task DropIndexesAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
        {
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = """SELECT "name", "sql" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Events' AND sql IS NOT NULL""";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                var names = new List<string>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    names.Add(reader.GetString(0));
                    _indexes.Add(reader.GetString(1));
                }
                await reader.DisposeAsync();
                foreach (var name in names)
                {
                    await ScalarAsync(connection, transaction, $"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken);
                }
            }
        }

        public async Task RebuildIndexesAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
        {
            foreach (var sql in _indexes)
            {
                await ScalarAsync(connection, transaction, sql, cancellationToken);
            }
        }

        public async Task RestoreAsync(DbConnection connection)
        {
            await ScalarAsync(connection, null, $"PRAGMA foreign_keys = ON; PRAGMA synchronous = {_synchronous}; PRAGMA cache_size = {_cacheSize}; PRAGMA threads = 0; PRAGMA wal_autocheckpoint = {_autoCheckpoint};", CancellationToken.None);
        }

        private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(cancellationToken);
        }
    }
}
