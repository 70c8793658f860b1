using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Jobs;

/// <summary><c>ClickInsights:Jobs</c>: how this instance runs background jobs.</summary>
public sealed class JobOptions
{
    public const string Section = "ClickInsights:Jobs";

    /// <summary>False: this instance serves pages only and leaves jobs to the others.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a claim holds a job; it is renewed every third of it while the job runs.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle worker looks for jobs queued by other instances (its own wake it at once).</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Wakes this instance's worker when it queued a job itself.</summary>
public sealed class JobSignal : Wakeup;

/// <summary>
/// Runs the job table's work in this instance, one job at a time: claims a job, renews its lease while it runs, ends
/// it. Stopped mid-job (the instance shuts down), it leaves the job to be taken over when the lease runs out.
/// </summary>
public sealed class JobWorker(JobQueue queue, ClassificationQueue classification, SyncRunner syncs, JobSignal signal, WorkspaceActivity activity, IOptions<JobOptions> options, ILogger<JobWorker> logger)
{
    public async Task RunAsync(string owner, CancellationToken stopping)
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
            await RunOneAsync(job, owner, lease, stopping);
        }
    }

    private async Task RunOneAsync(ClaimedJob job, string owner, TimeSpan lease, CancellationToken stopping)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var renewing = RenewAsync(job, owner, lease, running);
        // Everyone looking at the workspace sees the work, on every instance (the activity relay).
        using var shown = job is { Kind: JobKinds.Classify, WorkspaceId: { } workspace }
            ? activity.Start(workspace, "ClickInsights", "Classifying the events that just arrived")
            : null;
        string? error = null;
        try
        {
            if (job.Attempts > 1)
            {
                logger.LogInformation("Taking over background job {Id} ({Key}), attempt {Attempt}: its instance stopped before finishing it", job.Id, job.Key, job.Attempts);
            }
            await (job.Kind switch
            {
                JobKinds.Classify => classification.RunAsync(job, running.Token),
                JobKinds.SyncDue => syncs.SyncDueAsync(running.Token),
                _ => throw new InvalidOperationException($"Unknown kind of background job '{job.Kind}'."),
            });
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and another instance takes the job over.
            await running.CancelAsync();
            await renewing;
            return;
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            // The lease was lost: another instance runs the job now.
            await renewing;
            return;
        }
        catch (Exception e)
        {
            error = e.Message;
            logger.LogError(e, "Background job {Id} ({Key}) failed", job.Id, job.Key);
        }
        await running.CancelAsync();
        await renewing;
        await queue.FinishAsync(job.Id, owner, error, CancellationToken.None);
    }

    /// <summary>Renews the lease every third of it; cancels the job when it was lost.</summary>
    private async Task RenewAsync(ClaimedJob job, string owner, TimeSpan lease, CancellationTokenSource running)
    {
        try
        {
            while (true)
            {
                await Task.Delay(lease / 3, running.Token);
                if (!await queue.RenewAsync(job.Id, owner, lease, running.Token))
                {
                    logger.LogWarning("Background job {Id} ({Key}) was taken over by another instance", job.Id, job.Key);
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
