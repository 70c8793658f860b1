using System.Globalization;
using System.Text.Json;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Import;
using ClickInsights.Core.Providers;

namespace ClickInsights.Core.Jobs;

/// <summary>Every campaign of a workspace classified again after its settings changed (<see cref="JobKinds.Recompute"/>).</summary>
public sealed class RecomputeJob(JobQueue jobs, ClassificationService classification) : IJobHandler
{
    public string Kind => JobKinds.Recompute;

    /// <summary>Queues the recompute of the workspace; one waiting is enough however often the settings are saved meanwhile.</summary>
    public Task<bool> EnqueueAsync(int workspaceId, string who, CancellationToken cancellationToken = default) =>
        jobs.EnqueueAsync(Kind, JobKinds.WorkspaceKey(Kind, workspaceId), workspaceId, cancellationToken: cancellationToken, requestedBy: who);

    public string? Describe(ClaimedJob job) => "Recomputing every campaign with new settings";

    public async Task<string?> RunAsync(ClaimedJob job, JobProgress progress, CancellationToken cancellationToken)
    {
        var workspaceId = job.WorkspaceId ?? throw new InvalidOperationException($"The recompute job {job.Id} names no workspace.");
        var total = 0;
        // Reported on the calling thread: the count is known when the recompute returns.
        await classification.ClassifyWorkspaceAsync(workspaceId, new RelayProgress<(int Done, int Total)>(p =>
        {
            total = p.Total;
            progress.Report($"Recomputing campaign {p.Done} of {p.Total} with new settings", p.Done, p.Total);
        }), cancellationToken);
        return total == 1 ? "Recomputed 1 campaign with the new settings." : $"Recomputed {total:N0} campaigns with the new settings.";
    }
}

/// <summary>An earlier import taken back (<see cref="JobKinds.RemoveImport"/>): its events deleted, its campaigns counted again.</summary>
public sealed class ImportRemovalJob(JobQueue jobs, EventImporter importer, AuditLog audit) : IJobHandler
{
    private sealed record Input(int ImportId, string FileName);

    public string Kind => JobKinds.RemoveImport;

    /// <summary>Queues the removal; false when a removal in this workspace is already waiting or running.</summary>
    public Task<bool> EnqueueAsync(int workspaceId, int importId, string fileName, string who, CancellationToken cancellationToken = default) =>
        jobs.EnqueueIfIdleAsync(Kind, JobKinds.WorkspaceKey(Kind, workspaceId), workspaceId, JsonSerializer.Serialize(new Input(importId, fileName)), who, cancellationToken);

    public string? Describe(ClaimedJob job) => $"Removing the import of {job.Read<Input>().FileName}";

    public async Task<string?> RunAsync(ClaimedJob job, JobProgress progress, CancellationToken cancellationToken)
    {
        var input = job.Read<Input>();
        var workspaceId = job.WorkspaceId ?? throw new InvalidOperationException($"The removal job {job.Id} names no workspace.");
        // Not stopped halfway: a removal is all or nothing, so it finishes once it has started.
        var removed = await importer.RemoveImportAsync(workspaceId, input.ImportId, CancellationToken.None);
        var said = $"Removed the import of {removed.FileName}: {removed.EventsRemoved.ToString("N0", CultureInfo.InvariantCulture)} events"
            + (removed.CampaignsRemoved switch { 0 => "", 1 => ", and 1 campaign with nothing left", var n => $", and {n} campaigns with nothing left" }) + ".";
        await audit.RecordAsync(workspaceId, job.RequestedBy ?? "ClickInsights", AuditActions.ImportRemoved,
            $"Removed the import of {removed.FileName} ({removed.EventsRemoved.ToString("N0", CultureInfo.InvariantCulture)} events).", CancellationToken.None);
        return said;
    }
}

/// <summary>
/// One connection's fetch from its provider (<see cref="JobKinds.Sync"/>): asked for with "Sync now", after a sign-in, or
/// by the schedule. One at a time per connection; shown to everyone looking at its workspace, on every instance.
/// </summary>
public sealed class SyncJob(JobQueue jobs, SyncRunner syncs) : IJobHandler
{
    private sealed record Input(int ConnectionId, string Name);

    public string Kind => JobKinds.Sync;

    public static string Key(int connectionId) => $"{JobKinds.Sync}:{connectionId}";

    /// <summary>Queues a fetch of the connection; false when one is already waiting or running.</summary>
    public Task<bool> EnqueueAsync(int workspaceId, int connectionId, string name, string who, CancellationToken cancellationToken = default) =>
        jobs.EnqueueIfIdleAsync(Kind, Key(connectionId), workspaceId, JsonSerializer.Serialize(new Input(connectionId, name)), who, cancellationToken);

    /// <summary>Stops the connection's fetch, on whichever instance runs it; what was fetched is kept.</summary>
    public Task<bool> StopAsync(int workspaceId, int connectionId, string who, CancellationToken cancellationToken = default) =>
        jobs.RequestStopAsync(workspaceId, Key(connectionId), who, cancellationToken);

    public string? Describe(ClaimedJob job) => $"Fetching from “{job.Read<Input>().Name}”";

    public async Task<string?> RunAsync(ClaimedJob job, JobProgress progress, CancellationToken cancellationToken)
    {
        var input = job.Read<Input>();
        using var following = syncs.Subscribe(p =>
        {
            if (p.ConnectionId == input.ConnectionId && p.Running)
            {
                progress.Report($"Fetching from “{input.Name}” ({Plural.Of(p.EventsAdded, "new event")} so far)");
            }
        });
        var outcome = await syncs.SyncAsync(input.ConnectionId, cancellationToken);
        // A failed fetch is told on the connection (its last error, in the provider's words); the job itself ended.
        return outcome.Succeeded ? outcome.Summary : $"The fetch failed: {outcome.Error ?? outcome.Summary}";
    }
}

/// <summary>The schedule (<see cref="JobKinds.SyncDue"/>): a fetch queued for every connection whose interval has passed.</summary>
public sealed class SyncDueJob(ConnectionService connections, SyncJob sync) : IJobHandler
{
    public string Kind => JobKinds.SyncDue;

    public string? Describe(ClaimedJob job) => null;

    public async Task<string?> RunAsync(ClaimedJob job, JobProgress progress, CancellationToken cancellationToken)
    {
        foreach (var connection in await connections.DueConnectionsAsync(cancellationToken))
        {
            await sync.EnqueueAsync(connection.WorkspaceId, connection.Id, connection.Name, "ClickInsights (on schedule)", cancellationToken);
        }
        return null;
    }
}
