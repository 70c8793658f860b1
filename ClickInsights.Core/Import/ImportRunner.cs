using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Import;

/// <summary>Limits of uploads in the dashboard (configuration section <c>ClickInsights:Import</c>).</summary>
public sealed class UploadOptions
{
    public const string Section = "ClickInsights:Import";

    /// <summary>The largest file a person may upload, in megabytes. Larger files can be imported with the CLI.</summary>
    [Range(1, 1_000_000)]
    public int MaxUploadMegabytes { get; set; } = 500;

    /// <summary>How many files one upload may hold.</summary>
    [Range(1, 1000)]
    public int MaxFiles { get; set; } = 20;

    public long MaxUploadBytes => MaxUploadMegabytes * 1024L * 1024L;
}

public enum ImportStage
{
    /// <summary>Nothing chosen yet, or the last import was put away.</summary>
    Empty,
    Uploading,
    Checking,
    /// <summary>Every file was looked at; waiting for the person to confirm (and choose CSV columns).</summary>
    Ready,
    Importing,
    Done,
}

/// <summary>One file to import (a ZIP archive gives one per file inside), with what checking it found and what importing it did.</summary>
public sealed record ImportFileState(string Id, string Name, string UploadPath, string UploadName)
{
    public ImportPreview? Preview { get; init; }
    public ImportOutcome? Outcome { get; init; }
}

/// <summary>What an import did, over all its files.</summary>
public sealed record ImportSummary(int FilesImported, int FilesRefused, int Campaigns, long EventsRead, long EventsAdded, long Duplicates, long Clicks, TimeSpan Elapsed, bool Cancelled)
{
    /// <summary>Among <see cref="Duplicates"/>: events repeating an id that came earlier in their own file.</summary>
    public long RepeatsInFile { get; init; }
}

/// <summary>Where the import of the dashboard stands; an immutable snapshot.</summary>
public sealed record ImportState(ImportStage Stage, int WorkspaceId, IReadOnlyList<ImportFileState> Files, string? Message, ImportProgress? Progress, int FileIndex, ImportSummary? Summary, string? Error)
{
    public static ImportState Empty { get; } = new(ImportStage.Empty, 0, [], null, null, 0, null, null);

    public bool Busy => Stage is ImportStage.Uploading or ImportStage.Checking or ImportStage.Importing;
    public IEnumerable<ImportFileState> Importable => Files.Where(f => f.Preview is { CanImport: true });
}

/// <summary>A file larger than the upload limit, or too many files.</summary>
public sealed class UploadLimitException(string message) : Exception(message);

