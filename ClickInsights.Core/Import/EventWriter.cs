using System.Data.Common;
using System.IO.Compression;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// Writes one file's normalized events inside one transaction (all or nothing), storing campaigns, recipients, links
/// and user agents once each, and the raw records compressed in blocks. What every engine shares is here; how the
/// event rows reach the table, and how duplicates are found, is each engine's own (<see cref="SqliteEventWriter"/>,
/// <see cref="PostgresEventWriter"/>), opened through <see cref="EventStore.OpenWriterAsync"/>.
/// </summary>
internal abstract class EventWriter : IAsyncDisposable
{
    /// <summary>Raw records are compressed in blocks of about this many bytes (one block unpacks in well under a millisecond).</summary>
    protected const int RawBlockSize = 256 * 1024;

    private readonly Dictionary<(string Source, string Key), int> _campaigns = [];
    private readonly HashSet<int> _campaignsWithSendTime = [];
    private readonly Dictionary<string, int> _recipients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _userAgents = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Campaign, string Url), int> _links = [];
    private readonly SeenStrings<int> _recipientsSeen = new();
    private readonly SeenStrings<int> _userAgentsSeen = new();
    private readonly SeenStrings<(int Campaign, int Id)> _linksSeen = new();
    private byte[] _block = new byte[RawBlockSize];
    private int _blockLength;
    private long? _blockId;
    /// <summary>Compresses raw blocks on a thread of its own while events go on being written (large files).</summary>
    private BlockPacker? _packer;
    private (string Source, string Key, int Id) _lastCampaign = ("", "", 0);

    protected EventWriter(DbConnection connection, DbTransaction transaction, int workspaceId)
    {
        Connection = connection;
        Transaction = transaction;
        WorkspaceId = workspaceId;
    }

    protected DbConnection Connection { get; }
    protected DbTransaction Transaction { get; }
    protected int WorkspaceId { get; }
    public int ImportId { get; private set; }

    /// <summary>Events stored so far (on an engine that finds duplicates at the end, those found so far are left out).</summary>
    public int Added { get; protected set; }
    /// <summary>Clicks among <see cref="Added"/>.</summary>
    public int Clicks { get; protected set; }
    /// <summary>Events whose id came earlier in this same file (kept once): a file that repeats its own ids, said so in its summary.</summary>
    public int RepeatsInFile { get; protected set; }
    /// <summary>Campaigns that got new events (known for certain after <see cref="CommitAsync"/>).</summary>
    public HashSet<int> TouchedCampaigns { get; } = [];

    /// <summary>Compress raw blocks on a thread of their own (worth it for large files only).</summary>
    protected void PackOnThread() => _packer ??= new BlockPacker();

    /// <summary>Records the import in the history (in the transaction) and reads what the workspace holds already.</summary>
    /// <param name="only">The items the writer will be given, when they are known and few (a group of webhook batches):
    /// only the recipients and agents they name are read, not every recipient of the workspace.</param>
    protected async Task StartAsync(string fileName, string format, DateTime startedAt, int? connectionId, CancellationToken cancellationToken, IReadOnlyList<ImportItem>? only = null)
    {
        await using (var insertImport = Command("""
            INSERT INTO "Imports" ("WorkspaceId", "FileName", "Format", "StartedAt", "EventsRead", "EventsAdded", "DuplicatesSkipped", "Clicks", "Campaigns", "ConnectionId")
            VALUES (@w, @f, @fmt, @at, 0, 0, 0, 0, 0, @connection) RETURNING "Id"
            """))
        {
            SetParameter(insertImport, "@w", WorkspaceId);
            SetParameter(insertImport, "@f", fileName);
            SetParameter(insertImport, "@fmt", format);
            SetParameter(insertImport, "@at", startedAt);
            SetParameter(insertImport, "@connection", connectionId);
            ImportId = Convert.ToInt32(await insertImport.ExecuteScalarAsync(cancellationToken));
        }
        await LoadExistingAsync(cancellationToken, only);
    }

    private async Task LoadExistingAsync(CancellationToken cancellationToken, IReadOnlyList<ImportItem>? only)
    {
        await using (var campaigns = Command("""
            SELECT c."Source", c."ExternalId", c."Id", c."SentAt" IS NOT NULL FROM "Campaigns" c WHERE c."WorkspaceId" = @w
            """))
        {
            SetParameter(campaigns, "@w", WorkspaceId);
            await using var reader = await campaigns.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt32(2);
                _campaigns[(reader.GetString(0), reader.GetString(1))] = id;
                if (reader.GetBoolean(3))
                {
                    _campaignsWithSendTime.Add(id);
                }
            }
        }
        if (only is null)
        {
            await ReadPairsAsync("""SELECT "Email", "Id" FROM "Recipients" WHERE "WorkspaceId" = @w""", _recipients, cancellationToken);
            await ReadPairsAsync("""SELECT "Value", "Id" FROM "UserAgents" """, _userAgents, cancellationToken);
        }
        else
        {
            // A workspace that received webhooks for a year has hundreds of thousands of recipients: a batch needs its own.
            var events = only.OfType<NormalizedEvent>().ToList();
            await ReadPairsAsync("""SELECT "Email", "Id" FROM "Recipients" WHERE "WorkspaceId" = @w AND "Email" IN ({0})""",
                events.Select(e => e.Email).Distinct(StringComparer.Ordinal).ToList(), _recipients, cancellationToken);
            await ReadPairsAsync(UserAgentsIn, events.Select(e => e.UserAgent).OfType<string>().Distinct(StringComparer.Ordinal).ToList(), _userAgents, cancellationToken);
        }

        await using var links = Command("""SELECT l."CampaignId", l."Url", l."Id" FROM "CampaignLinks" l JOIN "Campaigns" c ON c."Id" = l."CampaignId" WHERE c."WorkspaceId" = @w""");
        SetParameter(links, "@w", WorkspaceId);
        await using var reader2 = await links.ExecuteReaderAsync(cancellationToken);
        while (await reader2.ReadAsync(cancellationToken))
        {
            _links[(reader2.GetInt32(0), reader2.GetString(1))] = reader2.GetInt32(2);
        }
    }

    /// <summary>The user agents with these values (<c>{0}</c>: the values' parameters), by the store's index on them.</summary>
    protected virtual string UserAgentsIn => """SELECT "Value", "Id" FROM "UserAgents" WHERE "Value" IN ({0})""";

    /// <summary>Reads pairs for these values only, a few hundred to a statement (<c>{0}</c> in <paramref name="sql"/>: the values' parameters).</summary>
    private async Task ReadPairsAsync(string sql, IReadOnlyList<string> values, Dictionary<string, int> into, CancellationToken cancellationToken)
    {
        foreach (var chunk in values.Chunk(500))
        {
            await using var command = Command(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, string.Join(", ", chunk.Select((_, i) => $"@v{i}"))));
            SetParameter(command, "@w", WorkspaceId);
            for (int i = 0; i < chunk.Length; i++)
            {
                SetParameter(command, $"@v{i}", chunk[i]);
            }
            await ReadPairsAsync(command, into, cancellationToken);
        }
    }

    private async Task ReadPairsAsync(string sql, Dictionary<string, int> into, CancellationToken cancellationToken)
    {
        await using var command = Command(sql);
        SetParameter(command, "@w", WorkspaceId);
        await ReadPairsAsync(command, into, cancellationToken);
    }

    private static async Task ReadPairsAsync(DbCommand command, Dictionary<string, int> into, CancellationToken cancellationToken)
    {
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
                    // A name a person gave on the dashboard stays: only the source's own names follow the source.
                    using var rename = Command("""UPDATE "Campaigns" SET "Name" = @n WHERE "Id" = @id AND "NameGivenBy" IS NULL""");
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

    /// <summary>Stores one event unless it is stored already (a duplicate): counted in <see cref="Added"/>.</summary>
    public abstract void Write(NormalizedEvent e);

    /// <summary>The ids of an event's campaign, recipient, link and user agent, each stored on first sight.</summary>
    protected (int Campaign, int Recipient, int? Link, int? UserAgent) References(NormalizedEvent e)
    {
        var campaignId = CampaignId(e.Source, e.CampaignKey, e.CampaignName, e.CampaignSentAtMs);
        var recipientId = RecipientId(e.Email);
        int? linkId = e.Url is null ? null : LinkId(campaignId, e.Url, e.LinkPosition);
        int? userAgentId = e.UserAgent is null ? null : UserAgentId(e.UserAgent);
        return (campaignId, recipientId, linkId, userAgentId);
    }

    /// <summary>Adds a raw record to the current block: the block's id and where in it the record starts.</summary>
    protected (long Block, int Offset) AppendRaw(ReadOnlySpan<byte> raw)
    {
        if (_blockLength + raw.Length > RawBlockSize && _blockLength > 0)
        {
            FlushBlock();
        }
        _blockId ??= NextBlockId();
        if (raw.Length > _block.Length - _blockLength)
        {
            Array.Resize(ref _block, _blockLength + raw.Length);
        }
        raw.CopyTo(_block.AsSpan(_blockLength));
        var offset = _blockLength;
        _blockLength += raw.Length;
        return (_blockId.Value, offset);
    }

    /// <summary>Compresses the raw records gathered so far into one stored block (on the packer's thread when there is one).</summary>
    private void FlushBlock()
    {
        if (_blockLength == 0 || _blockId is not { } id)
        {
            return;
        }
        if (_packer is null)
        {
            StoreBlock(id, BlockPacker.Compress(_block, _blockLength));
        }
        else
        {
            _packer.Add(id, _block, _blockLength);
            _block = _packer.SpareBuffer() ?? new byte[RawBlockSize];
            foreach (var (packedId, packed) in _packer.TakePacked())
            {
                StoreBlock(packedId, packed);
            }
        }
        _blockId = null;
        _blockLength = 0;
    }

    /// <summary>Stores the last block and every block still being packed.</summary>
    protected void FinishBlocks()
    {
        FlushBlock();
        if (_packer is not null)
        {
            foreach (var (id, packed) in _packer.Finish())
            {
                StoreBlock(id, packed);
            }
        }
    }

    /// <summary>An id for a new raw block, unique even while another import writes blocks.</summary>
    protected abstract long NextBlockId();

    protected abstract void StoreBlock(long id, byte[] packed);

    /// <summary>Stores a recipient first seen in this file; its id.</summary>
    protected abstract int InsertRecipient(string email, string domain);

    /// <summary>Stores a user agent first seen; its id.</summary>
    protected virtual int InsertUserAgent(string value)
    {
        using var insert = Command("""INSERT INTO "UserAgents" ("Value") VALUES (@v) RETURNING "Id" """);
        SetParameter(insert, "@v", value);
        return Convert.ToInt32(insert.ExecuteScalar());
    }

    /// <summary>Brings every event written into the table; sets <see cref="Added"/>, <see cref="Clicks"/> and <see cref="TouchedCampaigns"/> for good.</summary>
    protected abstract Task SaveEventsAsync(CancellationToken cancellationToken);

    /// <summary>Stores everything and the import's figures, and commits.</summary>
    /// <param name="read">How many events the file held.</param>
    public async Task CommitAsync(int read, DateTime finishedAt, CancellationToken cancellationToken)
    {
        FinishBlocks();
        await SaveEventsAsync(cancellationToken);
        await using var update = Command("""
            UPDATE "Imports" SET "FinishedAt" = @end, "EventsRead" = @read, "EventsAdded" = @added, "DuplicatesSkipped" = @dup, "Clicks" = @clicks, "Campaigns" = @campaigns
            WHERE "Id" = @id
            """);
        SetParameter(update, "@end", finishedAt);
        SetParameter(update, "@read", read);
        SetParameter(update, "@added", Added);
        SetParameter(update, "@dup", read - Added);
        SetParameter(update, "@clicks", Clicks);
        SetParameter(update, "@campaigns", TouchedCampaigns.Count);
        SetParameter(update, "@id", ImportId);
        await update.ExecuteNonQueryAsync(cancellationToken);
        await Transaction.CommitAsync(cancellationToken);
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
        SetParameter(insert, "@import", ImportId);
        SetParameter(insert, "@w", WorkspaceId);
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
        if (!_recipients.TryGetValue(email, out id))
        {
            id = InsertRecipient(email, DomainOf(email));
            _recipients[email] = id;
        }
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
        if (!_userAgents.TryGetValue(value, out id))
        {
            id = InsertUserAgent(value);
            _userAgents[value] = id;
        }
        _userAgentsSeen.Add(value, id);
        return id;
    }

    protected DbCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
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

    /// <summary>Rolls back what was not committed (a failed or cancelled import leaves nothing) and stops the packer.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        _packer?.Dispose();
        await Transaction.DisposeAsync();
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

}
