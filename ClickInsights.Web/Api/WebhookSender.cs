using System.Net;
using System.Net.Sockets;
using System.Text;
using ClickInsights.Core.Api;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClickInsights.Web.Api;

/// <summary>
/// Sends the outgoing webhooks' deliveries that are due, signed, one at a time per address; a failure (no answer, or
/// anything but 2xx) is tried again later, waiting twice as long each time, until it is given up.
/// </summary>
public sealed class WebhookSender(IDbContextFactory<ClickInsightsDbContext> dbFactory, WebhookOutbox outbox, IHttpClientFactory clients, IOptions<ApiOptions> options,
    WebhookSignal signal, TimeProvider time, ILogger<WebhookSender> logger) : BackgroundService
{
    public const string ClientName = "outgoing-webhooks";
    public const string TimestampHeader = "ClickInsights-Timestamp";
    public const string SignatureHeader = "ClickInsights-Signature";
    public const string EventHeader = "ClickInsights-Event";
    public const string DeliveryHeader = "ClickInsights-Delivery";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Sending outgoing webhooks failed; trying again at the next poll");
            }
            try
            {
                await signal.WaitAsync(options.Value.WebhookPollEvery, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends up to a batch of due deliveries; how many were tried.</summary>
    internal async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await db.WebhookDeliveries
            .Where(d => d.DeliveredAt == null && d.GaveUpAt == null && d.NextAttemptAt <= now)
            .OrderBy(d => d.Id).Take(20).ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }
        var ids = due.Select(d => d.SubscriptionId).Distinct().ToList();
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        var client = clients.CreateClient(ClientName);
        foreach (var delivery in due)
        {
            if (!subscriptions.TryGetValue(delivery.SubscriptionId, out var subscription))
            {
                continue;
            }
            var (status, error) = await SendAsync(client, subscription, delivery, cancellationToken);
            delivery.Attempts++;
            delivery.LastStatus = status;
            delivery.LastError = error;
            var at = time.GetUtcNow().UtcDateTime;
            if (error is null)
            {
                delivery.DeliveredAt = at;
            }
            else if (delivery.Attempts >= options.Value.WebhookMaxAttempts)
            {
                delivery.GaveUpAt = at;
            }
            else
            {
                var wait = options.Value.WebhookRetryAfter * Math.Pow(2, delivery.Attempts - 1);
                delivery.NextAttemptAt = at + (wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return due.Count;
    }

    private async Task<(int? Status, string? Error)> SendAsync(HttpClient client, WebhookSubscription subscription, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(EventHeader, delivery.EventType);
        request.Headers.Add(DeliveryHeader, delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(TimestampHeader, timestamp);
        try
        {
            request.Headers.Add(SignatureHeader, WebhookOutbox.Sign(outbox.SecretOf(subscription), timestamp, body));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (status, null) : (status, $"The address answered {status} ({response.ReasonPhrase}).");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "No answer within 10 seconds.");
        }
        catch (HttpRequestException e)
        {
            return (null, e.InnerException is RefusedAddressException refused ? refused.Message : $"The address could not be reached ({e.HttpRequestError}).");
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return (null, "The address's signing secret cannot be read (the key ring changed); remove the address and add it again.");
        }
    }

    /// <summary>
    /// The connection of outgoing webhooks: only to public addresses (a webhook address that names, or resolves to, a
    /// loopback, private, link-local or other internal address is refused), unless tests allow them.
    /// </summary>
    public static SocketsHttpHandler Handler(bool allowInternal) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = IPAddress.TryParse(context.DnsEndPoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            var usable = addresses.Where(a => allowInternal || IsPublic(a)).ToList();
            if (usable.Count == 0)
            {
                throw new RefusedAddressException($"{context.DnsEndPoint.Host} is not a public internet address; webhooks are sent to public addresses only.");
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(usable[0], context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    internal static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var first = address.GetAddressBytes()[0];
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (first & 0xFE) == 0xFC);
        }
        var b = address.GetAddressBytes();
        return !(b[0] == 10 || b[0] == 0 || b[0] == 127 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168)
                 || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) || b[0] >= 224);
    }

    private sealed class RefusedAddressException(string message) : Exception(message);
}

/// <summary>Wakes the sender when a delivery was queued that should not wait for its next poll (a test event).</summary>
public sealed class WebhookSignal : ClickInsights.Core.Wakeup;
