using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ClickInsights.Web.Sync;

/// <summary>Limits on incoming webhook calls (<c>ClickInsights:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "ClickInsights:Webhooks";

    /// <summary>Calls a minute per connection: Mailgun posts one per event, so a busy sender's minute can hold thousands.</summary>
    public int CallsPerMinute { get; set; } = 6_000;

    /// <summary>How many webhook bodies may be in memory at once (each at most 16 MB).</summary>
    public int BodiesAtOnce { get; set; } = 4;
}

/// <summary>The process's webhook limits: calls a minute per connection key, and bodies held at once.</summary>
public sealed class WebhookGate : IDisposable
{
    public WebhookGate(IOptions<WebhookOptions> options)
    {
        var limits = options.Value;
        PerConnection = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.CallsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        Bodies = new SemaphoreSlim(limits.BodiesAtOnce, limits.BodiesAtOnce);
    }

    public PartitionedRateLimiter<string> PerConnection { get; }

    public SemaphoreSlim Bodies { get; }

    public void Dispose()
    {
        PerConnection.Dispose();
        Bodies.Dispose();
    }
}
