using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers.Postmark;

/// <summary>Postmark reads with the server token in <c>X-Postmark-Server-Token</c>.</summary>
public sealed class PostmarkClient(HttpClient http, IOptions<ProviderOptions> options, TimeProvider time)
{
    public const string ProviderName = "Postmark";

    private readonly ProviderHttp _http = new(http, options.Value, time, ProviderName);

    public ProviderHttp Http => _http;

    public Uri BaseUri(SyncContext context) => new((options.Value.OwnAddress(context.Connection) ?? options.Value.PostmarkApi).TrimEnd('/') + "/");

    public Task<byte[]> GetAsync(SyncContext context, Uri url, CancellationToken cancellationToken)
    {
        var token = context.RequiredSecret(SecretNames.ServerToken, "Enter the Postmark server API token to fetch clicks, or use the webhook only.");
        return _http.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Add("X-Postmark-Server-Token", token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return request;
            },
            context.Gate,
            "Postmark did not accept the server API token. Copy it again from the server's API Tokens tab in Postmark, remove this connection and add it again.",
            cancellationToken);
    }
}
