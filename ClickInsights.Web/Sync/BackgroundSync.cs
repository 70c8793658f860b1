using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.Webhooks;
using Microsoft.Extensions.Options;

namespace ClickInsights.Web.Sync;

/// <summary>Syncs connections whose interval has passed, and classifies campaigns that webhooks brought events for.</summary>
internal sealed class BackgroundSync(SyncRunner runner, ClassificationQueue queue, IOptions<SyncScheduleOptions> options, TimeProvider time, ILogger<BackgroundSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var classifying = queue.RunAsync(stoppingToken);
        if (options.Value.Enabled)
        {
            using var timer = new PeriodicTimer(options.Value.CheckEvery > TimeSpan.Zero ? options.Value.CheckEvery : TimeSpan.FromMinutes(1), time);
            do
            {
                try
                {
                    await runner.SyncDueAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Each sync records its own failure on its connection; this is only the schedule itself failing.
                    logger.LogError(e, "The background sync could not run");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        await classifying;
    }
}
