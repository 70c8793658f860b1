using Microsoft.EntityFrameworkCore;
using ClickInsights.Core.Classification;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Core.Providers.Webhooks;

/// <summary>
/// Campaigns waiting to be classified after webhook events were stored, so that a webhook call is answered at once: a
/// job in the database per campaign (<see cref="Jobs.JobQueue"/>), which any instance's worker runs once, and another
/// takes over if the first stops. A campaign queued again before its turn is classified once.
/// </summary>
public sealed class ClassificationQueue(Jobs.JobQueue jobs, ClassificationService classification, ILogger<ClassificationQueue> logger) : Jobs.IJobHandler
{
    public string Kind => Jobs.JobKinds.Classify;

    public string? Describe(Jobs.ClaimedJob job) => "Classifying the events that just arrived";

    async Task<string?> Jobs.IJobHandler.RunAsync(Jobs.ClaimedJob job, Jobs.JobProgress progress, CancellationToken cancellationToken)
    {
        await RunAsync(job, cancellationToken);
        return null;
    }

    /// <summary>How long a worker of this process holds a job it drains (tests and the CLI).</summary>
    private static readonly TimeSpan DrainLease = TimeSpan.FromMinutes(5);

    /// <summary>Queues the campaigns; returns once the queue is stored (a webhook is answered after this).</summary>
    /// <param name="delay">How long to wait for more events of the same campaigns before classifying (webhooks under load).</param>
    public async Task EnqueueAsync(IEnumerable<int> campaignIds, int? workspaceId = null, CancellationToken cancellationToken = default, TimeSpan? delay = null)
    {
        foreach (var id in campaignIds.Distinct())
        {
            await jobs.EnqueueAsync(Jobs.JobKinds.Classify, Jobs.JobKinds.ClassifyKey(id), workspaceId, id.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken, delay: delay);
        }
    }

    /// <summary>How many campaigns wait to be classified.</summary>
    public Task<int> WaitingAsync(CancellationToken cancellationToken = default) => jobs.QueuedAsync(Jobs.JobKinds.Classify, cancellationToken);

    /// <summary>Runs every classification waiting now in this process, and returns (tests; the dashboard's workers run them otherwise).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        var owner = $"drain:{Environment.ProcessId}:{Guid.NewGuid():N}";
        while (await jobs.ClaimAsync(owner, DrainLease, cancellationToken, Jobs.JobKinds.Classify, now: true) is { } job)
        {
            string? error = null;
            try
            {
                await RunAsync(job, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e.Message;
            }
            await jobs.FinishAsync(job.Id, owner, error, CancellationToken.None);
        }
    }

    /// <summary>Classifies the campaign a <see cref="Jobs.JobKinds.Classify"/> job names (gone meanwhile: nothing to do).</summary>
    public async Task RunAsync(Jobs.ClaimedJob job, CancellationToken cancellationToken)
    {
        if (!int.TryParse(job.Payload, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            throw new InvalidOperationException($"The classify job {job.Id} names no campaign.");
        }
        try
        {
            await classification.ClassifyCampaignsAsync([id], cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Classifying campaign {CampaignId} after a webhook failed", id);
            throw;
        }
    }
}

/// <summary>
/// Remembers the tokens of signed webhook calls for as long as their timestamps count as fresh, in the database: a
/// restart (or another instance) does not forget them, so a captured call cannot be sent again.
/// </summary>
public sealed class WebhookReplayGuard(IDbContextFactory<Data.ClickInsightsDbContext> dbFactory, TimeProvider time)
{
    /// <summary>False when the token was seen before (a replay).</summary>
    public async Task<bool> TryUseAsync(string token, TimeSpan keepFor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.WebhookTokens.Where(t => t.Until < now).ExecuteDeleteAsync(cancellationToken);
        db.WebhookTokens.Add(new Data.WebhookToken { Token = Key(token), Until = now + keepFor });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // The token is stored already: this call was received before.
            return false;
        }
    }

    /// <summary>Forgets a token whose call failed, so that the provider's retry is accepted.</summary>
    public async Task ForgetAsync(string token)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var key = Key(token);
        await db.WebhookTokens.Where(t => t.Token == key).ExecuteDeleteAsync();
    }

    /// <summary>A token of any length kept as its SHA-256, so that the key stays short.</summary>
    private static string Key(string token) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
}
