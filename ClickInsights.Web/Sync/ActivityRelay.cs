using System.Collections.Concurrent;
using System.Text.Json;
using ClickInsights.Core;
using ClickInsights.Core.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClickInsights.Web.Sync;

/// <summary>
/// Tells the other instances on one PostgreSQL database what is going on in their workspaces, and hears what they do:
/// <c>NOTIFY</c> on a channel every instance <c>LISTEN</c>s to (no new infrastructure). Progress goes out at most a
/// few times a second per activity; running work is repeated every <see cref="Heartbeat"/>, so that an instance that
/// stopped mid-work is forgotten by the others. Nothing to do on SQLite, where one process does the work.
/// </summary>
internal sealed class ActivityRelay(WorkspaceActivity activity, IOptions<StorageOptions> storage, ILogger<ActivityRelay> logger) : BackgroundService
{
    public const string Channel = "clickinsights_activity";
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SendEvery = TimeSpan.FromMilliseconds(300);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>This process, so that it ignores its own messages (two instances may share a configured name).</summary>
    private readonly Guid _self = Guid.NewGuid();

    /// <summary>The latest change of each activity not sent yet: a fast job's hundred reports go out as one.</summary>
    private readonly ConcurrentDictionary<Guid, ActivityChange> _pending = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    private sealed record Message(Guid From, ActivityChange Change);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Value.Provider != StorageProvider.PostgreSQL)
        {
            return;
        }
        var connectionString = StorageOptions.ToNpgsql(storage.Value.ConnectionString);
        activity.Outgoing += Queue;
        try
        {
            await Task.WhenAll(ListenAsync(connectionString, stoppingToken), SendAsync(connectionString, stoppingToken));
        }
        finally
        {
            activity.Outgoing -= Queue;
        }
    }

    private void Queue(ActivityChange change)
    {
        // An end replaces whatever progress was waiting; progress never replaces an end.
        _pending.AddOrUpdate(change.Activity.Id, change, (_, waiting) => waiting.Ended ? waiting : change);
        _wake.Release();
    }

    private async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Listening for the other instances' activity failed; listening again in 5 s");
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void Receive(string payload)
    {
        try
        {
            if (JsonSerializer.Deserialize<Message>(payload, Json) is { } message && message.From != _self)
            {
                activity.ApplyRemote(message.Change);
            }
        }
        catch (JsonException e)
        {
            logger.LogWarning(e, "An activity message from another instance could not be read");
        }
    }

    private async Task SendAsync(string connectionString, CancellationToken stoppingToken)
    {
        var lastHeartbeat = DateTime.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(Heartbeat, stoppingToken);
                await Task.Delay(SendEvery, stoppingToken);
                var batch = new List<ActivityChange>();
                foreach (var id in _pending.Keys)
                {
                    if (_pending.TryRemove(id, out var change))
                    {
                        batch.Add(change);
                    }
                }
                if (DateTime.UtcNow - lastHeartbeat >= Heartbeat)
                {
                    lastHeartbeat = DateTime.UtcNow;
                    batch.AddRange(activity.Running().Where(a => batch.All(b => b.Activity.Id != a.Id)).Select(a => new ActivityChange(a, Ended: false)));
                }
                if (batch.Count == 0)
                {
                    continue;
                }
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                foreach (var change in batch)
                {
                    // A notification holds under 8000 bytes: the words of an activity are cut well before.
                    var a = change.Activity;
                    var shortened = change with { Activity = a with { What = a.What.Length > 300 ? a.What[..299] + "…" : a.What, Who = a.Who.Length > 200 ? a.Who[..200] : a.Who } };
                    await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
                    notify.Parameters.AddWithValue("channel", Channel);
                    notify.Parameters.AddWithValue("payload", JsonSerializer.Serialize(new Message(_self, shortened), Json));
                    await notify.ExecuteNonQueryAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Telling the other instances about this one's activity failed");
            }
        }
    }
}
