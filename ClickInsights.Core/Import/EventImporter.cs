using System.Diagnostics;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Import;

/// <summary>
/// Imports provider exports into a workspace: detects the format from the content, streams the file, stores
/// every event once (all or nothing per file) and then classifies the campaigns it touched. The dashboard's
/// upload, the demo data and the CLI all come through here.
/// </summary>
public sealed class EventImporter(IDbContextFactory<ClickInsightsDbContext> dbFactory, ClassificationService classification, TimeProvider time)
{
    private const int HeadLength = 64 * 1024;
    private const int ProgressEvery = 2_000;

    /// <summary>
    /// Asked in order; the first that recognizes a file reads it. Readers that need a distinctive key come first,
    /// SendGrid last because it also accepts events with only <c>event</c>, <c>email</c> and <c>timestamp</c>.
    /// </summary>
    public static IReadOnlyList<IEventReader> Readers { get; } =
    [
        new ConstantContactReader(),
        new MandrillReader(),
        new MailchimpReader(),
        new PostmarkReader(),
        new MailgunReader(),
        new BrevoReader(),
        new SendGridReader(),
    ];

    public static string KnownFormats => string.Join(", ", Readers.Select(r => r.Format)) +
        ", CSV exports of any provider (you choose which column is which), and ZIP archives of these";

    private readonly CsvMappingStore _mappings = new(dbFactory, time);

    public async Task<ImportResult> ImportFileAsync(int workspaceId, string path, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await ImportAsync(workspaceId, file, Path.GetFileName(path), progress, cancellationToken);
    }

    /// <summary>Reads the first bytes of a stream and names the format, or explains which formats are read.</summary>
    /// <remarks>A CSV file is read with a confident guess of its columns; <see cref="SniffAsync"/> leaves the choice to the caller.</remarks>
    public static async Task<(IEventReader Reader, Stream Stream)> DetectAsync(Stream stream, string fileName, CancellationToken cancellationToken)
    {
        var sniffed = await SniffAsync(stream, fileName, cancellationToken);
        return (sniffed.Reader ?? CsvReaderFor(sniffed, fileName, null), sniffed.Stream);
    }

