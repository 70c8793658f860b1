using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Core;

/// <summary>One piece of long work going on in a workspace, as everyone looking at that workspace sees it.</summary>
/// <param name="Who">Who started it (an email, or "local user").</param>
/// <param name="What">What it is doing now, in words: "Importing “march.csv” (2 of 5)".</param>
/// <param name="Kind">The kind of background job it is (<see cref="Jobs.JobKinds"/>), so that a page can follow its own; null for other work.</param>
public sealed record Activity(Guid Id, int WorkspaceId, string Who, string What, int? Done, int? Total, DateTime StartedAt, string? Kind = null);

/// <summary>A change of an activity, as it travels to the other instances on one database (<see cref="WorkspaceActivity.Outgoing"/>).</summary>
/// <param name="Ended">True when the work ended; otherwise it started, moved on, or is still running (a heartbeat).</param>
public sealed record ActivityChange(Activity Activity, bool Ended);

/// <summary>
/// The long work of every workspace (imports, removals, recomputes, syncs) with its progress, so that everyone looking
/// at a workspace sees what is going on in it, and nobody sees another workspace's. Work reports through the handle
/// <see cref="Start"/> gives and ends when the handle is disposed.
/// </summary>
public sealed class WorkspaceActivity(TimeProvider time, ILogger<WorkspaceActivity> logger)
{
    private static readonly TimeSpan NotifyEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>How long another instance's activity shows without news of it (its instance may have stopped).</summary>
    public static readonly TimeSpan RemoteLifetime = TimeSpan.FromSeconds(90);

    private readonly ConcurrentDictionary<Guid, Activity> _running = new();
    private readonly ConcurrentDictionary<Guid, (Activity Activity, DateTime Seen)> _remote = new();
    private readonly ConcurrentDictionary<int, ProgressBroadcast<int>> _watchers = new();
    private readonly ConcurrentDictionary<int, Ended> _ended = new();

    /// <summary>The last activities of a workspace that ended, each with its number in the order they ended.</summary>
    private sealed record Ended(long Last, IReadOnlyList<(long Number, Activity Activity)> Recent)
    {
        public const int Kept = 50;

        public static Ended None { get; } = new(0, []);

        public Ended With(Activity activity) => new(Last + 1, [.. Recent.TakeLast(Kept - 1), (Last + 1, activity)]);
    }

    /// <summary>
    /// Every change of this instance's activities, for the relay that tells the other instances on the same database
    /// (PostgreSQL's LISTEN/NOTIFY); nothing listens on SQLite, where one process does the work.
    /// </summary>
    public event Action<ActivityChange>? Outgoing;

    /// <summary>What is going on in the workspace now, here and on the other instances, oldest first.</summary>
    public IReadOnlyList<Activity> In(int workspaceId)
    {
        var stale = time.GetUtcNow().UtcDateTime - RemoteLifetime;
        return _running.Values.Where(a => a.WorkspaceId == workspaceId)
            .Concat(_remote.Values.Where(r => r.Activity.WorkspaceId == workspaceId && r.Seen > stale).Select(r => r.Activity))
            .OrderBy(a => a.StartedAt).ToList();
    }

    /// <summary>The background job of this kind running in the workspace now, here or on another instance (<see cref="Jobs.JobKinds"/>); null when none is.</summary>
    public Activity? RunningJob(int workspaceId, string kind) => In(workspaceId).FirstOrDefault(a => a.Kind == kind);

    /// <summary>This instance's running activities (the relay repeats them now and then, so others know they still run).</summary>
    public IReadOnlyList<Activity> Running() => [.. _running.Values];

    /// <summary>Another instance's activity started, moved on or ended: this instance's pages of its workspace show it.</summary>
    public void ApplyRemote(ActivityChange change)
    {
        var activity = change.Activity;
        if (_running.ContainsKey(activity.Id))
        {
            return;
        }
        bool changed;
        if (change.Ended)
        {
            // An end heard without its start (it was quick) still changed the figures.
            _remote.TryRemove(activity.Id, out _);
            Remember(activity);
            changed = true;
        }
        else
        {
            changed = !_remote.TryGetValue(activity.Id, out var known) || known.Activity != activity;
            _remote[activity.Id] = (activity, time.GetUtcNow().UtcDateTime);
        }
        if (changed)
        {
            Broadcast(activity.WorkspaceId).Publish(activity.WorkspaceId, force: true);
        }
    }

    private void Tell(Activity activity, bool ended)
    {
        try
        {
            Outgoing?.Invoke(new ActivityChange(activity, ended));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Telling the other instances about an activity failed");
        }
    }

    /// <summary>
    /// Calls <paramref name="onEnded"/> (on any thread) with the work in this workspace that ended since the last call,
    /// here or on another instance: a page reads the figures that work changed again. Work that started and ended between
    /// two notifications is not missed.
    /// </summary>
    public IDisposable WatchEnds(int workspaceId, Action<IReadOnlyList<Activity>> onEnded)
    {
        var gate = new Lock();
        var seen = _ended.GetValueOrDefault(workspaceId, Ended.None).Last;
        return Watch(workspaceId, () =>
        {
            IReadOnlyList<Activity> ended;
            lock (gate)
            {
                var now = _ended.GetValueOrDefault(workspaceId, Ended.None);
                if (now.Last == seen)
                {
                    return;
                }
                var since = seen;
                ended = now.Recent.Where(e => e.Number > since).Select(e => e.Activity).ToList();
                seen = now.Last;
            }
            onEnded(ended);
        });
    }

    private void Remember(Activity ended) => _ended.AddOrUpdate(ended.WorkspaceId, _ => Ended.None.With(ended), (_, known) => known.With(ended));

    /// <summary>Calls <paramref name="onChange"/> (on any thread) when work in this workspace starts, moves on or ends.</summary>
    public IDisposable Watch(int workspaceId, Action onChange) =>
        Broadcast(workspaceId).Subscribe(_ => onChange());

    public Handle Start(int workspaceId, string who, string what, int? done = null, int? total = null, string? kind = null)
    {
        var activity = new Activity(Guid.NewGuid(), workspaceId, who, what, done, total, time.GetUtcNow().UtcDateTime, kind);
        _running[activity.Id] = activity;
        Broadcast(workspaceId).Publish(workspaceId, force: true);
        Tell(activity, ended: false);
        return new Handle(this, activity.Id, workspaceId);
    }

    private ProgressBroadcast<int> Broadcast(int workspaceId) =>
        _watchers.GetOrAdd(workspaceId, _ => new ProgressBroadcast<int>(time, logger, NotifyEvery));

    /// <summary>The running work; reports its progress and ends it when disposed.</summary>
    public sealed class Handle(WorkspaceActivity owner, Guid id, int workspaceId) : IDisposable
    {
        public void Report(string what, int? done = null, int? total = null)
        {
            // Only while it runs: a report racing with the end must not bring an ended activity back on every page.
            while (owner._running.TryGetValue(id, out var activity))
            {
                var moved = activity with { What = what, Done = done, Total = total };
                if (owner._running.TryUpdate(id, moved, activity))
                {
                    owner.Broadcast(workspaceId).Publish(workspaceId);
                    owner.Tell(moved, ended: false);
                    return;
                }
            }
        }

        public void Dispose()
        {
            if (owner._running.TryRemove(id, out var ended))
            {
                owner.Remember(ended);
                owner.Broadcast(workspaceId).Publish(workspaceId, force: true);
                owner.Tell(ended, ended: true);
            }
        }
    }
}
