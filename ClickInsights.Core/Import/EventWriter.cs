using System.Data.Common;
using ClickInsights.Core.Data;
using Microsoft.Data.Sqlite;

namespace ClickInsights.Core.Import;

/// <summary>
/// Writes normalized events inside one transaction with prepared statements (SQLite's fastest path), storing
/// campaigns, recipients, links and user agents once each. Plain SQL that runs on SQLite and PostgreSQL.
/// </summary>
/// <remarks>
/// A large file into a small table goes the bulk way on SQLite: inside the same transaction the indexes of
/// <c>Events</c> are dropped, rows are appended without index upkeep, duplicates are found by a hash of their ids
/// (checked exactly against the stored row on a hit), and the indexes are rebuilt from their own stored SQL at the
/// end, which sorts once instead of inserting a million keys at random places. A failure or cancel rolls all of it
/// back, indexes included; readers keep seeing the previous state until the commit.
/// </remarks>
internal sealed class EventWriter : IAsyncDisposable
{
    private readonly BulkState? _bulk;
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly int _workspaceId;
    private readonly int _importId;
    private readonly Dictionary<string, int> _campaigns = new(StringComparer.Ordinal);
    private readonly HashSet<int> _campaignsWithSendTime = [];
    private readonly Dictionary<string, int> _recipients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _userAgents = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Campaign, string Url), int> _links = [];
    private readonly DbCommand _insertEvent;
    private readonly DbParameter[] _eventParameters;

    private EventWriter(DbConnection connection, DbTransaction transaction, int workspaceId, int importId, BulkState? bulk)
    {
        _connection = connection;
        _transaction = transaction;
        _workspaceId = workspaceId;
        _importId = importId;
        _bulk = bulk;
        _insertEvent = Command("""
            INSERT INTO "Events" ("WorkspaceId", "CampaignId", "RecipientId", "Type", "OccurredAtMs", "LinkId", "Ip", "UserAgentId", "ProviderBotFlag", "Source", "ExternalId", "ImportId", "Raw")
            VALUES (@w, @c, @r, @t, @at, @l, @ip, @ua, @bot, @s, @x, @i, @raw)
            """ + (bulk is null ? """

            ON CONFLICT ("WorkspaceId", "Source", "ExternalId") DO NOTHING
            """ : ""));
        _eventParameters = AddParameters(_insertEvent, "@w", "@c", "@r", "@t", "@at", "@l", "@ip", "@ua", "@bot", "@s", "@x", "@i", "@raw");
        _insertEvent.Prepare();
    }

    public HashSet<int> TouchedCampaigns { get; } = [];

    /// <param name="expectedEvents">About how many events the file holds (from its size), to choose the bulk way; null when unknown.</param>
    public static async Task<EventWriter> OpenAsync(DbConnection connection, int workspaceId, string fileName, string format, DateTime startedAt, long? expectedEvents, CancellationToken cancellationToken)
    {
        var bulk = await BulkState.StartAsync(connection, workspaceId, expectedEvents, cancellationToken);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var insertImport = connection.CreateCommand();
        insertImport.Transaction = transaction;
        insertImport.CommandText = """
            INSERT INTO "Imports" ("WorkspaceId", "FileName", "Format", "StartedAt", "EventsRead", "EventsAdded", "DuplicatesSkipped", "Clicks", "Campaigns")
            VALUES (@w, @f, @fmt, @at, 0, 0, 0, 0, 0) RETURNING "Id"
            """;
        SetParameter(insertImport, "@w", workspaceId);
        SetParameter(insertImport, "@f", fileName);
        SetParameter(insertImport, "@fmt", format);
        SetParameter(insertImport, "@at", startedAt);
        var importId = Convert.ToInt32(await insertImport.ExecuteScalarAsync(cancellationToken));

        var writer = new EventWriter(connection, transaction, workspaceId, importId, bulk);
        await writer.LoadExistingAsync(cancellationToken);
        if (bulk is not null)
        {
            await bulk.DropIndexesAsync(connection, transaction, cancellationToken);
        }
        return writer;
    }

    public int ImportId => _importId;

    private async Task LoadExistingAsync(CancellationToken cancellationToken)
    {
        await ReadPairsAsync("""SELECT "Source" || ':' || "ExternalId", "Id" FROM "Campaigns" WHERE "WorkspaceId" = @w""", _campaigns, cancellationToken);
        await ReadPairsAsync("""SELECT "Email", "Id" FROM "Recipients" WHERE "WorkspaceId" = @w""", _recipients, cancellationToken);
        await ReadPairsAsync("""SELECT "Value", "Id" FROM "UserAgents" """, _userAgents, cancellationToken);

        await using var links = Command("""SELECT l."CampaignId", l."Url", l."Id" FROM "CampaignLinks" l JOIN "Campaigns" c ON c."Id" = l."CampaignId" WHERE c."WorkspaceId" = @w""");
        SetParameter(links, "@w", _workspaceId);
        await using (var reader = await links.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                _links[(reader.GetInt32(0), reader.GetString(1))] = reader.GetInt32(2);
            }
        }

        await using var sent = Command("""SELECT "Id" FROM "Campaigns" WHERE "WorkspaceId" = @w AND "SentAt" IS NOT NULL""");
        SetParameter(sent, "@w", _workspaceId);
        await using var sentReader = await sent.ExecuteReaderAsync(cancellationToken);
        while (await sentReader.ReadAsync(cancellationToken))
        {
            _campaignsWithSendTime.Add(sentReader.GetInt32(0));
        }
    }

    private async Task ReadPairsAsync(string sql, Dictionary<string, int> into, CancellationToken cancellationToken)
    {
        await using var command = Command(sql);
        SetParameter(command, "@w", _workspaceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            into[reader.GetString(0)] = reader.GetInt32(1);
        }
    }

    /// <summary>Stores what a campaign record or a link list says.</summary>
    public void Write(ImportItem item)
    {
        switch (item)
        {
            case NormalizedEvent e:
                Write(e);
                break;
            case CampaignInfo info:
            {
                var id = CampaignId(info.Source, info.CampaignKey, info.Name, info.SentAtMs);
                if (info.Name is not null)
                {
                    using var rename = Command("""UPDATE "Campaigns" SET "Name" = @n WHERE "Id" = @id""");
                    SetParameter(rename, "@n", info.Name);
                    SetParameter(rename, "@id", id);
                    rename.ExecuteNonQuery();
                }
                break;
            }
            case LinkInfo link:
                LinkId(CampaignId(link.Source, link.CampaignKey, null, null), link.Url, link.Position);
                break;
        }
    }

    /// <summary>Stores one event; false when it was already stored (a duplicate).</summary>
    public bool Write(NormalizedEvent e)
    {
        var campaignId = CampaignId(e.Source, e.CampaignKey, e.CampaignName, e.CampaignSentAtMs);
        var recipientId = RecipientId(e.Email);
        int? linkId = e.Url is null ? null : LinkId(campaignId, e.Url, e.LinkPosition);
        int? userAgentId = e.UserAgent is null ? null : UserAgentId(e.UserAgent);

        long hash = 0;
        if (_bulk is not null)
        {
            hash = BulkState.Hash(e.Source, e.ExternalId);
            if (_bulk.Ids.TryGetValue(hash, out var stored) && IsStored(stored, e.Source, e.ExternalId))
            {
                return false;
            }
        }

        var p = _eventParameters;
        p[0].Value = _workspaceId;
        p[1].Value = campaignId;
        p[2].Value = recipientId;
        p[3].Value = (int)e.Type;
        p[4].Value = e.OccurredAtMs;
        p[5].Value = (object?)linkId ?? DBNull.Value;
        p[6].Value = (object?)e.Ip ?? DBNull.Value;
        p[7].Value = (object?)userAgentId ?? DBNull.Value;
        p[8].Value = (object?)e.ProviderBotFlag ?? DBNull.Value;
        p[9].Value = e.Source;
        p[10].Value = e.ExternalId;
        p[11].Value = _importId;
        p[12].Value = e.Raw;
        var added = _insertEvent.ExecuteNonQuery() == 1;
        if (added)
        {
            TouchedCampaigns.Add(campaignId);
            // On a (rare) collision of two different ids the first keeps the slot; the second was still stored.
            _bulk?.Ids.TryAdd(hash, SQLitePCL.raw.sqlite3_last_insert_rowid(((SqliteConnection)_connection).Handle));
        }
        return added;
    }

    /// <summary>Whether the row with this id holds exactly this source and external id (a hash hit is checked, never trusted).</summary>
    private bool IsStored(long rowId, string source, string externalId)
    {
        _checkStored ??= Command("""SELECT "Source", "ExternalId" FROM "Events" WHERE "Id" = @id""");
        _checkStored.Parameters.Clear();
        SetParameter(_checkStored, "@id", rowId);
        using var reader = _checkStored.ExecuteReader();
        return reader.Read() && reader.GetString(0) == source && reader.GetString(1) == externalId;
    }

    private DbCommand? _checkStored;
    private DbCommand? _insertRecipient;

    public async Task CommitAsync(ImportResult result, DateTime finishedAt, CancellationToken cancellationToken)
    {
        await using var update = Command("""
            UPDATE "Imports" SET "FinishedAt" = @end, "EventsRead" = @read, "EventsAdded" = @added, "DuplicatesSkipped" = @dup, "Clicks" = @clicks, "Campaigns" = @campaigns
            WHERE "Id" = @id
            """);
        SetParameter(update, "@end", finishedAt);
        SetParameter(update, "@read", result.EventsRead);
        SetParameter(update, "@added", result.EventsAdded);
        SetParameter(update, "@dup", result.DuplicatesSkipped);
        SetParameter(update, "@clicks", result.Clicks);
        SetParameter(update, "@campaigns", result.Campaigns);
        SetParameter(update, "@id", _importId);
        await update.ExecuteNonQueryAsync(cancellationToken);
        if (_bulk is not null)
        {
            // A duplicate the hashes missed would fail the unique index here and roll everything back.
            await _bulk.RebuildIndexesAsync(_connection, _transaction, cancellationToken);
        }
        await _transaction.CommitAsync(cancellationToken);
    }

    private int CampaignId(string source, string campaignKey, string? name, long? sentAtMs)
    {
        var key = source + ":" + campaignKey;
        if (_campaigns.TryGetValue(key, out var id))
        {
            if (sentAtMs is { } sentAt && _campaignsWithSendTime.Add(id))
            {
                using var update = Command("""UPDATE "Campaigns" SET "SentAt" = @at WHERE "Id" = @id""");
                SetParameter(update, "@at", DateTimeOffset.FromUnixTimeMilliseconds(sentAt).UtcDateTime);
                SetParameter(update, "@id", id);
                update.ExecuteNonQuery();
            }
            return id;
        }
        using var insert = Command("""
            INSERT INTO "Campaigns" ("WorkspaceId", "Source", "ExternalId", "Name", "SentAt") VALUES (@w, @s, @x, @n, @at) RETURNING "Id"
            """);
        SetParameter(insert, "@w", _workspaceId);
        SetParameter(insert, "@s", source);
        SetParameter(insert, "@x", campaignKey);
        SetParameter(insert, "@n", name ?? $"Campaign {campaignKey}");
        SetParameter(insert, "@at", sentAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime : null);
        id = Convert.ToInt32(insert.ExecuteScalar());
        _campaigns[key] = id;
        if (sentAtMs is not null)
        {
            _campaignsWithSendTime.Add(id);
        }
        return id;
    }

    private int RecipientId(string email)
    {
        if (_recipients.TryGetValue(email, out var id))
        {
            return id;
        }
        // Prepared once: a file may bring a hundred thousand new recipients.
        if (_insertRecipient is null)
        {
            _insertRecipient = Command("""INSERT INTO "Recipients" ("WorkspaceId", "Email", "Domain") VALUES (@w, @e, @d) RETURNING "Id" """);
            AddParameter(_insertRecipient, "@w").Value = _workspaceId;
            AddParameter(_insertRecipient, "@e");
            AddParameter(_insertRecipient, "@d");
            _insertRecipient.Prepare();
        }
        _insertRecipient.Parameters[1].Value = email;
        _insertRecipient.Parameters[2].Value = DomainOf(email);
        id = Convert.ToInt32(_insertRecipient.ExecuteScalar());
        _recipients[email] = id;
        return id;
    }

    public static string DomainOf(string email)
    {
        var at = email.LastIndexOf('@');
        return at >= 0 ? email[(at + 1)..].Trim().ToLowerInvariant() : "";
    }

    private int LinkId(int campaignId, string url, int? position)
    {
        if (_links.TryGetValue((campaignId, url), out var id))
        {
            return id;
        }
        using var insert = Command("""INSERT INTO "CampaignLinks" ("CampaignId", "Url", "Position") VALUES (@c, @u, @p) RETURNING "Id" """);
        SetParameter(insert, "@c", campaignId);
        SetParameter(insert, "@u", url);
        SetParameter(insert, "@p", position);
        id = Convert.ToInt32(insert.ExecuteScalar());
        _links[(campaignId, url)] = id;
        return id;
    }

    private int UserAgentId(string value)
    {
        if (_userAgents.TryGetValue(value, out var id))
        {
            return id;
        }
        using var insert = Command("""INSERT INTO "UserAgents" ("Value") VALUES (@v) RETURNING "Id" """);
        SetParameter(insert, "@v", value);
        id = Convert.ToInt32(insert.ExecuteScalar());
        _userAgents[value] = id;
        return id;
    }

    private DbCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Adds parameters to a command in the order given, for prepared statements that set them per row.</summary>
    internal static DbParameter[] AddParameters(DbCommand command, params string[] names) =>
        names.Select(name => AddParameter(command, name)).ToArray();

    private static DbParameter AddParameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    internal static void SetParameter(DbCommand command, string name, object? value) =>
        AddParameter(command, name).Value = value ?? DBNull.Value;

    public async ValueTask DisposeAsync()
    {
        await _insertEvent.DisposeAsync();
        if (_checkStored is not null)
        {
            await _checkStored.DisposeAsync();
        }
        if (_insertRecipient is not null)
        {
            await _insertRecipient.DisposeAsync();
        }
        // Disposing an uncommitted transaction rolls it back: a failed or cancelled import leaves nothing.
        await _transaction.DisposeAsync();
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

        /// <summary>Hash of source and external id → the row that holds it.</summary>
        public Dictionary<long, long> Ids { get; private init; } = [];

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
                // Sized up front: growing a dictionary of a million entries briefly holds it twice.
                Ids = new Dictionary<long, long>((int)Math.Min(int.MaxValue / 2, expected + stored)),
                _synchronous = Convert.ToInt64(await ScalarAsync(connection, null, "PRAGMA synchronous", cancellationToken)),
                _cacheSize = Convert.ToInt64(await ScalarAsync(connection, null, "PRAGMA cache_size", cancellationToken)),
            };
            // Foreign keys cannot change inside a transaction; every id written here comes from this transaction or a row read in it.
            // A crash loses at most this uncommitted import: the commit itself is the last step.
            await ScalarAsync(connection, null, "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -32768;", cancellationToken);

            await using var command = connection.CreateCommand();
            command.CommandText = """SELECT "Id", "Source", "ExternalId" FROM "Events" WHERE "WorkspaceId" = @w""";
            SetParameter(command, "@w", workspaceId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                bulk.Ids.TryAdd(Hash(reader.GetString(1), reader.GetString(2)), reader.GetInt64(0));
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
            await ScalarAsync(connection, null, $"PRAGMA foreign_keys = ON; PRAGMA synchronous = {_synchronous}; PRAGMA cache_size = {_cacheSize};", CancellationToken.None);
        }

        /// <summary>64-bit FNV-1a of source and id: one long per stored event instead of its strings.</summary>
        public static long Hash(string source, string externalId)
        {
            ulong hash = 14695981039346656037;
            foreach (var c in source)
            {
                hash = (hash ^ c) * 1099511628211;
            }
            hash = (hash ^ 0x1f) * 1099511628211;
            foreach (var c in externalId)
            {
                hash = (hash ^ c) * 1099511628211;
            }
            return unchecked((long)hash);
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