    /// <summary>
    /// What a file is, from its first bytes: one of the JSON formats (with its reader), a CSV file (with its header),
    /// or a ZIP archive. Anything else is refused with a message listing the formats read.
    /// </summary>
    public static async Task<SniffedFile> SniffAsync(Stream stream, string fileName, CancellationToken cancellationToken)
    {
        var head = new byte[HeadLength];
        int filled = 0;
        while (filled < head.Length)
        {
            var read = await stream.ReadAsync(head.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        var bytes = head.AsSpan(0, filled);
        var rest = new PrefixedStream(head.AsMemory(0, filled), stream);
        if (ImportSource.IsZip(bytes))
        {
            return new SniffedFile(null, null, true, rest);
        }
        foreach (var reader in Readers)
        {
            if (reader.CanRead(bytes))
            {
                return new SniffedFile(reader, null, false, rest);
            }
        }
        if (CsvHeader.TrySniff(bytes, isWholeFile: filled < head.Length, out var csv))
        {
            return new SniffedFile(null, csv, false, rest);
        }
        throw new ImportFormatException(fileName, "the start of the file", filled == 0
            ? "the file is empty"
            : $"this is not a format ClickInsights reads; it reads: {KnownFormats}");
    }

    /// <summary>The CSV reader for a sniffed file: the given mapping, else a confident guess; otherwise says which columns are unknown.</summary>
    private static CsvEventReader CsvReaderFor(SniffedFile sniffed, string fileName, CsvColumnMapping? mapping)
    {
        if (sniffed.IsArchive)
        {
            throw new ImportFormatException(fileName, "the start of the file", "this is a ZIP archive; import it as a file, so that each file inside is imported on its own");
        }
        var csv = sniffed.Csv!;
        if (mapping is null)
        {
            var guess = csv.Guess(fileName);
            if (!guess.IsConfident)
            {
                // "which column holds the time", or a question about a column already found ("the time format of …").
                var what = string.Join("; ", guess.Unsure.Select(u => u.StartsWith("the ", StringComparison.Ordinal) ? u : $"which column holds the {u}"));
                throw new ImportFormatException(fileName, "line 1", $"this is a CSV file, but ClickInsights could not tell {what} " +
                    $"(columns: {string.Join(", ", csv.Columns.Select(c => $"\"{c}\""))}); choose the columns on the Import page, and they are remembered for files like this one");
            }
            mapping = guess.Mapping;
        }
        return new CsvEventReader(mapping, csv.Delimiter, csv.IsUtf8);
    }

    /// <summary>The reader for a sniffed file: its JSON reader, or for a CSV file the given mapping, the one remembered for its header, or a confident guess.</summary>
    private async Task<IEventReader> ReaderForAsync(SniffedFile sniffed, string fileName, CsvColumnMapping? mapping, CancellationToken cancellationToken)
    {
        if (sniffed.Reader is { } reader)
        {
            return reader;
        }
        if (mapping is null && sniffed.Csv is { } csv)
        {
            mapping = await _mappings.FindAsync(csv.Key, fileName, cancellationToken);
        }
        return CsvReaderFor(sniffed, fileName, mapping);
    }

    /// <summary>
    /// Looks at a file without storing anything: its format, for a CSV file the mapping that would be used (chosen,
    /// remembered or guessed) and, when it can be read, how many events of each type and which campaigns it holds.
    /// </summary>
    public async Task<ImportPreview> PreviewAsync(Stream source, string fileName, ImportOptions? options = null, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        long? totalBytes = source.CanSeek ? source.Length : null;
        var counting = new CountingStream(source);
        SniffedFile sniffed;
        try
        {
            sniffed = await SniffAsync(counting, fileName, cancellationToken);
        }
        catch (ImportFormatException e)
        {
            return new ImportPreview { FileName = fileName, Error = e.Message };
        }
        if (sniffed.IsArchive)
        {
            return new ImportPreview { FileName = fileName, Error = $"{fileName}: a ZIP archive inside a ZIP archive is not read; unpack it first." };
        }

        var preview = new ImportPreview { FileName = fileName, Format = sniffed.Reader?.Format ?? CsvEventReader.FormatName, Csv = sniffed.Csv };
        if (sniffed.Csv is { } csv)
        {
            var remembered = options?.CsvMapping is null ? await _mappings.FindAsync(csv.Key, fileName, cancellationToken) : null;
            var guess = csv.Guess(fileName);
            var mapping = options?.CsvMapping ?? remembered ?? guess.Mapping;
            var unmapped = options?.CsvMapping is not null || remembered is not null ? mapping.Missing() : guess.Unsure;
            preview = preview with { Mapping = mapping, MappingRemembered = remembered is not null, MappingGuessed = options?.CsvMapping is null && remembered is null, Unmapped = unmapped };
            if (unmapped.Count > 0)
            {
                return preview;
            }
        }

        var byType = new Dictionary<EventType, long>();
        var campaigns = new Dictionary<string, string>(StringComparer.Ordinal);
        var keys = new Dictionary<string, string?>(StringComparer.Ordinal);
        long events = 0;
        try
        {
            var reader = await ReaderForAsync(sniffed, fileName, preview.Mapping, cancellationToken);
            var now = time.GetUtcNow();
            long items = 0;
            await foreach (var item in reader.ReadAsync(sniffed.Stream, fileName, cancellationToken))
            {
                EventFields.Check(item, fileName, ++items, now);
                var key = item.Source + ":" + item.CampaignKey;
                if (item is CampaignInfo { Name: { } name })
                {
                    campaigns[key] = name;
                    keys[key] = name;
                }
                if (item is not NormalizedEvent e)
                {
                    continue;
                }
                if (!campaigns.ContainsKey(key) || e.CampaignName is not null)
                {
                    campaigns[key] = e.CampaignName ?? $"Campaign {e.CampaignKey}";
                }
                if (e.CampaignName is not null || !keys.ContainsKey(key))
                {
                    keys[key] = e.CampaignName ?? keys.GetValueOrDefault(key);
                }
                byType[e.Type] = byType.GetValueOrDefault(e.Type) + 1;
                if (++events % ProgressEvery == 0)
                {
                    progress?.Report(new ImportProgress(fileName, events, 0, counting.BytesRead, totalBytes, "Checking the file"));
                }
            }
        }
        catch (ImportFormatException e)
        {
            return preview with { Error = e.Message };
        }
        return preview with { Events = events, EventsByType = byType, Campaigns = campaigns.Values.Distinct().Order(StringComparer.CurrentCulture).ToList(), CampaignKeys = keys };
    }

    /// <summary>
    /// Imports every file of a source (a file, or each file of a ZIP archive), each all or nothing: a file that
    /// cannot be read is refused with its reason and the others are still imported. Cancelling stops at the current
    /// file, which leaves nothing behind; files finished before it stay imported.
    /// </summary>
    public async Task<IReadOnlyList<ImportOutcome>> ImportSourceAsync(int workspaceId, ImportSource source, ImportOptions? options = null, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var outcomes = new List<ImportOutcome>();
        if (source.Entries.Count == 0)
        {
            outcomes.Add(new ImportOutcome(source.Name, null, $"{source.Name}: the archive holds no files."));
        }
        // The files of one archive are numbered as one report: identical records on two of its pages stay two, as in a sync.
        var entryOptions = (options ?? ImportOptions.Default) with { Numbering = source.IsArchive ? options?.Numbering ?? new ContentNumbering() : options?.Numbering };
        foreach (var entry in source.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await using var stream = entry.Open();
                var entryProgress = progress is null || entry.Length is null || stream.CanSeek
                    ? progress
                    : new RelayProgress<ImportProgress>(p => progress.Report(p with { TotalBytes = entry.Length }));
                outcomes.Add(new ImportOutcome(entry.Name, await ImportAsync(workspaceId, stream, entry.Name, entryOptions, entryProgress, cancellationToken), null));
            }
            catch (ImportFormatException e)
            {
                outcomes.Add(new ImportOutcome(entry.Name, null, e.Message));
            }
            catch (InvalidDataException e)
            {
                // A damaged entry of an archive.
                outcomes.Add(new ImportOutcome(entry.Name, null, $"{entry.Name}: cannot be unpacked ({e.Message.TrimEnd('.')}). Nothing from this file was stored."));
            }
        }
        return outcomes;
    }

    /// <summary>
    /// Parses on another thread while the caller writes: on the two cores of a small server, reading JSON and
    /// writing SQLite then take the time of the slower, not of both. Batches keep the hand-over cheap; the bound
    /// keeps memory flat. A reader's error surfaces where the item would have been.
    /// </summary>
    private static async IAsyncEnumerable<ImportItem> ReadAheadAsync(IAsyncEnumerable<ImportItem> items, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int BatchSize = 512;
        var channel = System.Threading.Channels.Channel.CreateBounded<ImportItem[]>(new System.Threading.Channels.BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                var batch = new List<ImportItem>(BatchSize);
                await foreach (var item in items.WithCancellation(stop.Token))
                {
                    batch.Add(item);
                    if (batch.Count == BatchSize)
                    {
                        await channel.Writer.WriteAsync([.. batch], stop.Token);
                        batch.Clear();
                    }
                }
                if (batch.Count > 0)
                {
                    await channel.Writer.WriteAsync([.. batch], stop.Token);
                }
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken))
            {
                foreach (var item in batch)
                {
                    yield return item;
                }
            }
        }
        finally
        {
            // Also when the writer stops early (an error, a cancel): the parser stops too and is waited for.
            stop.Cancel();
            try
            {
                await producer;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>The names the workspace's stored campaigns have, by <c>source:key</c> as in <see cref="ImportPreview.CampaignKeys"/>.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StoredCampaignNamesAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.Campaigns.AsNoTracking().Where(c => c.WorkspaceId == workspaceId).Select(c => new { c.Source, c.ExternalId, c.Name }).ToListAsync(cancellationToken);
        return stored.ToDictionary(c => c.Source + ":" + c.ExternalId, c => c.Name, StringComparer.Ordinal);
    }

    public Task<ImportResult> ImportAsync(int workspaceId, Stream source, string fileName, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ImportAsync(workspaceId, source, fileName, ImportOptions.Default, progress, cancellationToken);

    /// <param name="classify">
    /// False stores the events and leaves classification to the caller, who classifies
    /// <see cref="ImportResult.CampaignIds"/> once after many small imports (a sync's pages, webhook batches).
    /// </param>
    public Task<ImportResult> ImportAsync(int workspaceId, Stream source, string fileName, bool classify, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ImportAsync(workspaceId, source, fileName, ImportOptions.Default with { Classify = classify }, progress, cancellationToken);

    /// <summary>Imports one file, all or nothing, then classifies the campaigns it touched.</summary>
    public async Task<ImportResult> ImportAsync(int workspaceId, Stream source, string fileName, ImportOptions options, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        long? totalBytes = source.CanSeek ? source.Length : null;
        var counting = new CountingStream(source);
        var sniffed = await SniffAsync(counting, fileName, cancellationToken);
        var reader = await ReaderForAsync(sniffed, fileName, options.CsvMapping, cancellationToken);
        var stream = sniffed.Stream;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Workspaces.AnyAsync(w => w.Id == workspaceId, cancellationToken))
        {
            throw new InvalidOperationException($"Workspace {workspaceId} does not exist.");
        }
        int read = 0, added = 0, clicks = 0;
        ImportResult result;
        HashSet<int> touched;
        // About 300 bytes per event in the providers' exports; only used to choose the bulk way for large files.
        await using (var writer = await db.Store.OpenWriterAsync(db, workspaceId, fileName, reader.Format, time.GetUtcNow().UtcDateTime, totalBytes / 300, options.ConnectionId, cancellationToken))
        {
            var now = time.GetUtcNow();
            long items = 0;
            await foreach (var item in ReadAheadAsync(reader.ReadNumberedAsync(stream, fileName, cancellationToken, options.Numbering), cancellationToken))
            {
                EventFields.Check(item, fileName, ++items, now);
                if (item is not NormalizedEvent e)
                {
                    writer.Write(item);
                    continue;
                }
                read++;
                writer.Write(e);
                if (read % ProgressEvery == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(new ImportProgress(fileName, read, writer.Added, counting.BytesRead, totalBytes, "Reading events"));
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new ImportProgress(fileName, read, writer.Added, counting.BytesRead, totalBytes, "Saving events"));
            await writer.CommitAsync(read, time.GetUtcNow().UtcDateTime, cancellationToken);
            (added, clicks, touched) = (writer.Added, writer.Clicks, writer.TouchedCampaigns);
            result = new ImportResult(writer.ImportId, fileName, reader.Format, touched.Count, read, added, read - added, clicks, stopwatch.Elapsed)
            {
                CampaignIds = touched,
                RepeatsInFile = writer.RepeatsInFile,
            };
        }

        if (options.Classify)
        {
            var stage = touched.Count > 1 ? $"Classifying clicks (campaign 1 of {touched.Count})" : "Classifying clicks";
            progress?.Report(new ImportProgress(fileName, read, added, counting.BytesRead, totalBytes, stage));
            // The events are stored; classification can always be redone, so it runs after the commit.
            var campaigns = progress is null || touched.Count < 2 ? null : new RelayProgress<(int Done, int Total)>(c =>
            {
                if (c.Done < c.Total)
                {
                    progress.Report(new ImportProgress(fileName, read, added, counting.BytesRead, totalBytes, $"Classifying clicks (campaign {c.Done + 1} of {c.Total})"));
                }
            });
            await classification.ClassifyCampaignsAsync(touched, campaigns, CancellationToken.None);
            // The history's "time taken" is the whole import's, classifying included, as the summary after it says.
            await db.Imports.Where(i => i.Id == result.ImportId)
                .ExecuteUpdateAsync(set => set.SetProperty(i => i.FinishedAt, time.GetUtcNow().UtcDateTime), CancellationToken.None);
        }
        result = result with { Elapsed = stopwatch.Elapsed };
        progress?.Report(new ImportProgress(fileName, read, added, counting.BytesRead, totalBytes, "Done"));
        return result;
    }

    /// <summary>
    /// Reads a small body (a webhook batch) into memory and checks every item as an import does, without storing
    /// anything: many can be read at once, and then stored together by <see cref="StoreBatchesAsync"/>.
    /// </summary>
    /// <exception cref="ImportFormatException">The body cannot be read; the message says where.</exception>
    public async Task<ParsedBatch> ParseAsync(byte[] body, string fileName, CancellationToken cancellationToken = default)
    {
        var sniffed = await SniffAsync(new MemoryStream(body, writable: false), fileName, cancellationToken);
        var reader = await ReaderForAsync(sniffed, fileName, mapping: null, cancellationToken);
        var now = time.GetUtcNow();
        var items = new List<ImportItem>();
        var events = 0;
        await foreach (var item in reader.ReadNumberedAsync(sniffed.Stream, fileName, cancellationToken))
        {
            EventFields.Check(item, fileName, items.Count + 1, now);
            items.Add(item);
            if (item is NormalizedEvent)
            {
                events++;
            }
        }
        return new ParsedBatch(items, events, reader.Format, reader.GetType());
    }

    /// <summary>
    /// Stores read batches of one workspace as one import, in one transaction (a group commit of webhook calls that
    /// arrived together): all of them are stored, or none. Nothing is classified; the caller queues that.
    /// </summary>
    public async Task<ImportResult> StoreBatchesAsync(int workspaceId, IReadOnlyList<ParsedBatch> batches, string fileName, int? connectionId, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Workspaces.AnyAsync(w => w.Id == workspaceId, cancellationToken))
        {
            throw new InvalidOperationException($"Workspace {workspaceId} does not exist.");
        }
        var read = batches.Sum(b => b.Events);
        var items = batches.SelectMany(b => b.Items).ToList();
        await using var writer = await db.Store.OpenWriterAsync(db, workspaceId, fileName, batches[0].Format, time.GetUtcNow().UtcDateTime, read, connectionId, cancellationToken, only: items);
        foreach (var item in items)
        {
            writer.Write(item);
        }
        await writer.CommitAsync(read, time.GetUtcNow().UtcDateTime, cancellationToken);
        return new ImportResult(writer.ImportId, fileName, batches[0].Format, writer.TouchedCampaigns.Count, read, writer.Added, read - writer.Added, writer.Clicks, stopwatch.Elapsed)
        {
            CampaignIds = writer.TouchedCampaigns,
            RepeatsInFile = writer.RepeatsInFile,
        };
    }

    /// <summary>
    /// Takes back one import of a workspace, as when a file went into the wrong workspace: the events it added (with
    /// their verdicts and raw records) are deleted in one transaction, campaigns left without events go with them, and
    /// the other campaigns it touched are classified again. Events it skipped as duplicates belong to the import that
    /// added them and stay. Importing the same file again brings everything back.
    /// </summary>
    public async Task<ImportRemoval> RemoveImportAsync(int workspaceId, int importId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await db.Imports.AsNoTracking().FirstOrDefaultAsync(i => i.Id == importId && i.WorkspaceId == workspaceId, cancellationToken)
            ?? throw new InvalidOperationException("This import is no longer in the workspace's history; it may have been removed already.");
        if (record.ConnectionId is not null)
        {
            // Its connection would not fetch or send these events again: they could not be brought back.
            throw new InvalidOperationException($"{record.FileName} came from a provider connection, which would not fetch it again; only imported files can be removed.");
        }
        int events, campaignsRemoved;
        // What the import added never changes once it is stored, so it is looked up before taking the write lock (two
        // scans of the workspace's events, seconds for millions). An import writes its raw records into blocks of its
        // own (imports write one at a time), so its blocks go with it.
        var added = db.Events.Where(e => e.ImportId == importId && e.WorkspaceId == workspaceId);
        var campaigns = await added.Select(e => e.CampaignId).Distinct().ToListAsync(cancellationToken);
        var blocks = await added.Where(e => e.RawBlockId != null).Select(e => e.RawBlockId!.Value).Distinct().ToListAsync(cancellationToken);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.Store.LockWorkspaceAsync(db, workspaceId, cancellationToken);
            await db.ClickVerdicts.Where(v => campaigns.Contains(v.CampaignId) && added.Any(e => e.Id == v.EventId)).ExecuteDeleteAsync(cancellationToken);
            events = await added.ExecuteDeleteAsync(cancellationToken);
            foreach (var chunk in blocks.Chunk(500))
            {
                await db.RawBlocks.Where(b => b.WorkspaceId == workspaceId && chunk.Contains(b.Id)).ExecuteDeleteAsync(cancellationToken);
            }
            // Campaigns left without events (their links, figures and reasons go with them) when this import created them,
            // or one removed before: a campaign another import created and still holds keeps the name, send time and
            // links that import gave it. Then recipients with no event.
            campaignsRemoved = await db.Campaigns
                .Where(c => c.WorkspaceId == workspaceId && c.ImportId != null && (c.ImportId == importId || !db.Imports.Any(i => i.Id == c.ImportId))
                    && !db.Events.Any(e => e.CampaignId == c.Id))
                .ExecuteDeleteAsync(cancellationToken);
            await db.Recipients.Where(r => r.WorkspaceId == workspaceId && !db.Events.Any(e => e.RecipientId == r.Id)).ExecuteDeleteAsync(cancellationToken);
            // Decisions about clicks that are gone would be listed forever with nothing to apply to.
            var clickDecisions = await db.Overrides.Where(o => o.WorkspaceId == workspaceId && o.Scope == OverrideScope.Click).ToListAsync(cancellationToken);
            var decidedIds = clickDecisions.Select(o => long.TryParse(o.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : -1).ToList();
            var remaining = (await db.Events.Where(e => decidedIds.Contains(e.Id)).Select(e => e.Id).ToListAsync(cancellationToken)).ToHashSet();
            db.Overrides.RemoveRange(clickDecisions.Where((_, i) => !remaining.Contains(decidedIds[i])));
            await db.SaveChangesAsync(cancellationToken);
            await db.Imports.Where(i => i.Id == importId).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        var surviving = await db.Campaigns.Where(c => campaigns.Contains(c.Id)).Select(c => c.Id).ToListAsync(CancellationToken.None);
        // The events are gone for good; the figures are recomputed even when the caller stops waiting.
        await classification.ClassifyCampaignsAsync(surviving, CancellationToken.None);
        return new ImportRemoval(record.FileName, events, campaignsRemoved, surviving.Count);
    }
}
