using System.Data;
using System.Data.Common;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Import;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ClickInsights.Core.Data;

/// <summary>
/// PostgreSQL's fast paths: binary <c>COPY</c> for bulk writes (events through a staging table, deduplicated on the
/// way into <c>Events</c>), streamed reads, and advisory locks where SQLite's single writer gave the order for free.
/// </summary>
internal sealed class PostgresEventStore : EventStore
{
    public static readonly PostgresEventStore Instance = new();

    /// <summary>First key of the advisory locks taken per workspace (imports) and per campaign (stored classifications).</summary>
    internal const int ImportLock = 0x43490001, ClassificationLock = 0x43490002;

    private PostgresEventStore()
    {
    }

    /// <summary>
    /// The migrations' history table, as EF Core makes it, when missing: EF Core reads it before making it on a new
    /// PostgreSQL database, and logs that failed read as an error an operator would take for a fault.
    /// </summary>
    public override Task BeforeMigrateAsync(ClickInsightsDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync("""
            CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" ("MigrationId" character varying(150) NOT NULL, "ProductVersion" character varying(32) NOT NULL,
                CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId"))
            """, cancellationToken);

    /// <summary>The lock each import of the workspace holds: without it, an import could commit events for a recipient or a workspace deleted meanwhile.</summary>
    public override Task LockWorkspaceAsync(ClickInsightsDbContext db, int workspaceId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ImportLock}, {workspaceId})", cancellationToken);

