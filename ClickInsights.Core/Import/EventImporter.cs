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
        new MailchimpReader(),
        new PostmarkReader(),
        new MailgunReader(),
        new BrevoReader(),
        new SendGridReader(),
    ];

    public static string KnownFormats => string.Join(", ", Readers.Select(r => r.Format));

    public async Task<ImportResult> ImportFileAsync(int workspaceId, string path, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await ImportAsync(workspaceId, file, Path.GetFileName(path), progress, cancellationToken);
    }

    /// <summary>Reads the first bytes of a stream and names the format, or explains which formats are read.</summary>
    public static async Task<(IEventReader Reader, Stream Stream)> DetectAsync(Stream stream, string fileName, CancellationToken cancellationToken)
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
        var reader = Readers.FirstOrDefault(r => r.CanRead(head.AsSpan(0, filled)))
            ?? throw new ImportFormatException(fileName, "the start of the file", filled == 0
                ? "the file is empty"
                : $"this is not a format ClickInsights reads; it reads: {KnownFormats}");
        return (reader, new PrefixedStream(head.AsMemory(0, filled), stream));
    }

    public Task<ImportResult> ImportAsync(int workspaceId, Stream source, string fileName, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ImportAsync(workspaceId, source, fileName, classify: true, progress, cancellationToken);

    /// <param name="classify">
    /// False stores the events and leaves classification to the caller, who classifies
    /// <see cref="ImportResult.CampaignIds"/> once after many small imports (a sync's pages, webhook batches).
    /// </param>
    public async Task<ImportResult> ImportAsync(int workspaceId, Stream source, string fileName, bool classify, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        long? totalBytes = source.CanSeek ? source.Length : null;
        var counting = new CountingStream(source);
        var (reader, stream) = await DetectAsync(counting, fileName, cancellationToken);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Workspaces.AnyAsync(w => w.Id == workspaceId, cancellationToken))
        {
            throw new InvalidOperationException($"Workspace {workspaceId} does not exist.");
        }
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);

        int read = 0, added = 0, clicks = 0;
        ImportResult result;
        HashSet<int> touched;
        await using (var writer = await EventWriter.OpenAsync(connection, workspaceId, fileName, reader.Format, time.GetUtcNow().UtcDateTime, cancellationToken))
        {
            await foreach (var item in reader.ReadNumberedAsync(stream, fileName, cancellationToken))
            {
                if (item is not NormalizedEvent e)
                {
                    writer.Write(item);
                    continue;
                }
                read++;
                if (writer.Write(e))
                {
                    added++;
                    if (e.Type == EventType.Click)
                    {
                        clicks++;
                    }
                }
                if (read % ProgressEvery == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(new ImportProgress(fileName, read, added, counting.BytesRead, totalBytes, "Reading events"));
                }
            }
            touched = writer.TouchedCampaigns;
            result = new ImportResult(writer.ImportId, fileName, reader.Format, touched.Count, read, added, read - added, clicks, stopwatch.Elapsed) { CampaignIds = touched };
            cancellationToken.ThrowIfCancellationRequested();
            await writer.CommitAsync(result, time.GetUtcNow().UtcDateTime, cancellationToken);
        }

        if (classify)
        {
            progress?.Report(new ImportProgress(fileName, read, added, counting.BytesRead, totalBytes, "Classifying clicks"));
            // The events are stored; classification can always be redone, so it runs after the commit.
            await classification.ClassifyCampaignsAsync(touched, CancellationToken.None);
        }
        result = result with { Elapsed = stopwatch.Elapsed };
        progress?.Report(new ImportProgress(fileName, read, added, counting.BytesRead, totalBytes, "Done"));
        return result;
    }
}
