using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ClickInsights.Core.Providers;

/// <summary>
/// Sends one provider request through the typed client's resilient pipeline and turns every failure into a
/// <see cref="ProviderException"/> with plain words. Transient errors are retried by the pipeline; HTTP 429 is
/// handled here (Retry-After, else exponential backoff with jitter) because what it means differs per provider.
/// </summary>
public sealed class ProviderHttp(HttpClient http, ProviderOptions options, TimeProvider time, string provider)
{
    public string Provider => provider;

    /// <param name="build">Builds the request anew for each try (a request message is sent once).</param>
    /// <param name="refreshAsync">On HTTP 401, renews the sign-in once and tries again; null when there is nothing to renew.</param>
    /// <param name="onThrottled">Reads a 429's body; returns an exception when waiting would not help (a daily quota).</param>
    /// <param name="wrongKey">What to say on 401/403.</param>
    /// <param name="refused">What 401/403 means: a wrong key, or (OAuth) a sign-in to renew.</param>
    public async Task<byte[]> SendAsync(
        Func<HttpRequestMessage> build,
        RequestGate gate,
        string wrongKey,
        CancellationToken cancellationToken,
        Func<CancellationToken, Task>? refreshAsync = null,
        Func<byte[], ProviderException?>? onThrottled = null,
        ProviderProblem refused = ProviderProblem.WrongKey)
    {
        int throttled = 0;
        bool refreshed = false;
        while (true)
        {
            using var request = build();
            // Over HTTPS to the provider only; plain HTTP (a fake provider on loopback) where tests allow it, nothing else ever.
            if (request.RequestUri is not { IsAbsoluteUri: true } target
                || !(target.Scheme == Uri.UriSchemeHttps || options.AllowTestApiAddresses && target.Scheme == Uri.UriSchemeHttp))
            {
                throw new ProviderException(ProviderProblem.Setup, $"ClickInsights calls {provider} over HTTPS only; the address it was given is not one. Check ClickInsights:Providers in the configuration.");
            }
            request.Options.Set(RequestGate.OptionKey, gate);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or OperationCanceledException)
            {
                throw new ProviderException(ProviderProblem.ProviderDown,
                    $"{provider} could not be reached ({Describe(e)}). ClickInsights tries again at the next sync; if this goes on, check this computer's internet connection and {provider}'s status page.", e);
            }
            using (response)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return body;
                }
                var status = (int)response.StatusCode;
                switch (status)
                {
                    case 429:
                        if (onThrottled?.Invoke(body) is { } final)
                        {
                            throw final;
                        }
                        if (++throttled > options.MaxThrottleWaits)
                        {
                            throw new ProviderException(ProviderProblem.Throttled,
                                $"{provider} kept asking ClickInsights to slow down (HTTP 429, {throttled - 1} waits). The sync stopped here and continues at the next one; nothing fetched so far is lost.");
                        }
                        await Task.Delay(ThrottleWait(response, throttled), time, cancellationToken);
                        continue;
                    case 401 when refreshAsync is not null && !refreshed:
                        refreshed = true;
                        await refreshAsync(cancellationToken);
                        continue;
                    case 401 or 403:
                        throw new ProviderException(refused, wrongKey + Detail(body));
                    case 404:
                        throw new ProviderException(ProviderProblem.NotFound, $"{provider} says {request.RequestUri?.AbsolutePath} does not exist (HTTP 404){Detail(body)}");
                    case >= 500:
                        throw new ProviderException(ProviderProblem.ProviderDown,
                            $"{provider} is having trouble right now (HTTP {status}, still after {options.MaxRetries} retries). ClickInsights tries again at the next sync.");
                    default:
                        throw new ProviderException(ProviderProblem.BadData, $"{provider} refused a request (HTTP {status}){Detail(body)}");
                }
            }
        }
    }

    private TimeSpan ThrottleWait(HttpResponseMessage response, int attempt)
    {
        TimeSpan? asked = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => null,
        };
        var wait = asked is { } a && a > TimeSpan.Zero
            ? a
            : options.RetryDelay * Math.Pow(2, attempt - 1) * (0.5 + Random.Shared.NextDouble());
        return wait < options.MaxThrottleWait ? wait : options.MaxThrottleWait;
    }

    /// <summary>
    /// Resolves a next-page link: relative links against the API's host (Constant Contact's <c>/v3/…</c>), absolute
    /// ones as they are, but never to another host: the key would go with the request.
    /// </summary>
    public Uri ResolveNext(Uri baseUri, string href)
    {
        var origin = new Uri(baseUri.GetLeftPart(UriPartial.Authority) + "/");
        if (!Uri.TryCreate(origin, href, out var next))
        {
            throw new ProviderException(ProviderProblem.BadData, $"{provider} sent a next-page link ClickInsights cannot read (\"{Plain(href)}\"). The sync stopped; everything fetched before it is kept.");
        }
        if (!string.Equals(next.Scheme, baseUri.Scheme, StringComparison.OrdinalIgnoreCase) || !string.Equals(next.Authority, baseUri.Authority, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProviderException(ProviderProblem.BadData,
                $"{provider} sent a next-page link to another server ({next.Host}); ClickInsights does not send your key there. The sync stopped; everything fetched before it is kept.");
        }
        return next;
    }

    /// <summary>Parses a page, or stops the sync with a clear error that names the page.</summary>
    public JsonDocument Parse(byte[] body, string what)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ProviderException(ProviderProblem.BadData,
                $"{provider} sent {what} that is not valid JSON ({e.Message}). The sync stopped there; everything fetched before it is kept and the next sync tries again.", e);
        }
    }

    public ProviderException Unexpected(string what, string expected) =>
        new(ProviderProblem.BadData, $"{provider} sent {what} that ClickInsights cannot read: expected {expected}. The sync stopped there; everything fetched before it is kept and the next sync tries again.");

    private static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException or OperationCanceledException => "no answer in time",
        BrokenCircuitException => "too many failures in a row, pausing",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "its address could not be found",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "the connection was refused or dropped",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "a secure connection could not be made",
        _ => "a network error",
    };

    /// <summary>
    /// The provider's own explanation, when its error body is JSON with one of the usual fields: one line of plain text,
    /// cut at 200 characters. Any other body is never repeated (it could be a page, a stack trace or a proxy's text).
    /// </summary>
    private static string Detail(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (ReadOnlySpan<string>)["error_description", "error_message", "detail", "message", "Message", "title", "error"])
                {
                    if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && Plain(value.GetString()!) is { Length: > 0 } text)
                    {
                        return $" The provider says: \"{text}\"";
                    }
                }
            }
        }
        catch (JsonException)
        {
        }
        return "";
    }

    /// <summary>Letters, digits, punctuation and single spaces only (no control, format or private characters, no line breaks), at most 200 characters.</summary>
    internal static string Plain(string text)
    {
        var plain = new StringBuilder(Math.Min(text.Length, 201));
        foreach (var rune in text.EnumerateRunes())
        {
            if (plain.Length >= 200)
            {
                return plain.ToString().TrimEnd() + "…";
            }
            var category = Rune.GetUnicodeCategory(rune);
            if (Rune.IsWhiteSpace(rune) || category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate)
            {
                if (plain.Length > 0 && plain[^1] != ' ')
                {
                    plain.Append(' ');
                }
                continue;
            }
            plain.Append(rune.ToString());
        }
        return plain.ToString().Trim();
    }
}

