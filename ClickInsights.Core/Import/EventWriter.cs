using System.Data.Common;
using System.IO.Compression;
using ClickInsights.Core.Data;
using Microsoft.Data.Sqlite;

namespace ClickInsights.Core.Import;

/// <summary>
/// Writes normalized events inside one transaction with prepared statements bound through SQLite's own API (its
/// fastest path), storing campaigns, recipients, links and user agents once each, and the raw records compressed
/// in blocks. Duplicates are found by a 64-bit hash of source and event id and confirmed against the stored row.
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
    /// <summary>Raw records are compressed in blocks of about this many bytes (one block unpacks in well under a millisecond).</summary>
    private const int RawBlockSize = 256 * 1024;

    private readonly BulkState? _bulk;
    private readonly SqliteConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly int _workspaceId;
    private readonly int _importId;
    private readonly Dictionary<(string Source, string Key), int> _campaigns = [];
    private readonly HashSet<int> _campaignsWithSendTime = [];
    private readonly Dictionary<string, int> _recipients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _userAgents = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Campaign, string Url), int> _links = [];
    private readonly SeenStrings<int> _recipientsSeen = new();
    private readonly SeenStrings<int> _userAgentsSeen = new();
    private readonly SeenStrings<(int Campaign, int Id)> _linksSeen = new();
    private readonly SqliteStatement _insertEvent;
    private readonly SqliteStatement _findByHash;
    private readonly SqliteStatement _insertBlock;
    private byte[] _block = new byte[RawBlockSize];
    private int _blockLength;
    private long _blockId;
    /// <summary>Compresses raw blocks on a thread of its own while events go on being written (the bulk way only).</summary>
    private readonly BlockPacker? _packer;
    private (string Source, string Key, int Id) _lastCampaign = ("", "", 0);

    private EventWriter(SqliteConnection connection, DbTransaction transaction, int workspaceId, int importId, BulkState? bulk)
    {
        _connection = connection;
        _transaction = transaction;
        _workspaceId = workspaceId;
        _importId = importId;
        _bulk = bulk;
        _packer = bulk is null ? null : new BlockPacker();
        _insertEvent = new SqliteStatement(connection, """
            INSERT INTO "Events" ("WorkspaceId", "CampaignId", "RecipientId", "Type", "OccurredAtMs", "LinkId", "Ip", "UserAgentId", "ProviderBotFlag",
                "Source", "ExternalId", "IdHash", "ImportId", "RawBlockId", "RawOffset", "RawLength")
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """);
        _insertEvent.Bind(1, workspaceId).Bind(13, importId);
        _findByHash = new SqliteStatement(connection, """SELECT "Source", "ExternalId" FROM "Events" WHERE "WorkspaceId" = ? AND "IdHash" = ?""");
        _findByHash.Bind(1, workspaceId);
        _insertBlock = new SqliteStatement(connection, """INSERT INTO "RawBlocks" ("Id", "WorkspaceId", "Data", "Compressed") VALUES (?, ?, ?, 1)""");
        _insertBlock.Bind(2, workspaceId);
    }

    public HashSet<int> TouchedCampaigns { get; } = [];

    /// <param name="expectedEvents">About how many events the file holds (from its size), to choose the bulk way; null when unknown.</param>
    /// <param name="connectionId">The provider connection the events come from (a sync or a webhook); null for a file.</param>
    public static async Task<EventWriter> OpenAsync(SqliteConnection connection, int workspaceId, string fileName, string format, DateTime startedAt, long? expectedEvents, int? connectionId, CancellationToken cancellationToken)
    {
        var bulk = await BulkState.StartAsync(connection, workspaceId, expectedEvents, cancellationToken);
        DbTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken);
            return await OpenInTransactionAsync(connection, transaction, bulk, workspaceId, fileName, format, startedAt, connectionId, cancellationToken);
        }
        catch
        {
            // Cancelled or failed while opening: nothing stays, and the pooled connection gets its settings back
            // (foreign keys among them, which deleting a workspace relies on).
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
            if (bulk is not null)
            {
                await bulk.RestoreAsync(connection);
            }
            throw;
        }
    }

    private static async Task<EventWriter> OpenInTransactionAsync(SqliteConnection connection, DbTransaction transaction, BulkState? bulk, int workspaceId, string fileName, string format, DateTime startedAt, int? connectionId, CancellationToken cancellationToken)
    {
        await using DbCommand insertImport = connection.CreateCommand();
        insertImport.Transaction = transaction;
        insertImport.CommandText = """
            INSERT INTO "Imports" ("WorkspaceId", "FileName", "Format", "StartedAt", "EventsRead", "EventsAdded", "DuplicatesSkipped", "Clicks", "Campaigns", "ConnectionId")
            VALUES (@w, @f, @fmt, @at, 0, 0, 0, 0, 0, @connection) RETURNING "Id"
            """;
        SetParameter(insertImport, "@w", workspaceId);
        SetParameter(insertImport, "@f", fileName);
        SetParameter(insertImport, "@fmt", format);
        SetParameter(insertImport, "@at", startedAt);
        SetParameter(insertImport, "@connection", connectionId);
        var importId = Convert.ToInt32(await insertImport.ExecuteScalarAsync(cancellationToken));

        var writer = new EventWriter(connection, transaction, workspaceId, importId, bulk);
        try
        {
            await writer.LoadExistingAsync(cancellationToken);
            await using (var nextBlock = writer.Command("""SELECT coalesce(max("Id"), 0) + 1 FROM "RawBlocks" """))
            {
                writer._blockId = Convert.ToInt64(await nextBlock.ExecuteScalarAsync(cancellationToken));
            }
            if (bulk is not null)
            {
                await bulk.DropIndexesAsync(connection, transaction, cancellationToken);
            }
            return writer;
        }
        catch
        {
            writer.DisposeStatements();
            throw;
        }
    }

    public int ImportId => _importId;

    private async Task LoadExistingAsync(CancellationToken cancellationToken)
    {
        await using (var campaigns = Command("""
            SELECT c."Source", c."ExternalId", c."Id" FROM "Campaigns" c WHERE c."WorkspaceId" = @w
            """))
        {
            SetParameter(campaigns, "@w", _workspaceId);
            await using var reader = await campaigns.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                _campaigns[(reader.GetString(0), reader.GetString(1))] = reader.GetInt32(2);
            }
        }
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

        var hash = EmailEvent.IdHashOf(e.Source, e.ExternalId);
        if (_bulk is not null ? _bulk.Ids.TryGet(hash, out var stored) && IsStored(stored, e.Source, e.ExternalId) : IsStoredWithHash(hash, e.Source, e.ExternalId))
        {
            return false;
        }

        var raw = e.RawUtf8.Span;
        if (_blockLength + raw.Length > RawBlockSize && _blockLength > 0)
        {
            FlushBlock();
        }
        if (raw.Length > _block.Length)
        {
            Array.Resize(ref _block, raw.Length);
        }
        raw.CopyTo(_block.AsSpan(_blockLength));

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
            .Bind(14, _blockId)
            .Bind(15, _blockLength)
            .Bind(16, raw.Length)
            .Execute();
        _blockLength += raw.Length;
        var rowId = _insertEvent.LastInsertRowId;
        TouchedCampaigns.Add(campaignId);
        // On a (rare) collision of two different ids the first keeps the slot; the second was still stored.
        _bulk?.Ids.TryAdd(hash, rowId);
        return true;
    }

    /// <summary>Compresses the raw records gathered so far into one stored block (on the packer's thread on the bulk way).</summary>
    private void FlushBlock()
    {
        if (_blockLength == 0)
        {
            return;
        }
        if (_packer is null)
        {
            StoreBlock(_blockId, BlockPacker.Compress(_block, _blockLength));
        }
        else
        {
            _packer.Add(_blockId, _block, _blockLength);
            _block = _packer.SpareBuffer() ?? new byte[RawBlockSize];
            foreach (var (id, packed) in _packer.TakePacked())
            {
                StoreBlock(id, packed);
            }
        }
        _blockId++;
        _blockLength = 0;
    }

    private void StoreBlock(long id, byte[] packed) => _insertBlock.Bind(1, id).BindBlob(3, packed).Execute();

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
    private bool IsStoredWithHash(long hash, string source, string externalId)
    {
        _findByHash.Bind(2, hash);
        while (_findByHash.Step())
        {
            if (_findByHash.Text(0) == source && _findByHash.Text(1) == externalId)
            {
                _findByHash.Reset();
                return true;
            }
        }
        return false;
    }

    private SqliteStatement? _checkStored;
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
        FlushBlock();
        if (_packer is not null)
        {
            foreach (var (id, packed) in _packer.Finish())
            {
                StoreBlock(id, packed);
            }
        }
        if (_bulk is not null)
        {
            // A duplicate the hashes missed would fail the unique index here and roll everything back.
            await _bulk.RebuildIndexesAsync(_connection, _transaction, cancellationToken);
        }
        await _transaction.CommitAsync(cancellationToken);
    }

    private int CampaignId(string source, string campaignKey, string? name, long? sentAtMs)
    {
        // Events of one campaign mostly come together, with the reader's one copy of its key.
        if (ReferenceEquals(campaignKey, _lastCampaign.Key) && ReferenceEquals(source, _lastCampaign.Source) && (sentAtMs is null || _campaignsWithSendTime.Contains(_lastCampaign.Id)))
        {
            return _lastCampaign.Id;
        }
        var id = CampaignIdOf(source, campaignKey, name, sentAtMs);
        _lastCampaign = (source, campaignKey, id);
        return id;
    }

    private int CampaignIdOf(string source, string campaignKey, string? name, long? sentAtMs)
    {
        var key = (source, campaignKey);
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
            INSERT INTO "Campaigns" ("WorkspaceId", "Source", "ExternalId", "Name", "SentAt", "ImportId") VALUES (@w, @s, @x, @n, @at, @import) RETURNING "Id"
            """);
        SetParameter(insert, "@import", _importId);
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
        if (_recipientsSeen.TryGet(email, out var id))
        {
            return id;
        }
        if (_recipients.TryGetValue(email, out id))
        {
            _recipientsSeen.Add(email, id);
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
        _recipientsSeen.Add(email, id);
        return id;
    }

    public static string DomainOf(string email)
    {
        var at = email.LastIndexOf('@');
        return at >= 0 ? email[(at + 1)..].Trim().ToLowerInvariant() : "";
    }

    private int LinkId(int campaignId, string url, int? position)
    {
        if (_linksSeen.TryGet(url, out var seen) && seen.Campaign == campaignId)
        {
            return seen.Id;
        }
        if (_links.TryGetValue((campaignId, url), out var id))
        {
            _linksSeen.Add(url, (campaignId, id));
            return id;
        }
        using var insert = Command("""INSERT INTO "CampaignLinks" ("CampaignId", "Url", "Position") VALUES (@c, @u, @p) RETURNING "Id" """);
        SetParameter(insert, "@c", campaignId);
        SetParameter(insert, "@u", url);
        SetParameter(insert, "@p", position);
        id = Convert.ToInt32(insert.ExecuteScalar());
        _links[(campaignId, url)] = id;
        _linksSeen.Add(url, (campaignId, id));
        return id;
    }

    private int UserAgentId(string value)
    {
        if (_userAgentsSeen.TryGet(value, out var id))
        {
            return id;
        }
        if (_userAgents.TryGetValue(value, out id))
        {
            _userAgentsSeen.Add(value, id);
            return id;
        }
        using var insert = Command("""INSERT INTO "UserAgents" ("Value") VALUES (@v) RETURNING "Id" """);
        SetParameter(insert, "@v", value);
        id = Convert.ToInt32(insert.ExecuteScalar());
        _userAgents[value] = id;
        _userAgentsSeen.Add(value, id);
        return id;
    }

    private DbCommand Command(string sql)
    {
        DbCommand command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Adds parameters to a command in the order given, for prepared statements that set them per row.</summary>
    internal static DbParameter[] AddParameters(DbCommand command, params string[] names) =>
        names.Select(name => AddParameter(command, name)).ToArray();

    internal static DbParameter AddParameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    internal static void SetParameter(DbCommand command, string name, object? value) =>
        AddParameter(command, name).Value = value ?? DBNull.Value;

    /// <summary>Releases the prepared statements and the packer thread (not the transaction).</summary>
    private void DisposeStatements()
    {
        _insertEvent.Dispose();
        _findByHash.Dispose();
        _insertBlock.Dispose();
        _packer?.Dispose();
        _checkStored?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        DisposeStatements();
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

    /// <summary>
    /// Compresses full blocks of raw records on a thread of its own, a couple at a time, so the writing thread only
    /// copies bytes. Packed blocks come back in any order with their ids; their buffers are lent again.
    /// </summary>
    private sealed class BlockPacker : IDisposable
    {
        private readonly System.Collections.Concurrent.BlockingCollection<(long Id, byte[] Buffer, int Length)> _pending = new(boundedCapacity: 2);
        private readonly System.Collections.Concurrent.ConcurrentQueue<(long Id, byte[] Packed)> _packed = new();
        private readonly System.Collections.Concurrent.ConcurrentBag<byte[]> _spare = [];
        private readonly Thread _thread;
        private Exception? _failure;

        public BlockPacker()
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "ClickInsights raw block packer" };
            _thread.Start();
        }

        public static byte[] Compress(byte[] buffer, int length)
        {
            var packed = new MemoryStream(length / 8);
            using (var zlib = new ZLibStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(buffer, 0, length);
            }
            return packed.ToArray();
        }

        /// <summary>Hands over a full block (waits while two are already waiting).</summary>
        public void Add(long id, byte[] buffer, int length)
        {
            ThrowIfFailed();
            _pending.Add((id, buffer, length));
        }

        public byte[]? SpareBuffer() => _spare.TryTake(out var buffer) ? buffer : null;

        public IEnumerable<(long Id, byte[] Packed)> TakePacked()
        {
            ThrowIfFailed();
            while (_packed.TryDequeue(out var block))
            {
                yield return block;
            }
        }

        /// <summary>Waits for the blocks handed over and gives every packed block not taken yet.</summary>
        public IEnumerable<(long Id, byte[] Packed)> Finish()
        {
            _pending.CompleteAdding();
            _thread.Join();
            return TakePacked();
        }

        private void Run()
        {
            foreach (var (id, buffer, length) in _pending.GetConsumingEnumerable())
            {
                if (_failure is not null)
                {
                    // Still taking what is handed over, so the writer never waits for a thread that stopped.
                    continue;
                }
                try
                {
                    _packed.Enqueue((id, Compress(buffer, length)));
                    if (buffer.Length == RawBlockSize)
                    {
                        _spare.Add(buffer);
                    }
                }
                catch (Exception e)
                {
                    _failure = e;
                }
            }
        }

        private void ThrowIfFailed()
        {
            if (_failure is { } failure)
            {
                throw new InvalidOperationException("Compressing the raw records failed.", failure);
            }
        }

        public void Dispose()
        {
            if (!_pending.IsAddingCompleted)
            {
                _pending.CompleteAdding();
            }
            _thread.Join();
            _pending.Dispose();
        }
    }

    /// <summary>
    /// Ids by the very string object that was looked up: readers keep one copy of each repeated text, so a lookup
    /// here costs a pointer's hash instead of hashing an address or a user agent a million times. Bounded, for
    /// readers that do not share their strings.
    /// </summary>
    private sealed class SeenStrings<T>
    {
        private readonly Dictionary<string, T> _byReference = new(ReferenceEqualityComparer.Instance);

        public bool TryGet(string key, out T value) => _byReference.TryGetValue(key, out value!);

        public void Add(string key, T value)
        {
            if (_byReference.Count >= 1 << 16)
            {
                _byReference.Clear();
            }
            _byReference[key] = value;
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
                SetParameter(command, "@w", workspaceId);
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
