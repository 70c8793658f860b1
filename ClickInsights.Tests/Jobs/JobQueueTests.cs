using ClickInsights.Core.Data;
using ClickInsights.Core.Jobs;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Jobs;

/// <summary>
/// Background work in the job table, as two instances see it: queued once per key, claimed by one, taken over by the
/// other only when the first one's lease runs out, and never run by both; on both stores.
/// </summary>
public abstract class JobQueueTests(StoreKind store) : IDisposable
{
    private readonly TestDatabase _database = new(store);
    private readonly Clock _clock = new();

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [SkippableFact]
    public async Task AJob_IsQueuedOncePerKey_ClaimedByOne_AndTakenOverOnlyWhenItsLeaseRunsOut()
    {
        var a = new JobQueue(_database, _clock);
        var b = new JobQueue(_database, _clock);
        var lease = TimeSpan.FromSeconds(30);

        Assert.True(await a.EnqueueAsync(JobKinds.Classify, JobKinds.ClassifyKey(7), payload: "7"));
        Assert.False(await b.EnqueueAsync(JobKinds.Classify, JobKinds.ClassifyKey(7), payload: "7"));
        Assert.Equal(1, await a.QueuedAsync(JobKinds.Classify));

        var claimed = await a.ClaimAsync("a", lease);
        Assert.NotNull(claimed);
        Assert.Equal(("7", 1), (claimed.Payload, claimed.Attempts));
        // Held by "a": "b" finds nothing, and while "a" runs it the same key queued again waits for "a" to finish.
        Assert.Null(await b.ClaimAsync("b", lease));
        Assert.True(await b.EnqueueAsync(JobKinds.Classify, JobKinds.ClassifyKey(7), payload: "7"));
        Assert.Null(await b.ClaimAsync("b", lease));
        _clock.Now += TimeSpan.FromSeconds(20);
        Assert.True(await a.RenewAsync(claimed.Id, "a", lease));

        // "a" stops without finishing: once its lease has run out, "b" takes the job over.
        _clock.Now += TimeSpan.FromSeconds(31);
        var takenOver = await b.ClaimAsync("b", lease);
        Assert.NotNull(takenOver);
        Assert.Equal((claimed.Id, 2), (takenOver.Id, takenOver.Attempts));
        // "a", back too late, can neither renew nor finish it.
        Assert.False(await a.RenewAsync(claimed.Id, "a", lease));
        Assert.False(await a.FinishAsync(claimed.Id, "a"));
        Assert.True(await b.FinishAsync(claimed.Id, "b"));
        // The one queued meanwhile runs next, now that no instance runs its key.
        var next = await a.ClaimAsync("a", lease);
        Assert.NotNull(next);
        Assert.NotEqual(claimed.Id, next.Id);
        Assert.True(await a.FinishAsync(next.Id, "a", "the campaign was removed meanwhile"));

        await using var db = _database.CreateDbContext();
        var jobs = await db.Jobs.OrderBy(j => j.Id).ToListAsync();
        Assert.Equal([(JobState.Done, "b", (string?)null), (JobState.Failed, "a", "the campaign was removed meanwhile")], jobs.Select(j => (j.State, j.Owner!, j.Error)));
    }

