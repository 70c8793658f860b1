using System.Data.Common;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Jobs;

/// <summary>The kinds of background work that go through the job table.</summary>
public static class JobKinds
{
    /// <summary>Classify one campaign again (events arrived by webhook, or a classifier upgrade). Key <c>classify:ID</c>.</summary>
    public const string Classify = "classify";

    /// <summary>Queue a fetch for every connection whose interval has passed. Key <c>sync-due</c>: one at a time across instances.</summary>
    public const string SyncDue = "sync-due";

    /// <summary>Fetch from one connection. Key <c>sync:CONNECTION</c>.</summary>
    public const string Sync = "sync";

    /// <summary>Look up the MX gateways of a workspace's recipient domains. Key <c>gateways:WS</c>.</summary>
    public const string Gateways = "gateways";

    /// <summary>Classify every campaign of a workspace again (its settings changed). Key <c>recompute:WS</c>.</summary>
    public const string Recompute = "recompute";

    /// <summary>Remove one earlier import's events and classify its campaigns again. Key <c>remove-import:WS</c>: one at a time in a workspace.</summary>
    public const string RemoveImport = "remove-import";

    public static string ClassifyKey(int campaignId) => $"{Classify}:{campaignId}";

    /// <summary>The key of a job done once at a time per workspace.</summary>
    public static string WorkspaceKey(string kind, int workspaceId) => $"{kind}:{workspaceId}";
}

/// <summary>A job a worker holds: what to run, for whom, and for the how-many-th time.</summary>
public sealed record ClaimedJob(long Id, string Kind, string Key, int? WorkspaceId, string? Payload, int Attempts, string? RequestedBy = null)
{
    /// <summary>The job's input, from its JSON payload.</summary>
    /// <exception cref="InvalidOperationException">The payload is missing: the job cannot say what to work on.</exception>
    public T Read<T>() where T : class =>
        (Payload is null ? null : System.Text.Json.JsonSerializer.Deserialize<T>(Payload))
        ?? throw new InvalidOperationException($"The {Kind} job {Id} does not say what to work on.");
}

/// <summary>A job as the people of its workspace see it: waiting, running, or its last end with what it did.</summary>
public sealed record JobView(long Id, string Kind, JobState State, string? RequestedBy, DateTime CreatedAt, DateTime? FinishedAt, string? Result, string? Error, bool StopRequested);

/// <summary>What a renewal found: the job is still this worker's, another instance took it, or someone asked it to stop.</summary>
public enum JobHold
{
    Held,
    Lost,
    StopRequested,
}

/// <summary>
/// Background work in the database: queued by any instance, claimed by one (a lease it renews while it works), taken
/// over by another when the lease runs out (its instance stopped). On PostgreSQL a claim skips the rows other
/// instances hold (<c>FOR UPDATE SKIP LOCKED</c>); on SQLite, one process, the same statement runs alone.
/// </summary>
public sealed class JobQueue(IDbContextFactory<ClickInsightsDbContext> dbFactory, TimeProvider time, JobSignal? signal = null)
{
    /// <summary>Finished jobs are kept this long, for the record, then deleted.</summary>
    public static readonly TimeSpan KeepFinished = TimeSpan.FromDays(7);

