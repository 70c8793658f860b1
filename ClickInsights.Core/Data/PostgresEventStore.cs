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

    public override async Task<EventWriter> OpenWriterAsync(ClickInsightsDbContext db, int workspaceId, string fileName, string format, DateTime startedAt, long? expectedEvents, int? connectionId, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        return await PostgresEventWriter.OpenAsync(connection, workspaceId, fileName, format, startedAt, expectedEvents, connectionId, cancellationToken);
    }

    public override async Task LoadCampaignEventsAsync(DbConnection connection, int campaignId, List<ClassifierEvent> events, Dictionary<int, (string Email, string Domain)> recipients, CancellationToken cancellationToken)
    {
        // The rows stream from the server (Npgsql reads them as they come); the classifier orders clicks by time, ties
        // by id, so the order they arrive in does not change a verdict.
        var agentIds = new HashSet<int>();
        // Each event's agent id, its text filled in below once per distinct agent.
        var agentOf = new List<int>();
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

    public override async Task WriteVerdictsAsync(DbTransaction transaction, int campaignId, long[] eventIds, Verdict[] verdicts, int[] scores, int[] reasonSets, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)transaction.Connection!;
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY "ClickVerdicts" ("EventId", "CampaignId", "Verdict", "Score", "ReasonSet") FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        for (int k = 0; k < eventIds.Length; k++)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(eventIds[k], NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(campaignId, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync((int)verdicts[k], NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(scores[k], NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(reasonSets[k], NpgsqlDbType.Integer, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
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
/// Writes events with binary <c>COPY</c> into a staging table, a chunk at a time, then moves them into <c>Events</c>
/// in one statement that leaves out those stored already (the same keys as SQLite: workspace, source and event id,
/// found through the id hash's index) and repeats within the file. Event, recipient and raw block ids are drawn from
/// their sequences in batches, so nothing waits for a round trip per row. One transaction per file; imports into one
/// workspace take turns (an advisory lock), imports into different workspaces run side by side.
/// </summary>
internal sealed class PostgresEventWriter : EventWriter
{
    private const int ChunkSize = 16_384;
    private const int IdBatch = 4_096;

    private readonly NpgsqlConnection _connection;
    private readonly PendingEvent[] _chunk = new PendingEvent[ChunkSize];
    private int _chunkCount;
    private readonly List<(int Id, string Email, string Domain)> _newRecipients = [];
    private readonly Queue<long> _recipientIds = new();
    /// <summary>This file's id hashes: a repeat means the final move deduplicates within the file too.</summary>
    private readonly IdHashTable _fileHashes = new();
    private bool _fileRepeats;
    private bool _workspaceHasEvents;
    private int _staged;
    private NpgsqlConnection? _agentConnection;
    private string _eventSequence = "";
    private string _recipientSequence = "";

    private PostgresEventWriter(NpgsqlConnection connection, DbTransaction transaction, int workspaceId)
        : base(connection, transaction, workspaceId)
    {
        _connection = connection;
    }

    private record struct PendingEvent(int Campaign, int Recipient, int Type, long At, int? Link, string? Ip, int? Agent, string? BotFlag,
        string Source, string ExternalId, long Hash, long Block, int Offset, int Length);

    public static async Task<PostgresEventWriter> OpenAsync(NpgsqlConnection connection, int workspaceId, string fileName, string format, DateTime startedAt, long? expectedEvents, int? connectionId, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var writer = new PostgresEventWriter(connection, transaction, workspaceId);
        try
        {
            await using (var prepare = writer.Command("""
                SELECT pg_advisory_xact_lock(@lock, @w);
                CREATE TEMP TABLE "EventStaging" (
                    "Id" bigint, "CampaignId" integer, "RecipientId" integer, "Type" integer, "OccurredAtMs" bigint, "LinkId" integer,
                    "Ip" text, "UserAgentId" integer, "ProviderBotFlag" text, "Source" text, "ExternalId" text, "IdHash" bigint,
                    "RawBlockId" bigint, "RawOffset" integer, "RawLength" integer) ON COMMIT DROP;
                SELECT pg_get_serial_sequence('"Events"', 'Id'), pg_get_serial_sequence('"Recipients"', 'Id'),
                    EXISTS (SELECT 1 FROM "Events" WHERE "WorkspaceId" = @w);
                """))
            {
                SetParameter(prepare, "@lock", PostgresEventStore.ImportLock);
                SetParameter(prepare, "@w", workspaceId);
                await using var reader = await prepare.ExecuteReaderAsync(cancellationToken);
                await reader.NextResultAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                writer._eventSequence = reader.GetString(0);
                writer._recipientSequence = reader.GetString(1);
                writer._workspaceHasEvents = reader.GetBoolean(2);
            }
            await writer.StartAsync(fileName, format, startedAt, connectionId, cancellationToken);
            if (expectedEvents is >= 50_000)
            {
                writer.PackOnThread();
            }
            return writer;
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    public override void Write(NormalizedEvent e)
    {
        var (campaignId, recipientId, linkId, userAgentId) = References(e);
        var hash = EmailEvent.IdHashOf(e.Source, e.ExternalId);
        _staged++;
        if (!_fileHashes.TryAdd(hash, _staged))
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
        }
        var raw = e.RawUtf8.Span;
        var (block, offset) = AppendRaw(raw);
        _chunk[_chunkCount++] = new PendingEvent(campaignId, recipientId, (int)e.Type, e.OccurredAtMs, linkId, e.Ip, userAgentId, e.ProviderBotFlag,
            e.Source, e.ExternalId, hash, block, offset, raw.Length);
        if (_chunkCount == ChunkSize)
        {
            FlushChunk();
        }
    }

    /// <summary>Stores the recipients first seen so far and copies the chunk of events into the staging table.</summary>
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
        if (_chunkCount == 0)
        {
            return;
        }
        // Ids in the order of the file, as SQLite gives them: ties in time are then broken the same way on both.
        var ids = NextValues(_eventSequence, _chunkCount);
        using var copy = _connection.BeginBinaryImport("""
            COPY "EventStaging" ("Id", "CampaignId", "RecipientId", "Type", "OccurredAtMs", "LinkId", "Ip", "UserAgentId", "ProviderBotFlag",
                "Source", "ExternalId", "IdHash", "RawBlockId", "RawOffset", "RawLength") FROM STDIN (FORMAT BINARY)
            """);
        for (int i = 0; i < _chunkCount; i++)
        {
            ref var e = ref _chunk[i];
            copy.StartRow();
            copy.Write(ids[i], NpgsqlDbType.Bigint);
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

    /// <summary>The next <paramref name="count"/> values of a sequence, in one round trip, in increasing order.</summary>
    private long[] NextValues(string sequence, int count)
    {
        using var command = Command("SELECT nextval(@s::regclass) FROM generate_series(1, @n)");
        SetParameter(command, "@s", sequence);
        SetParameter(command, "@n", count);
        var values = new long[count];
        using var reader = command.ExecuteReader();
        for (int i = 0; reader.Read(); i++)
        {
            values[i] = reader.GetInt64(0);
        }
        return values;
    }

    protected override int InsertRecipient(string email, string domain)
    {
        if (_recipientIds.Count == 0)
        {
            foreach (var value in NextValues(_recipientSequence, IdBatch))
            {
                _recipientIds.Enqueue(value);
            }
        }
        var id = checked((int)_recipientIds.Dequeue());
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

    protected override long NextBlockId()
    {
        using var command = Command($"""SELECT nextval('"{ClickInsightsDbContext.RawBlockIdSequence}"')""");
        return Convert.ToInt64(command.ExecuteScalar());
    }

    protected override void StoreBlock(long id, byte[] packed)
    {
        using var insert = Command("""INSERT INTO "RawBlocks" ("Id", "WorkspaceId", "Data", "Compressed") VALUES (@id, @w, @data, TRUE)""");
        SetParameter(insert, "@id", id);
        SetParameter(insert, "@w", WorkspaceId);
        SetParameter(insert, "@data", packed);
        insert.ExecuteNonQuery();
    }

    protected override async Task SaveEventsAsync(CancellationToken cancellationToken)
    {
        FlushChunk();
        if (_staged == 0)
        {
            return;
        }
        var source = _fileRepeats
            ? """(SELECT DISTINCT ON ("IdHash", "Source", "ExternalId") * FROM "EventStaging" ORDER BY "IdHash", "Source", "ExternalId", "Id")"""
            : "\"EventStaging\"";
        var notStored = _workspaceHasEvents
            ? """WHERE NOT EXISTS (SELECT 1 FROM "Events" e WHERE e."WorkspaceId" = @w AND e."IdHash" = s."IdHash" AND e."Source" = s."Source" AND e."ExternalId" = s."ExternalId")"""
            : "";
        await using (var analyze = Command("""ANALYZE "EventStaging" """))
        {
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var move = Command($"""
            WITH added AS (
                INSERT INTO "Events" ("Id", "WorkspaceId", "CampaignId", "RecipientId", "Type", "OccurredAtMs", "LinkId", "Ip", "UserAgentId", "ProviderBotFlag",
                    "Source", "ExternalId", "IdHash", "ImportId", "RawBlockId", "RawOffset", "RawLength")
                SELECT s."Id", @w, s."CampaignId", s."RecipientId", s."Type", s."OccurredAtMs", s."LinkId", s."Ip", s."UserAgentId", s."ProviderBotFlag",
                    s."Source", s."ExternalId", s."IdHash", @import, s."RawBlockId", s."RawOffset", s."RawLength"
                FROM {source} s
                {notStored}
                RETURNING "CampaignId", "Type")
            SELECT "CampaignId", count(*), count(*) FILTER (WHERE "Type" = {(int)EventType.Click}) FROM added GROUP BY "CampaignId"
            """);
        SetParameter(move, "@w", WorkspaceId);
        SetParameter(move, "@import", ImportId);
        await using var reader = await move.ExecuteReaderAsync(cancellationToken);
        (Added, Clicks) = (0, 0);
        TouchedCampaigns.Clear();
        while (await reader.ReadAsync(cancellationToken))
        {
            TouchedCampaigns.Add(reader.GetInt32(0));
            Added += (int)reader.GetInt64(1);
            Clicks += (int)reader.GetInt64(2);
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
