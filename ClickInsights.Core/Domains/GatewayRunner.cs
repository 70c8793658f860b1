using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Core.Domains;

/// <summary>Where the gateway lookup stands. <see cref="Total"/> counts only the domains that needed a lookup.</summary>
public sealed record GatewayProgress(bool Running, int WorkspaceId, int Done, int Total, int Failed, string? Message, DateTime? FinishedAt)
{
    public static GatewayProgress Idle { get; } = new(false, 0, 0, 0, 0, null, null);
}

/// <summary>
/// Looks up the MX gateway of every recipient domain of a workspace in the background, one run at a time, and
/// stores each answer with its TTL. Only missing and expired entries are looked up. Pages subscribe to progress;
/// nothing waits on DNS.
/// </summary>
public sealed class GatewayRunner(IDbContextFactory<ClickInsightsDbContext> dbFactory, GatewayResolver resolver, TimeProvider time, ILogger<GatewayRunner> logger)
{
    private const int Parallelism = 8;
    private const int BatchSize = 32;
    private static readonly TimeSpan NotifyEvery = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private readonly ProgressBroadcast<GatewayProgress> _broadcast = new(time, logger, NotifyEvery);
    private CancellationTokenSource? _cts;

    public GatewayProgress Progress { get; private set; } = GatewayProgress.Idle;

    /// <summary>The running (or last) lookup, for callers that want to wait for it (tests, the CLI).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public IDisposable Subscribe(Action<GatewayProgress> onChange) => _broadcast.Subscribe(onChange);

    /// <summary>Starts a lookup for the workspace; false when one is already running.</summary>
    public bool Start(int workspaceId)
    {
        lock (_lock)
        {
            if (Progress.Running)
            {
                return false;
            }
            _cts = new CancellationTokenSource();
            Progress = new GatewayProgress(true, workspaceId, 0, 0, 0, "Finding your recipients' domains…", null);
            var token = _cts.Token;
            Completion = Task.Run(() => RunAsync(workspaceId, token), CancellationToken.None);
        }
        Notify(force: true);
        return true;
    }

    public void Cancel()
    {
        lock (_lock)
        {
            _cts?.Cancel();
        }
    }

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

    private async Task RunAsync(int workspaceId, CancellationToken cancellationToken)
    {
        var done = 0;
        var failed = 0;
        var total = 0;
        try
        {
            bool demo;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                demo = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.IsDemo).FirstOrDefaultAsync(cancellationToken);
            }
            var due = await DueAsync(workspaceId, cancellationToken);
            total = due.Count;
            Update(p => p with { Total = total, Message = total == 0 ? null : $"Looking up {total} domains…" }, force: true);

            using var gate = new SemaphoreSlim(Parallelism);
            foreach (var batch in due.Chunk(BatchSize))
            {
                var results = await Task.WhenAll(batch.Select(async domain =>
                {
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        var result = await resolver.ResolveAsync(domain, demo, cancellationToken);
                        var d = Interlocked.Increment(ref done);
                        var f = result.Error is null ? Volatile.Read(ref failed) : Interlocked.Increment(ref failed);
                        Update(p => p with { Done = d, Failed = f, Message = $"Looked up {domain}" });
                        return result;
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
                await StoreAsync(results, cancellationToken);
            }
            var message = total == 0 ? "Every domain's gateway is up to date."
                : failed == 0 ? $"Looked up {total} {(total == 1 ? "domain" : "domains")}."
                : $"Looked up {total} {(total == 1 ? "domain" : "domains")}; {failed} could not be looked up and will be tried again later.";
            Finish(message, done, failed, total);
        }
        catch (OperationCanceledException)
        {
            Finish($"Stopped after {done} of {total} domains; what was found is kept.", done, failed, total);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Gateway lookup for workspace {WorkspaceId} failed", workspaceId);
            Finish($"The lookup stopped with an error after {done} of {total} domains: {e.Message}", done, failed, total);
        }
    }

    private async Task StoreAsync(IReadOnlyList<GatewayLookupResult> results, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var domains = results.Select(r => r.Domain).ToList();
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
        await db.SaveChangesAsync(cancellationToken);
    }

    private void Finish(string message, int done, int failed, int total)
    {
        lock (_lock)
        {
            Progress = Progress with { Running = false, Done = done, Failed = failed, Total = total, Message = message, FinishedAt = time.GetUtcNow().UtcDateTime };
            _cts?.Dispose();
            _cts = null;
        }
        Notify(force: true);
    }

    private void Update(Func<GatewayProgress, GatewayProgress> change, bool force = false)
    {
        lock (_lock)
        {
            Progress = change(Progress);
        }
        Notify(force);
    }

    private GatewayProgress Snapshot()
    {
        lock (_lock)
        {
            return Progress;
        }
    }

    private void Notify(bool force) => _broadcast.Publish(Snapshot(), force);
}
