using Microsoft.Extensions.Logging;

namespace ClickInsights.Core;

/// <summary>
/// Hands a long job's progress (import, sync, gateway lookup) to whoever watches it, usually pages: at most once per
/// interval unless forced, so a fast job does not flood the browser; a watcher that fails is logged and never
/// breaks the job.
/// </summary>
public sealed class ProgressBroadcast<T>(TimeProvider time, ILogger logger, TimeSpan interval)
{
    private readonly Lock _lock = new();
    private readonly List<Action<T>> _watchers = [];
    private DateTime _lastSent;

    public IDisposable Subscribe(Action<T> onChange)
    {
        lock (_lock)
        {
            _watchers.Add(onChange);
        }
        return new Subscription(this, onChange);
    }

    /// <summary>Sends the value to every watcher, unless one was sent within the interval and this one is not forced.</summary>
    public void Publish(T value, bool force = false)
    {
        Action<T>[] watchers;
        lock (_lock)
        {
            var now = time.GetUtcNow().UtcDateTime;
            if (!force && now - _lastSent < interval)
            {
                return;
            }
            _lastSent = now;
            watchers = [.. _watchers];
        }
        foreach (var watcher in watchers)
        {
            try
            {
                watcher(value);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A progress watcher of {Job} failed", typeof(T).Name);
            }
        }
    }

    private sealed class Subscription(ProgressBroadcast<T> owner, Action<T> onChange) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._watchers.Remove(onChange);
            }
        }
    }
}
