using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Jobs;

/// <summary><c>ClickInsights:Jobs</c>: how this instance runs background jobs.</summary>
public sealed class JobOptions
{
    public const string Section = "ClickInsights:Jobs";

    /// <summary>False: this instance serves pages only and leaves jobs to the others.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many jobs this instance runs at once (a long gateway lookup does not hold up a webhook's classification).</summary>
    public int Workers { get; set; } = 3;

    /// <summary>How long a claim holds a job; it is renewed while the job runs.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle worker looks for jobs queued by other instances (its own wake it at once).</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a campaign's classification waits after webhook events arrived: batches arriving meanwhile are classified
    /// with it, so that a steady stream of webhooks does not classify a growing campaign over and over.
    /// </summary>
    public TimeSpan ClassifyWebhooksAfter { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Wakes this instance's workers when it queued a job itself, and stops a job of theirs that someone asked to stop.</summary>
public sealed class JobSignal : Wakeup
{
    /// <summary>Someone on this instance asked the job with this id to stop.</summary>
    public event Action<long>? Stopping;

    public void Stop(long jobId) => Stopping?.Invoke(jobId);
}

/// <summary>What a running job tells the people of its workspace (on every instance, through the activity relay).</summary>
public sealed class JobProgress(WorkspaceActivity.Handle? shown)
{
    public static JobProgress None { get; } = new(null);

    public void Report(string what, int? done = null, int? total = null) => shown?.Report(what, done, total);
}

/// <summary>One kind of background work (<see cref="JobKinds"/>) that the job table runs.</summary>
public interface IJobHandler
{
    string Kind { get; }

    /// <summary>What the people of the job's workspace see while it runs; null shows nothing (the work shows itself).</summary>
    string? Describe(ClaimedJob job);

    /// <summary>Does the work; returns what it did in one line, for the people of its workspace (or null).</summary>
    /// <remarks>Cancelled because someone asked it to stop, it may return what it did until then instead of throwing.</remarks>
    Task<string?> RunAsync(ClaimedJob job, JobProgress progress, CancellationToken cancellationToken);
}

/// <summary>
/// Runs the job table's work in this instance, a few jobs at a time: claims a job, renews its lease while it runs, ends
/// it. Stopped mid-job (the instance shuts down), it leaves the job to be taken over when the lease runs out.
/// </summary>
public sealed class JobWorker(JobQueue queue, IEnumerable<IJobHandler> handlers, JobSignal signal, WorkspaceActivity activity, IOptions<JobOptions> options, ILogger<JobWorker> logger)
{
    /// <summary>How often a running job's worker looks whether someone asked it to stop on another instance.</summary>
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, IJobHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);

    /// <summary>Runs <see cref="JobOptions.Workers"/> loops until <paramref name="stopping"/>.</summary>
    public Task RunAsync(string owner, CancellationToken stopping) =>
        Task.WhenAll(Enumerable.Range(0, Math.Clamp(options.Value.Workers, 1, 16)).Select(_ => LoopAsync(owner, stopping)));

    private async Task LoopAsync(string owner, CancellationToken stopping)
    {
        var lease = options.Value.Lease > TimeSpan.Zero ? options.Value.Lease : TimeSpan.FromSeconds(60);
        var poll = options.Value.PollEvery > TimeSpan.Zero ? options.Value.PollEvery : TimeSpan.FromSeconds(2);
        while (!stopping.IsCancellationRequested)
        {
            ClaimedJob? job;
            try
            {
                job = await queue.ClaimAsync(owner, lease, stopping);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not look for background jobs; trying again shortly");
                job = null;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (job is null)
            {
                try
                {
                    await signal.WaitAsync(poll, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            // More may wait: another idle loop looks at once.
            signal.Wake();
            await RunOneAsync(job, owner, lease, stopping);
        }
    }

    private async Task RunOneAsync(ClaimedJob job, string owner, TimeSpan lease, CancellationToken stopping)
    {
        if (!_handlers.TryGetValue(job.Kind, out var handler))
        {
            await queue.FinishAsync(job.Id, owner, $"Unknown kind of background job '{job.Kind}'.", CancellationToken.None);
            return;
        }
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var stopRequested = false;
        void OnStopping(long id)
        {
            if (id == job.Id)
            {
                stopRequested = true;
                running.Cancel();
            }
        }
        signal.Stopping += OnStopping;
        var renewing = HoldAsync(job, owner, lease, running, () => stopRequested = true);
        // Everyone looking at the workspace sees the work, on every instance (the activity relay).
        using var shown = job.WorkspaceId is { } workspace && handler.Describe(job) is { } what
            ? activity.Start(workspace, job.RequestedBy ?? "ClickInsights", what, kind: job.Kind)
            : null;
        string? error = null;
        string? result = null;
        var gaveUp = false;
        try
        {
            if (job.Attempts > 1)
            {
                logger.LogInformation("Taking over background job {Id} ({Key}), attempt {Attempt}: its instance stopped before finishing it", job.Id, job.Key, job.Attempts);
            }
            result = await handler.RunAsync(job, new JobProgress(shown), running.Token);
        }
        catch (OperationCanceledException) when (stopRequested)
        {
            result = "Stopped before it finished; what was done is kept.";
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            // Shutting down, or the lease was lost: another instance takes the job over.
            gaveUp = true;
        }
        catch (Exception e)
        {
            error = e.Message;
            logger.LogError(e, "Background job {Id} ({Key}) failed", job.Id, job.Key);
        }
        finally
        {
            signal.Stopping -= OnStopping;
        }
        await running.CancelAsync();
        await renewing;
        // Also when the work gave up on shutdown without saying so: another instance does it again.
        if (gaveUp || (error is null && !stopRequested && stopping.IsCancellationRequested))
        {
            return;
        }
        await queue.FinishAsync(job.Id, owner, error, CancellationToken.None, result);
    }

    /// <summary>Renews the lease every few seconds; cancels the job when it was lost or someone asked it to stop.</summary>
    private async Task HoldAsync(ClaimedJob job, string owner, TimeSpan lease, CancellationTokenSource running, Action stopRequested)
    {
        var every = lease / 3 < CheckEvery ? lease / 3 : CheckEvery;
        try
        {
            while (true)
            {
                await Task.Delay(every, running.Token);
                switch (await queue.HoldAsync(job.Id, owner, lease, running.Token))
                {
                    case JobHold.Lost:
                        logger.LogWarning("Background job {Id} ({Key}) was taken over by another instance", job.Id, job.Key);
                        await running.CancelAsync();
                        return;
                    case JobHold.StopRequested:
                        stopRequested();
                        await running.CancelAsync();
                        return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not renew background job {Id}", job.Id);
        }
    }
}
