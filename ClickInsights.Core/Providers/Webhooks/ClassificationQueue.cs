using System.Collections.Concurrent;
using System.Threading.Channels;
using ClickInsights.Core.Classification;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Core.Providers.Webhooks;

/// <summary>
/// Campaigns waiting to be classified after webhook events were stored, so that a webhook call is answered at once.
/// A campaign queued again before its turn is classified once.
/// </summary>
public sealed class ClassificationQueue(ClassificationService classification, ILogger<ClassificationQueue> logger)
{
    private readonly Channel<int> _channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<int, byte> _waiting = new();

    public int Waiting => _waiting.Count;

    public void Enqueue(IEnumerable<int> campaignIds)
    {
        foreach (var id in campaignIds)
        {
            if (_waiting.TryAdd(id, 0))
            {
                _channel.Writer.TryWrite(id);
            }
        }
    }

    /// <summary>Classifies queued campaigns until cancelled (the dashboard runs this in the background).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var id in _channel.Reader.ReadAllAsync(cancellationToken))
        {
            await ClassifyAsync(id, cancellationToken);
        }
    }

    /// <summary>Classifies what is queued now, and returns.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        while (_channel.Reader.TryRead(out var id))
        {
            await ClassifyAsync(id, cancellationToken);
        }
    }

    private async Task ClassifyAsync(int id, CancellationToken cancellationToken)
    {
        // Leave the waiting set first: events stored while this runs queue the campaign again.
        _waiting.TryRemove(id, out _);
        try
        {
            await classification.ClassifyCampaignsAsync([id], cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Classifying campaign {CampaignId} after a webhook failed", id);
        }
    }
}

/// <summary>Remembers the tokens of signed webhook calls for as long as their timestamps count as fresh.</summary>
public sealed class WebhookReplayGuard(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>False when the token was seen before (a replay).</summary>
    public bool TryUse(string token, TimeSpan keepFor)
    {
        var now = time.GetUtcNow();
        if (_seen.Count > 10_000)
        {
            foreach (var (key, expires) in _seen)
            {
                if (expires < now)
                {
                    _seen.TryRemove(key, out _);
                }
            }
        }
        return _seen.TryAdd(token, now + keepFor);
    }

    /// <summary>Forgets a token whose call failed, so that the provider's retry is accepted.</summary>
    public void Forget(string token) => _seen.TryRemove(token, out _);
}
