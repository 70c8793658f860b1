using System.Collections.Concurrent;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers;

/// <summary>"1 click", "3 clicks", "41 people", with thousands separated.</summary>
public static class Plural
{
    public static string Of(long count, string one, string? many = null) =>
        $"{count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {(count == 1 ? one : many ?? one + "s")}";
}

/// <summary>Where a running sync is, for the Connections page.</summary>
public sealed record SyncProgress(int ConnectionId, bool Running, string Stage, int Pages, int EventsAdded, int Requests, DateTime StartedAt);

/// <summary>How a sync or a test ended, in the words the page shows.</summary>
public sealed record SyncOutcome(bool Succeeded, string Summary, string? Error = null, ProviderProblem? Problem = null);

/// <summary>
/// Runs syncs, one at a time per connection, whoever asks (the Sync now button, the background schedule).
/// Components subscribe to progress; the outcome is stored on the connection (last sync, summary, last error).
/// After a sync, even a failed one, the campaigns that got new events are classified once.
/// </summary>
public sealed class SyncRunner(
    IServiceScopeFactory scopes,
    ConnectionService connections,
    EventImporter importer,
    ClassificationService classification,
    IDbContextFactory<ClickInsightsDbContext> dbFactory,
    IOptions<ProviderOptions> options,
    TimeProvider time,
    ILogger<SyncRunner> logger)
{
    private readonly ConcurrentDictionary<int, Run> _runs = new();
    private readonly Lock _lock = new();
    // Every change goes out: progress of several connections interleaves, so none may be dropped by throttling.
    private readonly ProgressBroadcast<SyncProgress> _broadcast = new(time, logger, TimeSpan.Zero);

    private sealed record Run(CancellationTokenSource Cancel, Task<SyncOutcome> Task)
    {
        public SyncProgress Progress { get; set; } = null!;
    }

    /// <summary>Calls <paramref name="listener"/> on every progress change of any connection, from any thread.</summary>
    public IDisposable Subscribe(Action<SyncProgress> listener) => _broadcast.Subscribe(listener);

    public SyncProgress? ProgressOf(int connectionId) => _runs.TryGetValue(connectionId, out var run) ? run.Progress : null;

    public bool IsRunning(int connectionId) => _runs.ContainsKey(connectionId);

    public void Cancel(int connectionId)
    {
        if (_runs.TryGetValue(connectionId, out var run))
        {
            run.Cancel.Cancel();
        }
    }

    /// <summary>Starts a sync, or joins the one already running for the connection.</summary>
    public Task<SyncOutcome> SyncAsync(int connectionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_runs.TryGetValue(connectionId, out var running))
            {
                return running.Task;
            }
            var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = RunAsync(connectionId, cancel, started.Task);
            var run = new Run(cancel, task) { Progress = new SyncProgress(connectionId, true, "Starting", 0, 0, 0, time.GetUtcNow().UtcDateTime) };
            _runs[connectionId] = run;
            started.SetResult();
            return task;
        }
    }

    /// <summary>Syncs every enabled connection whose interval has passed (the background schedule calls this).</summary>
    public async Task SyncDueAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await connections.DueAsync(cancellationToken))
        {
            if (!IsRunning(id))
            {
                await SyncAsync(id, cancellationToken);
            }
        }
    }

    /// <summary>Makes one cheap request with the connection's keys and says what it found.</summary>
    public async Task<SyncOutcome> TestAsync(int connectionId, CancellationToken cancellationToken = default)
    {
        if (IsRunning(connectionId))
        {
            // A fetch under way already proves the keys, and a test beside it would write back older progress
            // (and, for a sign-in that renews, race it for the refresh token).
            return new SyncOutcome(false, "", "A fetch is running for this connection right now: wait for it to finish, then test again.");
        }
        try
        {
            var (context, sync, scope) = await PrepareAsync(connectionId, _ => { }, cancellationToken);
            await using (scope)
            {
                if (sync is null)
                {
                    return new SyncOutcome(true, NothingToFetch(context.Connection));
                }
                var found = await sync.TestAsync(context, cancellationToken);
                await connections.SaveProgressAsync(connectionId, context.StateJson, context.Gate.Today, CancellationToken.None);
                return new SyncOutcome(true, found);
            }
        }
        catch (ProviderException e)
        {
            return new SyncOutcome(false, "", e.Message, e.Problem);
        }
    }

    private async Task<(SyncContext Context, IProviderSync? Sync, AsyncServiceScope Scope)> PrepareAsync(int connectionId, Action<string> report, CancellationToken cancellationToken)
    {
        var loaded = await connections.LoadAsync(connectionId, cancellationToken)
            ?? throw new ProviderException(ProviderProblem.Setup, "This connection no longer exists.");
        var scope = scopes.CreateAsyncScope();
        var sync = scope.ServiceProvider.GetServices<IProviderSync>().FirstOrDefault(s => s.Provider == loaded.Connection.Provider);
        var context = new SyncContext(loaded.Connection, loaded.Secrets, connections, importer, dbFactory, options.Value, time, report);
        if (sync is not null && !CanPull(context))
        {
            sync = null;
        }
        if (sync is not null)
        {
            context.Gate = sync.CreateGate(context);
        }
        return (context, sync, scope);
    }

    /// <summary>Mailgun and Postmark connections may only receive webhooks; they pull when they have an API key. Brevo only receives them.</summary>
    private static bool CanPull(SyncContext context) => context.Connection.Provider switch
    {
        ProviderNames.Mailgun => context.Secret(SecretNames.ApiKey) is not null,
        ProviderNames.Postmark => context.Secret(SecretNames.ServerToken) is not null,
        ProviderNames.Brevo or ProviderNames.Mandrill => false,
        _ => true,
    };

    private static string NothingToFetch(ProviderConnection connection) =>
        $"{ProviderNames.Display(connection.Provider)} sends its events to ClickInsights by itself (webhook); without an API key there is nothing to fetch.";

    private async Task<SyncOutcome> RunAsync(int connectionId, CancellationTokenSource cancel, Task started)
    {
        await started;
        await Task.Yield();
        var startedAt = time.GetUtcNow().UtcDateTime;
        SyncContext? context = null;
        SyncOutcome outcome;
        // A connection with nothing to fetch (webhook only) keeps what its webhook calls recorded.
        bool fetched = false, stopped = false;
        try
        {
            var (prepared, sync, scope) = await PrepareAsync(connectionId, stage => Report(connectionId, stage, context), cancel.Token);
            context = prepared;
            await using (scope)
            {
                if (sync is null)
                {
                    outcome = new SyncOutcome(true, NothingToFetch(context.Connection));
                }
                else
                {
                    fetched = true;
                    Report(connectionId, "Connecting", context);
                    await sync.SyncAsync(context, cancel.Token);
                    outcome = new SyncOutcome(true, Summary(context, finished: true));
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            stopped = true;
            outcome = new SyncOutcome(true, "Stopped on request. " + Summary(context, finished: false));
        }
        catch (ProviderException e)
        {
            outcome = new SyncOutcome(false, Summary(context, finished: false), e.Message, e.Problem);
        }
        catch (ImportFormatException e)
        {
            var provider = context?.ProviderName ?? "The provider";
            outcome = new SyncOutcome(false, Summary(context, finished: false),
                $"{provider} sent a page ClickInsights cannot read ({e.FileName}: {e.Problem}, at {e.Position}). The sync stopped there; everything fetched before it is kept and the next sync tries again.",
                ProviderProblem.BadData);
        }
        catch (Exception e)
        {
            // Messages of unexpected errors carry no secrets: keys travel in headers, never in URLs.
            logger.LogError(e, "Sync of connection {ConnectionId} failed unexpectedly", connectionId);
            outcome = new SyncOutcome(false, Summary(context, finished: false), $"Something unexpected went wrong: {e.Message}");
        }

        try
        {
            if (context is not null && fetched)
            {
                if (context.CampaignsWithNewEvents.Count > 0)
                {
                    Report(connectionId, $"Classifying the clicks of {context.CampaignsWithNewEvents.Count} campaign(s)", context);
                    // Stored events stay stored however the sync ended; classify them once.
                    await classification.ClassifyCampaignsAsync(context.CampaignsWithNewEvents, CancellationToken.None);
                }
                await connections.SaveProgressAsync(connectionId, context.StateJson, context.Gate.Today, CancellationToken.None);
                if (stopped)
                {
                    // Stopped (by the person, or the app shutting down): what was fetched is kept and said, but the fetch
                    // did not finish, so it neither puts off the next one nor clears the last error.
                    await connections.RecordSummaryAsync(connectionId, outcome.Summary, CancellationToken.None);
                }
                else
                {
                    await connections.RecordOutcomeAsync(connectionId, outcome.Succeeded, outcome.Summary, outcome.Error, CancellationToken.None);
                }
            }
            logger.LogInformation("Sync of connection {ConnectionId} ended after {Seconds:F1} s, {Pages} pages, {Requests} requests: {Summary} {Error}",
                connectionId, (time.GetUtcNow().UtcDateTime - startedAt).TotalSeconds, context?.Pages, context?.Gate.Requests, outcome.Summary, outcome.Error);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not record the end of the sync of connection {ConnectionId}", connectionId);
        }
        finally
        {
            lock (_lock)
            {
                _runs.TryRemove(connectionId, out _);
            }
            cancel.Dispose();
            Notify(new SyncProgress(connectionId, false, outcome.Error is null ? "Done" : "Failed", context?.Pages ?? 0, context?.EventsAdded ?? 0, context?.Gate.Requests ?? 0, startedAt));
        }
        return outcome;
    }

    private static string Summary(SyncContext? context, bool finished)
    {
        var notes = context is null || context.Notes.Count == 0 ? "" : " " + string.Join(" ", context.Notes);
        if (context is null || context.EventsAdded == 0)
        {
            // A first fetch has no "last fetch" to compare with: it found nothing to store at all.
            var first = context?.Connection.LastSyncAt is null;
            return (finished ? first ? "Fetched: the account has no campaign activity to store yet." : "Up to date: nothing new since the last fetch."
                : "Nothing new was stored before it stopped.") + notes;
        }
        var what = $"{Plural.Of(context.EventsAdded, "new event")} ({Plural.Of(context.Clicks, "click")}) in {Plural.Of(context.CampaignsWithNewEvents.Count, "campaign")}";
        return (finished ? $"Fetched {what}." : $"Kept what was fetched before it stopped: {what}.") + notes;
    }

    private void Report(int connectionId, string stage, SyncContext? context)
    {
        if (!_runs.TryGetValue(connectionId, out var run))
        {
            return;
        }
        run.Progress = run.Progress with { Stage = stage, Pages = context?.Pages ?? 0, EventsAdded = context?.EventsAdded ?? 0, Requests = context?.Gate.Requests ?? 0 };
        Notify(run.Progress);
    }

    private void Notify(SyncProgress progress) => _broadcast.Publish(progress, force: true);
}