    /// <summary>Queues a job unless one with the same key is queued already; true when this call queued it.</summary>
    /// <param name="requestedBy">Who asked for it, as the workspace's activity shows them; null for the dashboard's own work.</param>
    /// <param name="delay">How long the job waits before it may be claimed (work queued again meanwhile joins it).</param>
    public async Task<bool> EnqueueAsync(string kind, string key, int? workspaceId = null, string? payload = null, CancellationToken cancellationToken = default, string? requestedBy = null, TimeSpan? delay = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Jobs.AnyAsync(j => j.Key == key && j.State == JobState.Queued, cancellationToken))
        {
            return false;
        }
        db.Jobs.Add(new BackgroundJob { Kind = kind, Key = key, WorkspaceId = workspaceId, Payload = payload, State = JobState.Queued, CreatedAt = Now(), RequestedBy = requestedBy, RunAfter = delay is { } wait ? Now() + wait : null });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            signal?.Wake();
            return true;
        }
        catch (DbUpdateException)
        {
            // Queued by another instance at the same moment (one queued job per key).
            return false;
        }
    }

    /// <summary>
    /// Queues a job unless one with the same key is queued or running (a workspace's lookup, a connection's fetch, a
    /// removal: one at a time); true when this call queued it.
    /// </summary>
    public async Task<bool> EnqueueIfIdleAsync(string kind, string key, int workspaceId, string? payload, string? requestedBy, CancellationToken cancellationToken = default) =>
        await LatestAsync(workspaceId, key, cancellationToken) is not { State: JobState.Queued or JobState.Running }
        && await EnqueueAsync(kind, key, workspaceId, payload, cancellationToken, requestedBy);

    /// <summary>
    /// Takes the oldest job that is queued, or running with its lease run out, and holds it until <paramref name="lease"/>
    /// from now. A key that another instance is running now is left for later (a sync never runs twice at once).
    /// </summary>
    /// <param name="kind">Only jobs of this kind (a drain of one queue); null: any.</param>
    /// <param name="now">Also jobs whose delay has not run out yet (a drain that runs everything queued).</param>
    public async Task<ClaimedJob?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken = default, string? kind = null, bool now = false)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var postgres = db.Database.IsNpgsql();
        var at = Now();
        var due = now ? "" : @" AND (j.""RunAfter"" IS NULL OR j.""RunAfter"" <= @now)";
        var sql = $"""
            UPDATE "Jobs" SET "State" = 1, "Owner" = @owner, "LeaseUntil" = @until, "Attempts" = "Attempts" + 1,
                              "StartedAt" = COALESCE("StartedAt", @now)
            WHERE "Id" = (
                SELECT j."Id" FROM "Jobs" j
                WHERE ((j."State" = 0{due}) OR (j."State" = 1 AND j."LeaseUntil" < @now)){(kind is null ? "" : @" AND j.""Kind"" = @kind")}
                  AND NOT EXISTS (SELECT 1 FROM "Jobs" r WHERE r."Key" = j."Key" AND r."Id" <> j."Id" AND r."State" = 1 AND r."LeaseUntil" >= @now)
                ORDER BY j."Id"
                LIMIT 1{(postgres ? " FOR UPDATE SKIP LOCKED" : "")})
            RETURNING "Id", "Kind", "Key", "WorkspaceId", "Payload", "Attempts", "RequestedBy"
            """;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "@owner", owner);
        Add(command, "@until", at + lease);
        Add(command, "@now", at);
        if (kind is not null)
        {
            Add(command, "@kind", kind);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new ClaimedJob(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5),
            reader.IsDBNull(6) ? null : reader.GetString(6));
    }

    /// <summary>Holds the job longer; false when the owner lost it (its lease ran out and another instance took it).</summary>
    public async Task<bool> RenewAsync(long id, string owner, TimeSpan lease, CancellationToken cancellationToken = default) =>
        await HoldAsync(id, owner, lease, cancellationToken) != JobHold.Lost;

    /// <summary>Holds the job longer, and says whether someone asked it to stop meanwhile or another instance took it.</summary>
    public async Task<JobHold> HoldAsync(long id, string owner, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var until = Now() + lease;
        if (await db.Jobs.Where(j => j.Id == id && j.Owner == owner && j.State == JobState.Running)
                .ExecuteUpdateAsync(u => u.SetProperty(j => j.LeaseUntil, until), cancellationToken) != 1)
        {
            return JobHold.Lost;
        }
        return await db.Jobs.AnyAsync(j => j.Id == id && j.StopRequestedAt != null, cancellationToken) ? JobHold.StopRequested : JobHold.Held;
    }

    /// <summary>
    /// Asks the workspace's job with this key to stop: a queued one ends at once, a running one at its worker's next check
    /// (at once on this instance, through <see cref="JobSignal.Stopping"/>). False when none is queued or running.
    /// </summary>
    public async Task<bool> RequestStopAsync(int workspaceId, string key, string who, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = Now();
        var result = Line($"Stopped by {who} before it started.");
        var dropped = await db.Jobs.Where(j => j.WorkspaceId == workspaceId && j.Key == key && j.State == JobState.Queued)
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.State, JobState.Done).SetProperty(j => j.FinishedAt, now).SetProperty(j => j.Result, result), cancellationToken);
        var running = await db.Jobs.Where(j => j.WorkspaceId == workspaceId && j.Key == key && j.State == JobState.Running).Select(j => j.Id).ToListAsync(cancellationToken);
        if (running.Count > 0)
        {
            await db.Jobs.Where(j => running.Contains(j.Id)).ExecuteUpdateAsync(u => u.SetProperty(j => j.StopRequestedAt, now), cancellationToken);
            foreach (var id in running)
            {
                signal?.Stop(id);
            }
        }
        return dropped + running.Count > 0;
    }

    /// <summary>The workspace's job with this key: the one queued or running, else the last one that ended; null when there was none.</summary>
    public async Task<JobView?> LatestAsync(int workspaceId, string key, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.Where(j => j.WorkspaceId == workspaceId && j.Key == key)
            .OrderBy(j => j.State == JobState.Queued || j.State == JobState.Running ? 0 : 1).ThenByDescending(j => j.Id)
            .Select(j => new JobView(j.Id, j.Kind, j.State, j.RequestedBy, j.CreatedAt, j.FinishedAt, j.Result, j.Error, j.StopRequestedAt != null))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Ends the job, done or failed; false when the owner had lost it meanwhile (the other instance's end counts).</summary>
    /// <param name="result">What it did, in one line for the people of its workspace.</param>
    public async Task<bool> FinishAsync(long id, string owner, string? error = null, CancellationToken cancellationToken = default, string? result = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = Now();
        var state = error is null ? JobState.Done : JobState.Failed;
        var line = error is null ? null : Line(error);
        var said = result is null ? null : Line(result);
        var finished = await db.Jobs.Where(j => j.Id == id && j.Owner == owner && j.State == JobState.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.State, state).SetProperty(j => j.FinishedAt, now).SetProperty(j => j.LeaseUntil, (DateTime?)null)
                .SetProperty(j => j.Error, line).SetProperty(j => j.Result, said),
                cancellationToken) == 1;
        var old = now - KeepFinished;
        await db.Jobs.Where(j => j.FinishedAt != null && j.FinishedAt < old).ExecuteDeleteAsync(cancellationToken);
        return finished;
    }

    /// <summary>How many jobs of a kind wait to be claimed.</summary>
    public async Task<int> QueuedAsync(string kind, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.CountAsync(j => j.Kind == kind && j.State == JobState.Queued, cancellationToken);
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    private static string Line(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 500 ? line : line[..499] + "…";
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
