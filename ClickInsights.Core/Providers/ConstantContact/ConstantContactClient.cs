using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers.ConstantContact;

/// <summary>
/// Constant Contact V3 reads with a bearer token: renews it before expiry and once on HTTP 401; tells a daily quota
/// (429 <c>quota_exceeded</c>, stop) from throttling (429 <c>throttled</c>, wait and go on).
/// </summary>
public sealed class ConstantContactClient(HttpClient http, ConstantContactAuth auth, IOptions<ProviderOptions> options, TimeProvider time)
{
    public const string ProviderName = "Constant Contact";

    private readonly ProviderHttp _http = new(http, options.Value, time, ProviderName);

    public ProviderHttp Http => _http;

    /// <summary>The API root with a trailing slash, so that relative paths such as <c>emails</c> land under <c>/v3/</c>.</summary>
    public Uri BaseUri(SyncContext context) => new((options.Value.OwnAddress(context.Connection) ?? options.Value.ConstantContactApi).TrimEnd('/') + "/");

    public async Task<byte[]> GetAsync(SyncContext context, Uri url, CancellationToken cancellationToken)
    {
        var token = await auth.AccessTokenAsync(context, renew: false, cancellationToken);
        return await _http.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return request;
            },
            context.Gate,
            "Constant Contact refused this connection's sign-in even after renewing it. Press “Sign in to Constant Contact” and allow ClickInsights to read campaign data.",
            cancellationToken,
            refreshAsync: async ct => token = await auth.AccessTokenAsync(context, renew: true, ct),
            onThrottled: QuotaExceeded,
            refused: ProviderProblem.Reconnect);
    }

    private ProviderException? QuotaExceeded(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            // Constant Contact answers errors as an array of {error_key, error_message}, or one such object.
            var errors = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
            if (errors.Any(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("error_key", out var key) && key.ValueKind == JsonValueKind.String && key.GetString() == "quota_exceeded"))
            {
                return new ProviderException(ProviderProblem.QuotaReached,
                    $"Constant Contact's daily allowance of {options.Value.ConstantContactDailyQuota:N0} requests is used up (it counts every app using your account's key). The sync continues by itself tomorrow; nothing fetched so far is lost.");
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
