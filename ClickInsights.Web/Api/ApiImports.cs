using System.Collections.Concurrent;
using ClickInsights.Core.Import;

namespace ClickInsights.Web.Api;

/// <summary>
/// Files sent through the API, imported one after another in the background: each is answered <c>202</c> at once and
/// its status is asked for at its own address. Kept in this process (the import's record stays in the history).
/// </summary>
public sealed class ApiImports(EventImporter importer, TimeProvider time, ILogger<ApiImports> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();

    private sealed class Job
    {
        public required string Id { get; init; }
        public required int WorkspaceId { get; init; }
        public required string FileName { get; init; }
        public required DateTime ReceivedAt { get; init; }
        public volatile string Status = "queued";
        public DateTime? FinishedAt;
        public ImportSummaryDto? Summary;
        public List<string> Errors { get; } = [];
    }

    /// <summary>Takes a file already saved at <paramref name="path"/> (deleted when done); its id.</summary>
    public string Start(int workspaceId, string path, string fileName)
    {
        var job = new Job { Id = Guid.NewGuid().ToString("N"), WorkspaceId = workspaceId, FileName = fileName, ReceivedAt = time.GetUtcNow().UtcDateTime };
        _jobs[job.Id] = job;
        _ = Task.Run(() => RunAsync(job, path));
        return job.Id;
    }

    /// <summary>An import's status, for its own workspace only.</summary>
    public ImportStatusDto? Status(int workspaceId, string id) =>
        _jobs.TryGetValue(id, out var job) && job.WorkspaceId == workspaceId
            ? new ImportStatusDto(job.Id, job.Status, job.FileName, job.ReceivedAt, job.FinishedAt, job.Summary, [.. job.Errors])
            : null;

    private async Task RunAsync(Job job, string path)
    {
        var cancellationToken = _stopping.Token;
        try
        {
            await _oneAtATime.WaitAsync(cancellationToken);
            try
            {
                job.Status = "running";
                using var source = ImportSource.Open(path, job.FileName);
                var outcomes = await importer.ImportSourceAsync(job.WorkspaceId, source, ImportOptions.Default, null, cancellationToken);
                var results = outcomes.Select(o => o.Result).OfType<ImportResult>().ToList();
                job.Errors.AddRange(outcomes.Select(o => o.Error).OfType<string>());
                job.Summary = new ImportSummaryDto(results.Count, outcomes.Count - results.Count, results.SelectMany(r => r.CampaignIds).Distinct().Count(),
                    results.Sum(r => (long)r.EventsRead), results.Sum(r => (long)r.EventsAdded), results.Sum(r => (long)r.DuplicatesSkipped), results.Sum(r => (long)r.Clicks));
                job.Status = results.Count == 0 && job.Errors.Count > 0 ? "failed" : "done";
            }
            finally
            {
                _oneAtATime.Release();
            }
        }
        catch (ImportFormatException e)
        {
            job.Errors.Add(e.Message);
            job.Status = "failed";
        }
        catch (OperationCanceledException)
        {
            job.Errors.Add("The dashboard stopped before the import finished; nothing of the unfinished file was kept. Send it again.");
            job.Status = "failed";
        }
        catch (Exception e)
        {
            logger.LogError(e, "API import {Id} failed", job.Id);
            job.Errors.Add($"The import stopped with an error (logged under import {job.Id}); nothing of the unfinished file was kept.");
            job.Status = "failed";
        }
        finally
        {
            job.FinishedAt = time.GetUtcNow().UtcDateTime;
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
