using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers.Mailgun;

/// <summary>Mailgun reads: HTTP Basic <c>api:&lt;key&gt;</c>, on the US or EU host.</summary>
public sealed class MailgunClient(HttpClient http, IOptions<ProviderOptions> options, TimeProvider time)
{
    public const string ProviderName = "Mailgun";

    private readonly ProviderHttp _http = new(http, options.Value, time, ProviderName);

    public ProviderHttp Http => _http;

    public Uri BaseUri(SyncContext context) => new((options.Value.OwnAddress(context.Connection)
        ?? (string.Equals(context.Setting(SettingNames.Region), "eu", StringComparison.OrdinalIgnoreCase) ? options.Value.MailgunEuApi : options.Value.MailgunApi)).TrimEnd('/') + "/");

    public Task<byte[]> GetAsync(SyncContext context, Uri url, CancellationToken cancellationToken)
    {
        var key = context.RequiredSecret(SecretNames.ApiKey, "Enter a Mailgun API key to fetch events, or use the webhook only.");
        return _http.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("api:" + key)));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return request;
            },
            context.Gate,
            "Mailgun did not accept the API key. Check that it is a private API key of this account and region (US or EU), remove this connection and add it again.",
            cancellationToken);
    }
}
