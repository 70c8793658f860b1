using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Core;

/// <summary>One piece of long work going on in a workspace, as everyone looking at that workspace sees it.</summary>
/// <param name="Who">Who started it (an email, or "local user").</param>
/// <param name="What">What it is doing now, in words: "Importing “march.csv” (2 of 5)".</param>
public sealed record Activity(Guid Id, int WorkspaceId, string Who, string What, int? Done, int? Total, DateTime StartedAt);

/// <summary>
/// The long work of every workspace (imports, removals, recomputes, syncs) with its progress, so that everyone looking
/// at a workspace sees what is going on in it, and nobody sees another workspace's. Work reports through the handle
/// <see cref="Start"/> gives and ends when the handle is disposed.
/// </summary>
public sealed class WorkspaceActivity(TimeProvider time, ILogger<WorkspaceActivity> logger)
{
    private static readonly TimeSpan NotifyEvery = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<Guid, Activity> _running = new();
    private readonly ConcurrentDictionary<int, ProgressBroadcast<int>> _watchers = new();

    /// <summary>What is going on in the workspace now, oldest first.</summary>
    public IReadOnlyList<Activity> In(int workspaceId) =>
        _running.Values.Where(a => a.WorkspaceId == workspaceId).OrderBy(a => a.StartedAt).ToList();

    /// <summary>Calls <paramref name="onChange"/> (on any thread) when work in this workspace starts, moves on or ends.</summary>
    public IDisposable Watch(int workspaceId, Action onChange) =>
        Broadcast(workspaceId).Subscribe(_ => onChange());

    public Handle Start(int workspaceId, string who, string what, int? done = null, int? total = null)
    {
        var activity = new Activity(Guid.NewGuid(), workspaceId, who, what, done, total, time.GetUtcNow().UtcDateTime);
        _running[activity.Id] = activity;
        Broadcast(workspaceId).Publish(workspaceId, force: true);
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
                if (owner._running.TryUpdate(id, activity with { What = what, Done = done, Total = total }, activity))
                {
                    owner.Broadcast(workspaceId).Publish(workspaceId);
                    return;
                }
            }
        }

        public void Dispose()
        {
            if (owner._running.TryRemove(id, out _))
            {
                owner.Broadcast(workspaceId).Publish(workspaceId, force: true);
            }
        }
    }
}
