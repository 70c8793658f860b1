using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.Webhooks;
using Microsoft.Extensions.Options;

using ClickInsights.Core.Jobs;

namespace ClickInsights.Web.Sync;

/// <summary>
/// This instance's share of the background work: its worker runs jobs from the job table (whichever instance queued
/// them), and its timer queues the due syncs as one job, so that with several instances they run once.
/// </summary>
internal sealed class BackgroundSync(JobWorker worker, JobQueue jobs, IOptions<JobOptions> jobOptions, IOptions<SyncScheduleOptions> options,
    IConfiguration configuration, TimeProvider time, ILogger<BackgroundSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var owner = Health.InstanceName(configuration);
        var working = jobOptions.Value.Enabled ? worker.RunAsync(owner, stoppingToken) : Task.CompletedTask;
        if (options.Value.Enabled)
        {
            using var timer = new PeriodicTimer(options.Value.CheckEvery > TimeSpan.Zero ? options.Value.CheckEvery : TimeSpan.FromMinutes(1), time);
            do
            {
                try
                {
                    await jobs.EnqueueAsync(JobKinds.SyncDue, JobKinds.SyncDue, cancellationToken: stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Each sync records its own failure on its connection; this is only the schedule itself failing.
                    logger.LogError(e, "The background sync could not be queued");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        await working;
    }
}