    public override async Task<EventWriter> OpenWriterAsync(ClickInsightsDbContext db, int workspaceId, string fileName, string format, DateTime startedAt, long? expectedEvents, int? connectionId, CancellationToken cancellationToken, IReadOnlyList<ImportItem>? only = null)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        return await PostgresEventWriter.OpenAsync(connection, workspaceId, fileName, format, startedAt, expectedEvents, connectionId, cancellationToken, only);
    }

    public override async Task LoadCampaignEventsAsync(DbConnection connection, int campaignId, List<ClassifierEvent> events, Dictionary<int, (string Email, string Domain)> recipients, CancellationToken cancellationToken)
    {
        // The rows stream from the server (Npgsql reads them as they come); the classifier orders clicks by time, ties
        // by id, so the order they arrive in does not change a verdict.
        var agentIds = new HashSet<int>();
        // Sized once (from the campaign's index): growing lists of a million events would leave every smaller copy behind as garbage.
        await using (var count = connection.CreateCommand())
        {
            count.CommandText = """SELECT count(*) FROM "Events" WHERE "CampaignId" = @c""";
            EventWriter.SetParameter(count, "@c", campaignId);
            events.Capacity = (int)Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken));
        }
        // Each event's agent id, its text filled in below once per distinct agent.
        var agentOf = new List<int>(events.Capacity);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT "Id", "RecipientId", "Type", "OccurredAtMs", "LinkId", "Ip", "UserAgentId", "ProviderBotFlag"
                FROM "Events" WHERE "CampaignId" = @c
                """;
            EventWriter.SetParameter(command, "@c", campaignId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var agentId = reader.IsDBNull(6) ? 0 : reader.GetInt32(6);
                if (agentId != 0)
                {
                    agentIds.Add(agentId);
                }
                agentOf.Add(agentId);
                var recipient = reader.GetInt32(1);
                recipients.TryAdd(recipient, ("", ""));
                events.Add(new ClassifierEvent(
                    reader.GetInt64(0),
                    recipient,
                    (EventType)reader.GetInt32(2),
                    reader.GetInt64(3),
                    reader.IsDBNull(4) ? 0 : reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    null,
                    reader.IsDBNull(7) ? null : reader.GetString(7)));
            }
        }
        var agents = new Dictionary<int, string>();
        await ReadByIdsAsync(connection, """SELECT "Id", "Value" FROM "UserAgents" WHERE "Id" = ANY(@ids)""", agentIds.ToArray(),
            reader => agents[reader.GetInt32(0)] = reader.GetString(1), cancellationToken);
        await ReadByIdsAsync(connection, """SELECT "Id", "Email", "Domain" FROM "Recipients" WHERE "Id" = ANY(@ids)""", recipients.Keys.ToArray(),
            reader => recipients[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2)), cancellationToken);
        if (agentIds.Count == 0)
        {
            return;
        }
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(events);
        for (int i = 0; i < span.Length; i++)
        {
            if (agentOf[i] != 0)
            {
                span[i] = span[i] with { UserAgent = agents.GetValueOrDefault(agentOf[i]) };
            }
        }
    }

    private static async Task ReadByIdsAsync(DbConnection connection, string sql, int[] ids, Action<DbDataReader> read, CancellationToken cancellationToken)
    {
        foreach (var chunk in ids.Chunk(100_000))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.Add(new NpgsqlParameter<int[]>("ids", chunk));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                read(reader);
            }
        }
    }

    public override async Task<bool> StoreClassificationAsync(DbConnection connection, Func<DbTransaction, Task<bool>> store, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Every store of a classification takes one lock, as SQLite's writer lock does: a store that checked its
        // stamps commits before the next one checks, so a decision's own recompute always stores last.
        await using (var lockCommand = connection.CreateCommand())
        {
            lockCommand.Transaction = transaction;
            lockCommand.CommandText = "SELECT pg_advisory_xact_lock(@k)";
            lockCommand.Parameters.Add(new NpgsqlParameter<int>("k", ClassificationLock));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        return await store(transaction);
    }

    public override Task WriteVerdictsAsync(DbTransaction transaction, int campaignId, long[] eventIds, Verdict[] verdicts, int[] scores, int[] reasonSets, CancellationToken cancellationToken)
    {
        // Written synchronously: COPY fills a buffer and sends it when full, and an await per value costs more than the row.
        using var copy = ((NpgsqlConnection)transaction.Connection!).BeginBinaryImport("""
            COPY "ClickVerdicts" ("EventId", "CampaignId", "Verdict", "Score", "ReasonSet") FROM STDIN (FORMAT BINARY)
            """);
        for (int k = 0; k < eventIds.Length; k++)
        {
            if ((k & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            copy.StartRow();
            copy.Write(eventIds[k], NpgsqlDbType.Bigint);
            copy.Write(campaignId, NpgsqlDbType.Integer);
            copy.Write((int)verdicts[k], NpgsqlDbType.Integer);
            copy.Write(scores[k], NpgsqlDbType.Integer);
            copy.Write(reasonSets[k], NpgsqlDbType.Integer);
        }
        copy.Complete();
        return Task.CompletedTask;
    }

    /// <summary>Binary COPY: one round trip for all the rows instead of one each.</summary>
    public override Task InsertRowsAsync(DbTransaction transaction, string table, string[] columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        using var copy = ((NpgsqlConnection)transaction.Connection!).BeginBinaryImport(
            $"""COPY "{table}" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)""");
        foreach (var values in rows)
        {
            copy.StartRow();
            foreach (var value in values)
            {
                switch (value)
                {
                    case null: copy.WriteNull(); break;
                    case int i: copy.Write(i, NpgsqlDbType.Integer); break;
                    case long l: copy.Write(l, NpgsqlDbType.Bigint); break;
                    case string text: copy.Write(text, NpgsqlDbType.Text); break;
                    case bool b: copy.Write(b, NpgsqlDbType.Boolean); break;
                    case DateTime time: copy.Write(DateTime.SpecifyKind(time, DateTimeKind.Utc), NpgsqlDbType.TimestampTz); break;
                    default: throw new ArgumentException($"No COPY type for {value.GetType().Name} (column of {table}).", nameof(rows));
                }
            }
        }
        copy.Complete();
        return Task.CompletedTask;
    }

    /// <summary>A repeatable-read transaction: every read of it sees the state of its first read.</summary>
    public override async Task<DbTransaction?> SnapshotAsync(ClickInsightsDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var transaction = await db.Database.GetDbConnection().BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await db.Database.UseTransactionAsync(transaction, cancellationToken);
        return transaction;
    }
}

/// <summary>
/// Writes events with binary <c>COPY</c>, a chunk at a time, one transaction per file; imports into one workspace take
/// turns (an advisory lock), imports into different workspaces run side by side. Event, recipient and raw block ids
/// are drawn from their sequences in batches, so nothing waits for a round trip per row. Duplicates are found by the
/// same keys as on SQLite (workspace, source and event id, through the id hash), two ways:
/// <list type="bullet">
/// <item>a large file into a workspace holding fewer events (the bulk way): the workspace's id hashes are read into
/// memory, a hit is checked exactly against the stored row, and rows are copied straight into <c>Events</c>;</item>
/// <item>otherwise (a sync's page, a webhook batch into a large workspace): rows are copied into a staging table and
/// moved into <c>Events</c> in one statement that leaves out those stored already and repeats within the file.</item>
/// </list>
/// </summary>
internal sealed class PostgresEventWriter : EventWriter
{
    /// <summary>From this many events (expected from the file's size) a file is large enough for the bulk way.</summary>
    private const long BulkMinimumEvents = 50_000;
    private const int ChunkSize = 16_384;
    private const int IdBatch = 4_096;

    private const string EventColumns = """
        "Id", "CampaignId", "RecipientId", "Type", "OccurredAtMs", "LinkId", "Ip", "UserAgentId", "ProviderBotFlag",
        "Source", "ExternalId", "IdHash", "RawBlockId", "RawOffset", "RawLength"
        """;

    private readonly NpgsqlConnection _connection;
    private readonly PendingEvent[] _chunk = new PendingEvent[ChunkSize];
    private int _chunkCount;
    private readonly List<(int Id, string Email, string Domain)> _newRecipients = [];
    private readonly List<(long Id, byte[] Packed)> _newBlocks = [];
    private readonly Queue<long> _recipientIds = new();
    private readonly Queue<long> _eventIds = new();
    private long? _firstId;
    private readonly Queue<long> _blockIds = new();
    /// <summary>Id hashes: on the bulk way every stored event's and this file's (hash → event id); else this file's only (hash → its place).</summary>
    private readonly IdHashTable _hashes = new();
    private bool _bulk;
    private bool _fileRepeats;
    private bool _workspaceHasEvents;
    private int _staged;
    private NpgsqlConnection? _agentConnection;
    private string _eventSequence = "";
    private string _recipientSequence = "";
    /// <summary>How many events the file is expected to hold: ids are drawn no more than a chunk ahead of that.</summary>
    private long? _expected;

    private PostgresEventWriter(NpgsqlConnection connection, DbTransaction transaction, int workspaceId)
        : base(connection, transaction, workspaceId)
    {
        _connection = connection;
    }

    private record struct PendingEvent(long Id, int Campaign, int Recipient, int Type, long At, int? Link, string? Ip, int? Agent, string? BotFlag,
        string Source, string ExternalId, long Hash, long Block, int Offset, int Length);

    public static async Task<PostgresEventWriter> OpenAsync(NpgsqlConnection connection, int workspaceId, string fileName, string format, DateTime startedAt, long? expectedEvents, int? connectionId, CancellationToken cancellationToken, IReadOnlyList<ImportItem>? only = null)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var writer = new PostgresEventWriter(connection, transaction, workspaceId) { _expected = expectedEvents };
        try
        {
            long stored;
            // Counting the workspace's events is needed only to choose the bulk way, for a large file; a small one asks
            // whether there are any (a count over a workspace of millions of events would cost every webhook call).
            var small = expectedEvents is { } few && few < BulkMinimumEvents;
            await using (var prepare = writer.Command($"""
                SELECT pg_advisory_xact_lock(@lock, @w);
                SELECT pg_get_serial_sequence('"Events"', 'Id'), pg_get_serial_sequence('"Recipients"', 'Id'),
                    {(small ? """(SELECT count(*) FROM (SELECT 1 FROM "Events" WHERE "WorkspaceId" = @w LIMIT 1) AS any_event)""" : """(SELECT count(*) FROM "Events" WHERE "WorkspaceId" = @w)""")};
                """))
            {
                SetParameter(prepare, "@lock", PostgresEventStore.ImportLock);
                SetParameter(prepare, "@w", workspaceId);
                await using var reader = await prepare.ExecuteReaderAsync(cancellationToken);
                await reader.NextResultAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                writer._eventSequence = reader.GetString(0);
                writer._recipientSequence = reader.GetString(1);
                stored = reader.GetInt64(2);
                writer._workspaceHasEvents = stored > 0;
            }
            // Reading the workspace's hashes is worth it only when the file is at least as large as what is stored.
            writer._bulk = expectedEvents is { } expected && expected >= BulkMinimumEvents && expected >= stored;
            await writer.StartAsync(fileName, format, startedAt, connectionId, cancellationToken, only);
            if (writer._bulk)
            {
                writer.PackOnThread();
                await using var hashes = writer.Command("""SELECT "IdHash", "Id" FROM "Events" WHERE "WorkspaceId" = @w""");
                SetParameter(hashes, "@w", workspaceId);
                await using var reader = await hashes.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    writer._hashes.TryAdd(reader.GetInt64(0), reader.GetInt64(1));
                }
            }
            else
            {
                await using var staging = writer.Command($"""CREATE TEMP TABLE "EventStaging" ({ColumnTypes}) ON COMMIT DROP""");
                await staging.ExecuteNonQueryAsync(cancellationToken);
            }
            return writer;
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    private const string ColumnTypes = """
        "Id" bigint, "CampaignId" integer, "RecipientId" integer, "Type" integer, "OccurredAtMs" bigint, "LinkId" integer,
        "Ip" text, "UserAgentId" integer, "ProviderBotFlag" text, "Source" text, "ExternalId" text, "IdHash" bigint,
        "RawBlockId" bigint, "RawOffset" integer, "RawLength" integer
        """;

    public override void Write(NormalizedEvent e)
    {
        var (campaignId, recipientId, linkId, userAgentId) = References(e);
        var hash = EmailEvent.IdHashOf(e.Source, e.ExternalId);
        if (_bulk && _hashes.TryGet(hash, out var storedId) && IsStored(storedId, e.Source, e.ExternalId))
        {
            // Ids drawn for this import are above every id stored before it (one import per workspace at a time).
            if (_firstId is { } first && storedId >= first)
            {
                RepeatsInFile++;
            }
            return;
        }
        // Ids in the order of the file, as SQLite gives them: ties in time are then broken the same way on both.
        var id = NextId(_eventIds, _eventSequence, Ahead(ChunkSize));
        _firstId ??= id;
        _staged++;
        if (!_hashes.TryAdd(hash, _bulk ? id : _staged) && !_bulk)
        {
            // The same id twice in one file (or two ids with one hash): the final move keeps the first, checked exactly.
            _fileRepeats = true;
        }
        else
        {
            Added++;
            if (e.Type == EventType.Click)
            {
                Clicks++;
            }
            if (_bulk)
            {
                TouchedCampaigns.Add(campaignId);
            }
        }
        var raw = e.RawUtf8.Span;
        var (block, offset) = AppendRaw(raw);
        _chunk[_chunkCount++] = new PendingEvent(id, campaignId, recipientId, (int)e.Type, e.OccurredAtMs, linkId, e.Ip, userAgentId, e.ProviderBotFlag,
            e.Source, e.ExternalId, hash, block, offset, raw.Length);
        if (_chunkCount == ChunkSize)
        {
            FlushChunk();
        }
    }

    /// <summary>Whether the event with this id holds exactly this source and external id (a hash hit is checked, never trusted).</summary>
    private bool IsStored(long id, string source, string externalId)
    {
        for (int i = _chunkCount - 1; i >= 0; i--)
        {
            if (_chunk[i].Id == id)
            {
                return _chunk[i].Source == source && _chunk[i].ExternalId == externalId;
            }
        }
        using var command = Command("""SELECT "Source", "ExternalId" FROM "Events" WHERE "Id" = @id""");
        SetParameter(command, "@id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() && reader.GetString(0) == source && reader.GetString(1) == externalId;
    }

    /// <summary>Stores the recipients and raw blocks gathered so far and copies the chunk of events (into Events on the bulk way, else into the staging table).</summary>
    private void FlushChunk()
    {
        if (_newRecipients.Count > 0)
        {
            using var recipients = _connection.BeginBinaryImport("""COPY "Recipients" ("Id", "WorkspaceId", "Email", "Domain") FROM STDIN (FORMAT BINARY)""");
            foreach (var (id, email, domain) in _newRecipients)
            {
                recipients.StartRow();
                recipients.Write(id, NpgsqlDbType.Integer);
                recipients.Write(WorkspaceId, NpgsqlDbType.Integer);
                recipients.Write(email, NpgsqlDbType.Varchar);
                recipients.Write(domain, NpgsqlDbType.Varchar);
            }
            recipients.Complete();
            _newRecipients.Clear();
        }
        if (_newBlocks.Count > 0)
        {
            using var blocks = _connection.BeginBinaryImport("""COPY "RawBlocks" ("Id", "WorkspaceId", "Data", "Compressed") FROM STDIN (FORMAT BINARY)""");
            foreach (var (id, packed) in _newBlocks)
            {
                blocks.StartRow();
                blocks.Write(id, NpgsqlDbType.Bigint);
                blocks.Write(WorkspaceId, NpgsqlDbType.Integer);
                blocks.Write(packed, NpgsqlDbType.Bytea);
                blocks.Write(true, NpgsqlDbType.Boolean);
            }
            blocks.Complete();
            _newBlocks.Clear();
        }
        if (_chunkCount == 0)
        {
            return;
        }
        using var copy = _connection.BeginBinaryImport(_bulk
            ? $"""COPY "Events" ({EventColumns}, "WorkspaceId", "ImportId") FROM STDIN (FORMAT BINARY)"""
            : $"""COPY "EventStaging" ({EventColumns}) FROM STDIN (FORMAT BINARY)""");
        for (int i = 0; i < _chunkCount; i++)
        {
            ref var e = ref _chunk[i];
            copy.StartRow();
            copy.Write(e.Id, NpgsqlDbType.Bigint);
            copy.Write(e.Campaign, NpgsqlDbType.Integer);
            copy.Write(e.Recipient, NpgsqlDbType.Integer);
            copy.Write(e.Type, NpgsqlDbType.Integer);
            copy.Write(e.At, NpgsqlDbType.Bigint);
            WriteNullable(copy, e.Link);
            WriteNullable(copy, e.Ip);
            WriteNullable(copy, e.Agent);
            WriteNullable(copy, e.BotFlag);
            copy.Write(e.Source, NpgsqlDbType.Text);
            copy.Write(e.ExternalId, NpgsqlDbType.Text);
            copy.Write(e.Hash, NpgsqlDbType.Bigint);
            copy.Write(e.Block, NpgsqlDbType.Bigint);
            copy.Write(e.Offset, NpgsqlDbType.Integer);
            copy.Write(e.Length, NpgsqlDbType.Integer);
            if (_bulk)
            {
                copy.Write(WorkspaceId, NpgsqlDbType.Integer);
                copy.Write(ImportId, NpgsqlDbType.Integer);
            }
            e = default;
        }
        copy.Complete();
        _chunkCount = 0;
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, int? value)
    {
        if (value is { } v)
        {
            copy.Write(v, NpgsqlDbType.Integer);
        }
        else
        {
            copy.WriteNull();
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, NpgsqlDbType.Text);
        }
    }

    /// <summary>How many ids to draw at once: up to <paramref name="most"/>, fewer for a small file (a webhook batch).</summary>
    private int Ahead(int most) => _expected is { } expected ? (int)Math.Clamp(expected - _staged, 64, most) : most;

    /// <summary>The next value of a sequence, from values drawn a batch at a time (increasing: ids follow the file).</summary>
    private long NextId(Queue<long> drawn, string sequence, int batch)
    {
        if (drawn.Count == 0)
        {
            using var command = Command("SELECT nextval(@s::regclass) FROM generate_series(1, @n)");
            SetParameter(command, "@s", sequence);
            SetParameter(command, "@n", batch);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                drawn.Enqueue(reader.GetInt64(0));
            }
        }
        return drawn.Dequeue();
    }

    protected override int InsertRecipient(string email, string domain)
    {
        var id = checked((int)NextId(_recipientIds, _recipientSequence, Ahead(IdBatch)));
        _newRecipients.Add((id, email, domain));
        return id;
    }

    /// <summary>
    /// User agents are shared by every workspace: a new one is stored at once on a connection of its own (committed
    /// by itself), so two imports into two workspaces that meet the same new agent never wait for each other. An agent
    /// left over by an import that is rolled back is harmless: it is found again by the next.
    /// </summary>
    protected override int InsertUserAgent(string value)
    {
        if (_agentConnection is null)
        {
            _agentConnection = (NpgsqlConnection)((ICloneable)_connection).Clone();
            _agentConnection.Open();
        }
        using var command = _agentConnection.CreateCommand();
        command.CommandText = """
            INSERT INTO "UserAgents" ("Value") VALUES (@v) ON CONFLICT ((md5("Value"))) DO NOTHING RETURNING "Id";
            SELECT "Id" FROM "UserAgents" WHERE md5("Value") = md5(@v) AND "Value" = @v;
            """;
        command.Parameters.Add(new NpgsqlParameter<string>("v", value));
        using var reader = command.ExecuteReader();
        if (reader.Read())
        {
            return reader.GetInt32(0);
        }
        reader.NextResult();
        return reader.Read() ? reader.GetInt32(0) : throw new InvalidOperationException("A user agent could not be stored.");
    }

    /// <summary>By the index on the agents' md5 (the values themselves are too long for a b-tree).</summary>
    protected override string UserAgentsIn => """SELECT "Value", "Id" FROM "UserAgents" WHERE md5("Value") IN (SELECT md5(v) FROM unnest(ARRAY[{0}]::text[]) AS v) """;

    protected override long NextBlockId() => NextId(_blockIds, $"\"{ClickInsightsDbContext.RawBlockIdSequence}\"", 64);

    /// <summary>Kept until the chunk is copied (raw blocks go in by COPY too).</summary>
    protected override void StoreBlock(long id, byte[] packed) => _newBlocks.Add((id, packed));

    protected override async Task SaveEventsAsync(CancellationToken cancellationToken)
    {
        FlushChunk();
        if (_bulk || _staged == 0)
        {
            return;
        }
        var source = _fileRepeats
            ? """(SELECT DISTINCT ON ("IdHash", "Source", "ExternalId") * FROM "EventStaging" ORDER BY "IdHash", "Source", "ExternalId", "Id")"""
            : "\"EventStaging\"";
        var notStored = _workspaceHasEvents
            ? """WHERE NOT EXISTS (SELECT 1 FROM "Events" e WHERE e."WorkspaceId" = @w AND e."IdHash" = s."IdHash" AND e."Source" = s."Source" AND e."ExternalId" = s."ExternalId")"""
            : "";
        await using var move = Command($"""
            ANALYZE "EventStaging";
            WITH added AS (
                INSERT INTO "Events" ({EventColumns}, "WorkspaceId", "ImportId")
                SELECT s.*, @w, @import
                FROM {source} s
                {notStored}
                RETURNING "CampaignId", "Type")
            SELECT "CampaignId", count(*), count(*) FILTER (WHERE "Type" = {(int)EventType.Click}) FROM added GROUP BY "CampaignId"
            """);
        SetParameter(move, "@w", WorkspaceId);
        SetParameter(move, "@import", ImportId);
        // As long as it takes: the file is all or nothing.
        move.CommandTimeout = 0;
        await using var reader = await move.ExecuteReaderAsync(cancellationToken);
        (Added, Clicks) = (0, 0);
        TouchedCampaigns.Clear();
        while (await reader.ReadAsync(cancellationToken))
        {
            TouchedCampaigns.Add(reader.GetInt32(0));
            Added += (int)reader.GetInt64(1);
            Clicks += (int)reader.GetInt64(2);
        }
        await reader.DisposeAsync();
        if (_fileRepeats)
        {
            // As on SQLite: the file's own repeats are those of events this import stored (not of events stored before).
            await using var repeats = Command("""
                SELECT count(*) FROM "EventStaging" s
                WHERE EXISTS (SELECT 1 FROM "Events" e WHERE e."WorkspaceId" = @w AND e."IdHash" = s."IdHash" AND e."Source" = s."Source" AND e."ExternalId" = s."ExternalId" AND e."ImportId" = @import)
                """);
            SetParameter(repeats, "@w", WorkspaceId);
            SetParameter(repeats, "@import", ImportId);
            repeats.CommandTimeout = 0;
            RepeatsInFile = (int)Convert.ToInt64(await repeats.ExecuteScalarAsync(cancellationToken)) - Added;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_agentConnection is not null)
        {
            await _agentConnection.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}