    [SkippableFact]
    public async Task ManyJobs_TwoInstancesClaimingAtOnce_RunEachJobOnce()
    {
        var clock = TimeProvider.System;
        var queue = new JobQueue(_database, clock);
        for (int i = 0; i < 40; i++)
        {
            Assert.True(await queue.EnqueueAsync(JobKinds.Classify, JobKinds.ClassifyKey(i), payload: i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        var runs = new System.Collections.Concurrent.ConcurrentBag<(string Owner, string Payload)>();
        async Task WorkAsync(string owner)
        {
            var mine = new JobQueue(_database, clock);
            while (await mine.ClaimAsync(owner, TimeSpan.FromMinutes(1)) is { } job)
            {
                runs.Add((owner, job.Payload!));
                Assert.True(await mine.FinishAsync(job.Id, owner));
            }
        }

        await Task.WhenAll(WorkAsync("a"), WorkAsync("b"), WorkAsync("c"));

        Assert.Equal(40, runs.Count);
        Assert.Equal(40, runs.Select(r => r.Payload).Distinct().Count());
    }

    [SkippableFact]
    public async Task ADelayedJob_WaitsForItsTime_AndWorkQueuedMeanwhileJoinsIt()
    {
        var queue = new JobQueue(_database, _clock);
        var lease = TimeSpan.FromSeconds(30);

        Assert.True(await queue.EnqueueAsync(JobKinds.Classify, JobKinds.ClassifyKey(3), payload: "3", delay: TimeSpan.FromSeconds(5)));
        Assert.False(await queue.EnqueueAsync(JobKinds.Classify, JobKinds.ClassifyKey(3), payload: "3", delay: TimeSpan.FromSeconds(5)));
        Assert.Null(await queue.ClaimAsync("a", lease));
        _clock.Now += TimeSpan.FromSeconds(6);
        Assert.NotNull(await queue.ClaimAsync("a", lease));

        // A drain (the CLI, tests) runs what is queued now, delay or not.
        Assert.True(await queue.EnqueueAsync(JobKinds.Classify, JobKinds.ClassifyKey(4), payload: "4", delay: TimeSpan.FromMinutes(5)));
        Assert.Null(await queue.ClaimAsync("b", lease));
        Assert.Equal("4", (await queue.ClaimAsync("b", lease, now: true))?.Payload);
    }

    /// <summary>Waits in its job until someone asks it to stop.</summary>
    private sealed class Waiting : IJobHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Kind => "wait";
        public string? Describe(ClaimedJob job) => "Waiting";

        public async Task<string?> RunAsync(ClaimedJob job, JobProgress progress, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }
    }

    [SkippableFact]
    public async Task WorkspaceJobs_RunOnTheWorker_ShowTheirEnd_AndAStopReachesTheRunningJob()
    {
        var signal = new JobSignal();
        var queue = new JobQueue(_database, TimeProvider.System, signal);
        var activity = new ClickInsights.Core.WorkspaceActivity(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ClickInsights.Core.WorkspaceActivity>.Instance);
        var removals = new ImportRemovalJob(queue, _database.Importer, new ClickInsights.Core.Accounts.AuditLog(_database, TimeProvider.System));
        var recompute = new RecomputeJob(queue, _database.Classification);
        var waiting = new Waiting();
        var worker = new JobWorker(queue, [removals, recompute, waiting], signal, activity,
            Microsoft.Extensions.Options.Options.Create(new JobOptions { PollEvery = TimeSpan.FromMilliseconds(100) }), Microsoft.Extensions.Logging.Abstractions.NullLogger<JobWorker>.Instance);
        var mine = await _database.CreateWorkspaceAsync("Mine");
        var theirs = await _database.CreateWorkspaceAsync("Theirs");
        var wrong = await _database.Importer.ImportAsync(mine, Samples.Utf8(Samples.SendGridOddCases), "wrong.json");
        await _database.Importer.ImportAsync(theirs, Samples.Utf8(Samples.SendGridOddCases), "theirs.json");
        var ended = new System.Collections.Concurrent.ConcurrentQueue<ClickInsights.Core.Activity>();
        using var watch = activity.WatchEnds(mine, e => { foreach (var a in e) { ended.Enqueue(a); } });
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync("here", stop.Token);

        // A removal: one at a time in a workspace; it names who asked, and its end is seen by the workspace's pages.
        Assert.True(await removals.EnqueueAsync(mine, wrong.ImportId, "wrong.json", "ann@example.test"));
        Assert.False(await removals.EnqueueAsync(mine, wrong.ImportId, "wrong.json", "bob@example.test"));
        var removalKey = JobKinds.WorkspaceKey(JobKinds.RemoveImport, mine);
        var removed = await WaitForEndAsync(queue, mine, removalKey);
        Assert.Equal((JobState.Done, "Removed the import of wrong.json: 7 events, and 3 campaigns with nothing left."), (removed.State, removed.Result));
        await using (var db = _database.CreateDbContext())
        {
            Assert.Equal(0, await db.Events.CountAsync(e => e.WorkspaceId == mine));
            Assert.Equal(7, await db.Events.CountAsync(e => e.WorkspaceId == theirs));
            var audit = await db.AuditEntries.SingleAsync(a => a.WorkspaceId == mine);
            Assert.Equal(("ann@example.test", "import removed"), (audit.Actor, audit.Action));
        }

        // A recompute of the other workspace does not show in this one.
        Assert.True(await recompute.EnqueueAsync(theirs, "bob@example.test"));
        var recomputed = await WaitForEndAsync(queue, theirs, JobKinds.WorkspaceKey(JobKinds.Recompute, theirs));
        Assert.Equal("Recomputed 3 campaigns with the new settings.", recomputed.Result);
        Assert.Equal([("ann@example.test", JobKinds.RemoveImport, "Removing the import of wrong.json")], ended.Select(a => (a.Who, a.Kind, a.What)));

        // Asked to stop while it runs, a job ends at once, as done, saying so.
        Assert.True(await queue.EnqueueAsync("wait", "wait:1", mine, requestedBy: "ann@example.test"));
        await waiting.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(await queue.RequestStopAsync(mine, "wait:1", "bob@example.test"));
        var stopped = await WaitForEndAsync(queue, mine, "wait:1");
        Assert.Equal((JobState.Done, "Stopped before it finished; what was done is kept."), (stopped.State, stopped.Result));

        await stop.CancelAsync();
        await running;
    }

    private static async Task<JobView> WaitForEndAsync(JobQueue queue, int workspaceId, string key)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await queue.LatestAsync(workspaceId, key) is { FinishedAt: not null } done)
            {
                return done;
            }
            Assert.True(DateTime.UtcNow < deadline, $"The job {key} did not end in time.");
            await Task.Delay(50);
        }
    }

    public void Dispose() => _database.Dispose();
}

/// <summary><see cref="JobQueueTests"/> on SQLite.</summary>
public sealed class JobQueueTestsOnSqlite() : JobQueueTests(StoreKind.Sqlite);

/// <summary><see cref="JobQueueTests"/> on PostgreSQL.</summary>
public sealed class JobQueueTestsOnPostgreSql() : JobQueueTests(StoreKind.PostgreSql);