/// <summary>
/// The dashboard's import, one at a time, kept here rather than in the page so that it goes on (and can be seen
/// again) when the person navigates away. Uploads are streamed to temporary files next to the database, checked
/// without storing (format, counts, CSV columns), imported file by file (each all or nothing) with progress and
/// cancel, and the temporary files are deleted afterwards. Pages subscribe to changes.
/// </summary>
public sealed class ImportRunner(
    EventImporter importer,
    CsvMappingStore mappings,
    IDbContextFactory<ClickInsightsDbContext> dbFactory,
    IOptions<UploadOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<ImportRunner> logger)
{
    private static readonly TimeSpan NotifyEvery = TimeSpan.FromMilliseconds(200);

    private readonly Lock _lock = new();
    private readonly ProgressBroadcast<ImportState> _broadcast = new(time, logger, NotifyEvery);
    private CancellationTokenSource? _cts;

    public ImportState State { get; private set; } = ImportState.Empty;

    /// <summary>The running (or last) background step, for tests and callers that wait.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public UploadOptions Limits => options.Value;

    /// <summary>Uploads wait here until imported: next to the database, on the disk that has room for it.</summary>
    public string UploadFolder => Path.Combine(Path.GetDirectoryName(storage.Value.ResolvedDatabasePath) ?? Path.GetTempPath(), "uploads");

    public IDisposable Subscribe(Action<ImportState> onChange) => _broadcast.Subscribe(onChange);

    /// <summary>Why these files cannot be uploaded (too many, too large), or null.</summary>
    public string? CheckLimits(IReadOnlyList<(string Name, long Size)> files)
    {
        var limits = options.Value;
        if (files.Count > limits.MaxFiles)
        {
            return TooManyFiles(files.Count, limits.MaxFiles);
        }
        var tooLarge = files.FirstOrDefault(f => f.Size > limits.MaxUploadBytes);
        return tooLarge.Name is null ? null
            : $"“{tooLarge.Name}” is {Megabytes(tooLarge.Size)}; the upload limit is {limits.MaxUploadMegabytes:N0} MB per file. " +
              "Put it in a ZIP archive (exports shrink to a tenth), import it with the command line (ClickInsights.Cli import FILE), " +
              "or ask whoever runs ClickInsights to raise ClickInsights:Import:MaxUploadMegabytes.";
    }

    public static string TooManyFiles(int count, int limit) =>
        $"You chose {count} files; at most {limit} can be uploaded at once. Put them in a ZIP archive, or upload them in several goes.";

    /// <summary>
    /// Receives the chosen files (streamed to temporary files, never held in memory), then checks them in the
    /// background. The streams are the browser's, so receiving runs while the page is open; checking goes on without it.
    /// Too many files, or one over the limit, leaves the runner empty with <see cref="ImportState.Error"/> saying why.
    /// </summary>
    /// <param name="cancellationToken">Stops receiving (the page closed); checking is stopped with <see cref="Cancel"/>.</param>
    public async Task UploadAsync(int workspaceId, IReadOnlyList<(string Name, long Size, Func<long, Stream> Open)> files, CancellationToken cancellationToken = default)
    {
        CancellationTokenSource cts;
        lock (_lock)
        {
            if (State.Busy)
            {
                return;
            }
            DeleteUploads(State.Files);
            cts = _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            State = ImportState.Empty with { Stage = ImportStage.Uploading, WorkspaceId = workspaceId, Message = "Uploading…" };
        }
        if (CheckLimits(files.Select(f => (f.Name, f.Size)).ToList()) is { } problem)
        {
            Finish(ImportState.Empty with { Error = problem });
            return;
        }
        Notify(force: true);

        var received = new List<ImportFileState>();
        try
        {
            // Uploaded exports hold every recipient's address: readable by the dashboard's user only.
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(UploadFolder);
            }
            else
            {
                Directory.CreateDirectory(UploadFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            long total = files.Sum(f => f.Size), done = 0;
            for (int i = 0; i < files.Count; i++)
            {
                var (name, _, open) = files[i];
                var path = Path.Combine(UploadFolder, $"{Guid.NewGuid():N}.upload");
                received.Add(new ImportFileState(path, name, path, name));
                await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                await using var source = open(options.Value.MaxUploadBytes);
                var buffer = new byte[1 << 16];
                int read;
                var index = i;
                while ((read = await source.ReadAsync(buffer, cts.Token)) > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, read), cts.Token);
                    done += read;
                    var progress = new ImportProgress(name, 0, 0, done, total, "Uploading");
                    Update(s => s with { FileIndex = index, Message = $"Uploading “{name}”", Progress = progress });
                }
            }
        }
        catch (Exception e)
        {
            DeleteUploads(received);
            var error = e switch
            {
                OperationCanceledException => "The upload was cancelled; nothing was imported.",
                IOException when e.Message.Contains("exceeds the maximum", StringComparison.OrdinalIgnoreCase) =>
                    $"A file is larger than the upload limit of {options.Value.MaxUploadMegabytes:N0} MB; nothing was imported.",
                _ => "The upload stopped before the files were complete (was the page reloaded or the connection lost?); nothing was imported. Try again.",
            };
            if (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Upload failed");
            }
            Finish(ImportState.Empty with { Error = error });
            return;
        }

        lock (_lock)
        {
            cts.Dispose();
            // Checking goes on if the page that uploaded is closed.
            var checking = _cts = new CancellationTokenSource();
            State = State with { Stage = ImportStage.Checking, Files = received, Progress = null, Message = "Checking the files…" };
            Completion = Task.Run(() => CheckAsync(received, checking.Token), CancellationToken.None);
        }
        Notify(force: true);
    }

    /// <summary>Checks a CSV file again with the columns a person chose (nothing is stored until the import).</summary>
    public Task UseMappingAsync(string fileId, CsvColumnMapping mapping)
    {
        CancellationTokenSource cts;
        ImportFileState file;
        lock (_lock)
        {
            if (State.Stage != ImportStage.Ready || State.Files.FirstOrDefault(f => f.Id == fileId) is not { } found)
            {
                return Task.CompletedTask;
            }
            file = found;
            cts = _cts = new CancellationTokenSource();
            State = State with { Stage = ImportStage.Checking, Message = $"Checking “{file.Name}” with your columns…" };
            Completion = Task.Run(() => CheckAsync([file], cts.Token, mapping), CancellationToken.None);
        }
        Notify(force: true);
        return Completion;
    }

    private async Task CheckAsync(IReadOnlyList<ImportFileState> uploads, CancellationToken cancellationToken, CsvColumnMapping? mapping = null)
    {
        try
        {
            var checkedFiles = new List<ImportFileState>();
            foreach (var upload in uploads.DistinctBy(u => u.UploadPath))
            {
                try
                {
                    using var source = ImportSource.Open(upload.UploadPath, upload.UploadName);
                    if (source.Entries.Count == 0)
                    {
                        checkedFiles.Add(upload with { Preview = new ImportPreview { FileName = upload.UploadName, Error = $"{upload.UploadName}: the archive holds no files." } });
                    }
                    foreach (var entry in source.Entries)
                    {
                        // A re-check of one file of an archive keeps the other files as they were.
                        var id = source.IsArchive ? upload.UploadPath + "|" + entry.Name : upload.UploadPath;
                        if (mapping is not null && id != uploads[0].Id)
                        {
                            continue;
                        }
                        var index = checkedFiles.Count;
                        Update(s => s with { Message = $"Checking “{entry.Name}”", FileIndex = index });
                        await using var stream = entry.Open();
                        var relay = new RelayProgress<ImportProgress>(p => Update(s => s with { Progress = entry.Length is { } length && !stream.CanSeek ? p with { TotalBytes = length } : p }));
                        var preview = await importer.PreviewAsync(stream, entry.Name, new ImportOptions { CsvMapping = mapping }, relay, cancellationToken);
                        checkedFiles.Add(new ImportFileState(id, entry.Name, upload.UploadPath, upload.UploadName) { Preview = preview });
                    }
                }
                catch (ImportFormatException e)
                {
                    checkedFiles.Add(upload with { Preview = new ImportPreview { FileName = upload.UploadName, Error = e.Message } });
                }
                catch (InvalidDataException e)
                {
                    checkedFiles.Add(upload with { Preview = new ImportPreview { FileName = upload.Name, Error = $"{upload.Name}: cannot be unpacked ({e.Message.TrimEnd('.')})." } });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One file that cannot be checked does not cost the others.
                    logger.LogError(e, "Checking {File} failed", upload.UploadName);
                    checkedFiles.Add(upload with { Preview = new ImportPreview { FileName = upload.UploadName, Error = $"{upload.UploadName}: could not be checked ({e.Message.TrimEnd('.')}). Nothing from this file was stored." } });
                }
            }
            lock (_lock)
            {
                var files = mapping is null
                    ? checkedFiles
                    : State.Files.Select(f => checkedFiles.FirstOrDefault(c => c.Id == f.Id) ?? f).ToList();
                State = State with { Stage = ImportStage.Ready, Files = files, Progress = null, Message = null };
            }
            Notify(force: true);
        }
        catch (OperationCanceledException) when (mapping is not null)
        {
            // A cancelled re-check with other columns: the files stay as they were, ready to import or to map again.
            lock (_lock)
            {
                State = State with { Stage = ImportStage.Ready, Progress = null, Message = null };
            }
            Notify(force: true);
        }
        catch (OperationCanceledException)
        {
            Finish(ImportState.Empty with { Error = "Checking was cancelled; nothing was imported." }, deleteUploads: true);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Checking uploaded files failed");
            Finish(ImportState.Empty with { Error = $"The files could not be checked: {e.Message}" }, deleteUploads: true);
        }
    }

    /// <summary>Imports every file that can be read, in the background; false when there is nothing to import or the runner is busy.</summary>
    public bool StartImport()
    {
        CancellationTokenSource cts;
        lock (_lock)
        {
            if (State.Stage != ImportStage.Ready || !State.Importable.Any())
            {
                return false;
            }
            cts = _cts = new CancellationTokenSource();
            State = State with { Stage = ImportStage.Importing, Message = "Importing…", FileIndex = 0, Progress = null };
            var snapshot = State;
            Completion = Task.Run(() => ImportAsync(snapshot, cts.Token), CancellationToken.None);
        }
        Notify(force: true);
        return true;
    }

    private async Task ImportAsync(ImportState start, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var files = start.Files.ToList();
        bool cancelled = false;
        try
        {
            var importable = files.Where(f => f.Preview is { CanImport: true }).ToList();
            for (int n = 0; n < importable.Count; n++)
            {
                var file = importable[n];
                cancellationToken.ThrowIfCancellationRequested();
                var preview = file.Preview!;
                if (preview.Csv is { } header && preview.Mapping is { } mapping)
                {
                    // Remembered for the next file with the same header row.
                    await mappings.SaveAsync(header, mapping, cancellationToken);
                }
                var position = n;
                Update(s => s with { FileIndex = position, Message = $"Importing “{file.Name}” ({position + 1} of {importable.Count})", Progress = null }, force: true);
                ImportOutcome outcome;
                try
                {
                    using var source = ImportSource.Open(file.UploadPath, file.UploadName);
                    var entry = source.Entries.First(e => e.Name == file.Name);
                    await using var stream = entry.Open();
                    var relay = new RelayProgress<ImportProgress>(p => Update(s => s with { Progress = entry.Length is { } length && !stream.CanSeek ? p with { TotalBytes = length } : p }));
                    var result = await importer.ImportAsync(start.WorkspaceId, stream, file.Name, new ImportOptions { CsvMapping = preview.Mapping }, relay, cancellationToken);
                    outcome = new ImportOutcome(file.Name, result, null);
                }
                catch (ImportFormatException e)
                {
                    outcome = new ImportOutcome(file.Name, null, e.Message);
                }
                var index = files.FindIndex(f => f.Id == file.Id);
                files[index] = files[index] with { Outcome = outcome };
                var snapshot = files.ToList();
                Update(s => s with { Files = snapshot }, force: true);
            }
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Import failed");
            Finish(State with { Stage = ImportStage.Done, Files = files, Progress = null, Message = null, Error = $"The import stopped with an error: {e.Message}", Summary = Summarize(files, stopwatch.Elapsed, false) }, deleteUploads: true);
            return;
        }
        Finish(State with { Stage = ImportStage.Done, Files = files, Progress = null, Message = null, Summary = Summarize(files, stopwatch.Elapsed, cancelled) }, deleteUploads: true);
    }

    private static ImportSummary Summarize(IReadOnlyList<ImportFileState> files, TimeSpan elapsed, bool cancelled)
    {
        var results = files.Select(f => f.Outcome?.Result).OfType<ImportResult>().ToList();
        return new ImportSummary(
            results.Count,
            files.Count(f => f.Preview?.CanImport == false || f.Outcome?.Error is not null),
            // Distinct over the whole import: six campaigns in eighteen report files are six.
            results.SelectMany(r => r.CampaignIds).Distinct().Count(),
            results.Sum(r => (long)r.EventsRead),
            results.Sum(r => (long)r.EventsAdded),
            results.Sum(r => (long)r.DuplicatesSkipped),
            results.Sum(r => (long)r.Clicks),
            elapsed,
            cancelled)
        {
            RepeatsInFile = results.Sum(r => (long)r.RepeatsInFile),
        };
    }

    public void Cancel()
    {
        lock (_lock)
        {
            _cts?.Cancel();
        }
    }

    /// <summary>Puts a checked or finished import away (deleting its uploads) so that new files can be chosen.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            if (State.Busy)
            {
                return;
            }
            DeleteUploads(State.Files);
            State = ImportState.Empty;
        }
        Notify(force: true);
    }

    /// <summary>How many past imports the Import page lists.</summary>
    public const int HistoryShown = 20;

    /// <summary>The workspace's past imports, newest first.</summary>
    public async Task<IReadOnlyList<ImportRecord>> HistoryAsync(int workspaceId, int take = HistoryShown, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Imports.AsNoTracking().Where(i => i.WorkspaceId == workspaceId && i.FinishedAt != null)
            .OrderByDescending(i => i.Id).Take(take).ToListAsync(cancellationToken);
    }

    public static string Megabytes(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024.0):N1} MB"
        : $"{Math.Max(1, bytes / 1024):N0} KB";

    private void Finish(ImportState state, bool deleteUploads = false)
    {
        lock (_lock)
        {
            if (deleteUploads)
            {
                DeleteUploads(State.Files);
            }
            State = state;
            _cts?.Dispose();
            _cts = null;
        }
        Notify(force: true);
    }

    private void DeleteUploads(IEnumerable<ImportFileState> files)
    {
        foreach (var path in files.Select(f => f.UploadPath).Distinct())
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException e)
            {
                logger.LogWarning(e, "Could not delete the upload {Path}", path);
            }
        }
    }

    private void Update(Func<ImportState, ImportState> change, bool force = false)
    {
        lock (_lock)
        {
            State = change(State);
        }
        Notify(force);
    }

    private void Notify(bool force)
    {
        ImportState state;
        lock (_lock)
        {
            state = State;
        }
        _broadcast.Publish(state, force);
    }
}
