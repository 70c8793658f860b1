using Microsoft.EntityFrameworkCore;
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

/// <summary>
/// Remembers the tokens of signed webhook calls for as long as their timestamps count as fresh, in the database: a
/// restart (or another instance) does not forget them, so a captured call cannot be sent again.
/// </summary>
public sealed class WebhookReplayGuard(IDbContextFactory<Data.ClickInsightsDbContext> dbFactory, TimeProvider time)
{
    /// <summary>False when the token was seen before (a replay).</summary>
    public async Task<bool> TryUseAsync(string token, TimeSpan keepFor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.WebhookTokens.Where(t => t.Until < now).ExecuteDeleteAsync(cancellationToken);
        db.WebhookTokens.Add(new Data.WebhookToken { Token = Key(token), Until = now + keepFor });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // The token is stored already: this call was received before.
            return false;
        }
    }

    /// <summary>Forgets a token whose call failed, so that the provider's retry is accepted.</summary>
    public async Task ForgetAsync(string token)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var key = Key(token);
        await db.WebhookTokens.Where(t => t.Token == key).ExecuteDeleteAsync();
    }

    /// <summary>A token of any length kept as its SHA-256, so that the key stays short.</summary>
    private static string Key(string token) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
}
