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

    public void Dispose() => _database.Dispose();
}

/// <summary><see cref="JobQueueTests"/> on SQLite.</summary>
public sealed class JobQueueTestsOnSqlite() : JobQueueTests(StoreKind.Sqlite);

/// <summary><see cref="JobQueueTests"/> on PostgreSQL.</summary>
public sealed class JobQueueTestsOnPostgreSql() : JobQueueTests(StoreKind.PostgreSql);
