using System.Collections.Concurrent;
using ClickInsights.Core.Import;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Core.Providers.Webhooks;

/// <summary>How one webhook batch was stored: its own events, and the group it was stored with.</summary>
/// <param name="Events">The batch's own events.</param>
/// <param name="Batches">How many batches were stored in the same transaction (1: alone).</param>
/// <param name="GroupEvents">The events of all of them.</param>
/// <param name="GroupAdded">How many of those were new.</param>
public sealed record StoredBatch(int Events, int Batches, int GroupEvents, int GroupAdded)
{
    public string Describe() => Batches == 1
        ? $"Stored {GroupAdded} new event(s) of {Events}."
        : $"Stored {Events} event(s) in one transaction with {Batches - 1} other batch(es); {GroupAdded} of their {GroupEvents} events were new.";
}

/// <summary>
/// Stores the webhook batches of one connection that arrive while an earlier one is being stored together, in one
/// transaction (a group commit): each call is answered when the transaction that holds its batch has committed, and
/// all of them fail together (5xx, the provider sends again) when it does not. Storing costs about the same for one
/// batch as for twenty, so under load the calls no longer wait in line for one another.
/// </summary>
public sealed class WebhookGroupCommit(EventImporter importer, ClassificationQueue queue, ConnectionService connections, Microsoft.Extensions.Options.IOptions<Jobs.JobOptions> jobs, TimeProvider time, ILogger<WebhookGroupCommit> logger)
{
    /// <summary>At most this many events go into one transaction; the rest wait for the next.</summary>
    public const int MaxEventsPerGroup = 20_000;

    private sealed record Waiting(ParsedBatch Batch, TaskCompletionSource<StoredBatch> Done);

    private sealed class Lane
    {
        public readonly Lock Gate = new();
        public readonly Queue<Waiting> Queue = new();
        public bool Storing;
    }

    private readonly ConcurrentDictionary<int, Lane> _lanes = new();

    /// <summary>Stores the batch with whatever else arrives for the connection meanwhile; returns once it is committed.</summary>
    public Task<StoredBatch> StoreAsync(int workspaceId, int connectionId, string provider, ParsedBatch batch)
    {
        var lane = _lanes.GetOrAdd(connectionId, _ => new Lane());
        var waiting = new Waiting(batch, new TaskCompletionSource<StoredBatch>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool lead;
        lock (lane.Gate)
        {
            lane.Queue.Enqueue(waiting);
            lead = !lane.Storing;
            lane.Storing = true;
        }
        if (lead)
        {
            _ = Task.Run(() => DrainAsync(lane, workspaceId, connectionId, provider));
        }
        return waiting.Done.Task;
    }

    private async Task DrainAsync(Lane lane, int workspaceId, int connectionId, string provider)
    {
        while (true)
        {
            var group = new List<Waiting>();
            lock (lane.Gate)
            {
                var events = 0;
                while (lane.Queue.TryPeek(out var next) && (group.Count == 0 || events + next.Batch.Events <= MaxEventsPerGroup))
                {
                    group.Add(lane.Queue.Dequeue());
                    events += next.Batch.Events;
                }
                if (group.Count == 0)
                {
                    lane.Storing = false;
                    return;
                }
            }
            try
            {
                var fileName = $"{provider}/webhook/{time.GetUtcNow():yyyyMMdd'T'HHmmss.fff'Z'}.json";
                // Not cancelled by a caller that gave up: the others in the group wait for this transaction.
                var started = time.GetTimestamp();
                var result = await importer.StoreBatchesAsync(workspaceId, group.Select(w => w.Batch).ToList(), fileName, connectionId, CancellationToken.None);
                logger.LogDebug("Stored {Batches} webhook batch(es) of connection {ConnectionId} together: {Events} events in {Milliseconds:F0} ms",
                    group.Count, connectionId, result.EventsRead, time.GetElapsedTime(started).TotalMilliseconds);
                // The campaigns' classification is queued in the database before the answers: nothing stored waits on this process.
                await queue.EnqueueAsync(result.CampaignIds, workspaceId, CancellationToken.None, jobs.Value.ClassifyWebhooksAfter);
                try
                {
                    await connections.RecordWebhookCallAsync(connectionId, group.Count == 1
                        ? $"Last webhook call: {Plural.Of(result.EventsRead, "event")}, {result.EventsAdded:N0} of them new."
                        : $"Last webhook calls: {group.Count} batches stored together, {Plural.Of(result.EventsRead, "event")}, {result.EventsAdded:N0} of them new.", CancellationToken.None);
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Could not note the last webhook call of connection {ConnectionId}", connectionId);
                }
                foreach (var w in group)
                {
                    w.Done.TrySetResult(new StoredBatch(w.Batch.Events, group.Count, result.EventsRead, result.EventsAdded));
                }
            }
            catch (Exception e)
            {
                logger.LogError(e, "Storing {Count} webhook batch(es) of connection {ConnectionId} failed; the provider will send them again", group.Count, connectionId);
                foreach (var w in group)
                {
                    w.Done.TrySetException(e);
                }
            }
        }
    }
}
