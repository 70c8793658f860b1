using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace ClickInsights.Core.Providers;

/// <summary>
/// Paces, bounds and counts the requests of one sync. The HTTP pipeline enters it before every attempt, retries
/// included, so a provider's limits hold however often the resilience handler tries again.
/// </summary>
public sealed class RequestGate(RequestPacer? pacer, SemaphoreSlim? concurrency, int? dailyQuota, int requestsToday, DateOnly? countDate, TimeProvider time, string provider)
{
    public static readonly HttpRequestOptionsKey<RequestGate> OptionKey = new("ClickInsights.RequestGate");

    private readonly Lock _lock = new();
    private int _requestsToday = requestsToday;
    private DateOnly? _countDate = countDate;
    private int _requests;

    /// <summary>Requests this sync made, every attempt counted.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public (int Count, DateOnly? Date) Today
    {
        get
        {
            lock (_lock)
            {
                return (_requestsToday, _countDate);
            }
        }
    }

    public static RequestGate Unlimited(TimeProvider time, string provider) => new(null, null, null, 0, null, time, provider);

    public async ValueTask<IDisposable?> EnterAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            if (_countDate != today)
            {
                _countDate = today;
                _requestsToday = 0;
            }
            if (dailyQuota is { } quota && _requestsToday >= quota)
            {
                throw new ProviderException(ProviderProblem.QuotaReached,
                    $"{provider} allows {quota:N0} requests a day and this connection has used them all today. The sync continues by itself tomorrow (the count restarts at midnight UTC); nothing fetched so far is lost.");
            }
            _requestsToday++;
            _requests++;
        }
        if (pacer is not null)
        {
            await pacer.WaitAsync(cancellationToken);
        }
        if (concurrency is null)
        {
            return null;
        }
        await concurrency.WaitAsync(cancellationToken);
        return new Releaser(concurrency);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}

/// <summary>Spaces request starts evenly: at most <c>perSecond</c> a second, queued in arrival order.</summary>
public sealed class RequestPacer(int perSecond, TimeProvider time)
{
    // A tenth of margin: timers fire late now and then, and a late request must not squeeze the ones after it
    // into more than the provider's limit within a second.
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1.1 / perSecond);
    private readonly Lock _lock = new();
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var start = _next > now ? _next : now;
            _next = start + _interval;
            wait = start - now;
        }
        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, time, cancellationToken);
    }
}

/// <summary>
/// The limits a provider sets per account or per app, shared by every sync of the process: Constant Contact's
/// requests per second per app key, Mailchimp's concurrent connections per API key.
/// </summary>
public sealed class ProviderLimits(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RequestPacer> _pacers = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _concurrency = new();

    public RequestPacer PacerFor(string account, int perSecond) =>
        _pacers.GetOrAdd(KeyOf(account) + ":" + perSecond, _ => new RequestPacer(perSecond, time));

    public SemaphoreSlim ConcurrencyFor(string account, int max) =>
        _concurrency.GetOrAdd(KeyOf(account) + ":" + max, _ => new SemaphoreSlim(max, max));

    // Accounts are keyed by a hash, so that no key or token sits in a long-lived dictionary as text.
    private static string KeyOf(string account) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(account)));
}

/// <summary>The HTTP pipeline's innermost handler: enters the request's gate for every attempt.</summary>
public sealed class RequestGateHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(RequestGate.OptionKey, out var gate))
        {
            return await base.SendAsync(request, cancellationToken);
        }
        using var slot = await gate.EnterAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        // A connection counts against a concurrency limit until its body is read.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return response;
    }
}
