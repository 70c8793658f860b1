using ClickInsights.Core.Data;
using ClickInsights.Core.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Core.Domains;

/// <summary>Where a gateway lookup stands. <see cref="Total"/> counts only the domains that needed a lookup.</summary>
public sealed record GatewayProgress(bool Running, int WorkspaceId, int Done, int Total, int Failed, string? Message, DateTime? FinishedAt)
{
    public static GatewayProgress Idle { get; } = new(false, 0, 0, 0, 0, null, null);
}

/// <summary>
/// Looks up the MX gateway of every recipient domain of a workspace, and stores each answer with its TTL. Only missing
/// and expired entries are looked up. A lookup is a background job (<see cref="JobKinds.Gateways"/>): one at a time per
/// workspace, run once by whichever instance takes it, its progress shown to everyone looking at the workspace; nothing
/// waits on DNS.
/// </summary>
public sealed class GatewayRunner(IDbContextFactory<ClickInsightsDbContext> dbFactory, GatewayResolver resolver, JobQueue jobs, TimeProvider time, ILogger<GatewayRunner> logger) : IJobHandler
{
    private const int Parallelism = 8;
    private const int BatchSize = 32;

    public string Kind => JobKinds.Gateways;

    public static string Key(int workspaceId) => JobKinds.WorkspaceKey(JobKinds.Gateways, workspaceId);

    /// <summary>Asks for a lookup of the workspace; false when one is already waiting or running.</summary>
    /// <param name="who">Who asked, as the workspace's activity shows them; null for the dashboard itself (the demo's first lookup).</param>
    public Task<bool> EnqueueAsync(int workspaceId, string? who, CancellationToken cancellationToken = default) =>
        jobs.EnqueueIfIdleAsync(Kind, Key(workspaceId), workspaceId, payload: null, who, cancellationToken);

    /// <summary>Stops the workspace's lookup; what was found is kept.</summary>
    public Task<bool> StopAsync(int workspaceId, string who, CancellationToken cancellationToken = default) =>
        jobs.RequestStopAsync(workspaceId, Key(workspaceId), who, cancellationToken);

    /// <summary>The workspace's lookup: waiting or running, else the last one that ended (with what it found).</summary>
    public Task<JobView?> LatestAsync(int workspaceId, CancellationToken cancellationToken = default) =>
        jobs.LatestAsync(workspaceId, Key(workspaceId), cancellationToken);

    /// <summary>Recipient domains of the workspace with no stored gateway or an expired one.</summary>
    public async Task<IReadOnlyList<string>> DueAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await (
            from d in db.Recipients.Where(r => r.WorkspaceId == workspaceId).Select(r => r.Domain).Distinct()
            join g in db.DomainGateways on d equals g.Domain into gateways
            from g in gateways.DefaultIfEmpty()
            where g == null || g.ExpiresAt <= now
            orderby d
            select d).ToListAsync(cancellationToken);
    }

    public string? Describe(ClaimedJob job) => "Looking up your recipients' mail gateways";

    async Task<string?> IJobHandler.RunAsync(ClaimedJob job, JobProgress progress, CancellationToken cancellationToken)
    {
        var workspaceId = job.WorkspaceId ?? throw new InvalidOperationException($"The gateway lookup {job.Id} names no workspace.");
        var end = await LookUpAsync(workspaceId, p => progress.Report(
            p.Total == 0 ? "Looking up your recipients' mail gateways" : $"Looking up mail gateways: {p.Done} of {p.Total} domains", p.Done, p.Total), cancellationToken);
        return end.Message;
    }

    /// <summary>Looks up the workspace's missing and expired gateways now; what was found is kept when it is stopped.</summary>
    /// <returns>How it ended, with a sentence for the page.</returns>
    public async Task<GatewayProgress> LookUpAsync(int workspaceId, Action<GatewayProgress>? report = null, CancellationToken cancellationToken = default)
    {
        var done = 0;
        var failed = 0;
        var total = 0;
        GatewayProgress Now(bool running, string? message) => new(running, workspaceId, done, total, failed, message, running ? null : time.GetUtcNow().UtcDateTime);
        try
        {
            bool demo;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                demo = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.IsDemo).FirstOrDefaultAsync(cancellationToken);
            }
            var due = await DueAsync(workspaceId, cancellationToken);
            total = due.Count;
            report?.Invoke(Now(true, total == 0 ? null : $"Looking up {total} domains…"));

            using var gate = new SemaphoreSlim(Parallelism);
            foreach (var batch in due.Chunk(BatchSize))
            {
                var results = await Task.WhenAll(batch.Select(async domain =>
                {
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        var result = await resolver.ResolveAsync(domain, demo, cancellationToken);
                        Interlocked.Increment(ref done);
                        if (result.Error is not null)
                        {
                            Interlocked.Increment(ref failed);
                        }
                        report?.Invoke(Now(true, $"Looked up {domain}"));
                        return result;
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
                await StoreAsync(results, cancellationToken);
            }
            var domains = total == 1 ? "domain" : "domains";
            return Now(false, total == 0 ? "Every domain's gateway is up to date."
                : failed == 0 ? $"Looked up {total} {domains}."
                : $"Looked up {total} {domains}; {failed} could not be looked up and will be tried again later.");
        }
        catch (OperationCanceledException)
        {
            return Now(false, $"Stopped after {done} of {total} domains; what was found is kept.");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Gateway lookup for workspace {WorkspaceId} failed", workspaceId);
            return Now(false, $"The lookup stopped with an error after {done} of {total} domains: {e.Message}");
        }
    }

    private async Task StoreAsync(IReadOnlyList<GatewayLookupResult> results, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var domains = results.Select(r => r.Domain).ToList();
        // Two workspaces sharing a domain may store it at once: the second reads again what the first stored and
        // applies its answers over it, by the same rule.
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var existing = await db.DomainGateways.Where(g => domains.Contains(g.Domain)).ToDictionaryAsync(g => g.Domain, cancellationToken);
            foreach (var r in results)
            {
                if (!existing.TryGetValue(r.Domain, out var row))
                {
                    row = new DomainGateway { Domain = r.Domain };
                    db.DomainGateways.Add(row);
                }
                // A failed lookup keeps what an earlier one found; it only records why it failed and when to retry.
                if (r.Error is null || string.IsNullOrEmpty(row.MxHosts))
                {
                    row.MxHosts = string.Join(' ', r.MxHosts);
                    row.Gateway = r.Gateway;
                }
                row.Error = r.Error;
                row.CheckedAt = now;
                row.ExpiresAt = now + r.Ttl;
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt == 1 && !cancellationToken.IsCancellationRequested)
            {
            }
        }
    }
}
