using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers.Mailchimp;

/// <summary>Mailchimp Marketing API 3.0 reads: HTTP Basic with the API key, on the host of the key's data centre.</summary>
public sealed class MailchimpClient(HttpClient http, IOptions<ProviderOptions> options, TimeProvider time)
{
    public const string ProviderName = "Mailchimp";

    private readonly ProviderHttp _http = new(http, options.Value, time, ProviderName);

    public ProviderHttp Http => _http;

    /// <summary>The data centre is the key's suffix after the dash: <c>…-us14</c> → <c>us14</c>.</summary>
    public static string? DataCentreOf(string apiKey)
    {
        var dash = apiKey.LastIndexOf('-');
        var dc = dash < 0 ? "" : apiKey[(dash + 1)..].Trim();
        return dc.Length > 0 && dc.All(char.IsAsciiLetterOrDigit) ? dc.ToLowerInvariant() : null;
    }

    public static string ApiKeyOf(SyncContext context) =>
        context.RequiredSecret(SecretNames.ApiKey, "Enter your Mailchimp API key (Account → Extras → API keys).");

    public Uri BaseUri(SyncContext context)
    {
        if (options.Value.OwnAddress(context.Connection) is { } own)
        {
            return new Uri(own.TrimEnd('/') + "/");
        }
        var dc = DataCentreOf(ApiKeyOf(context))
            ?? throw new ProviderException(ProviderProblem.WrongKey, "This does not look like a Mailchimp API key: it should end with a dash and its data centre, like …-us14. Copy the whole key from Mailchimp (Account → Extras → API keys) and add the connection again.");
        return new Uri(options.Value.MailchimpApi.Replace("{dc}", dc, StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    public Task<byte[]> GetAsync(SyncContext context, Uri url, CancellationToken cancellationToken)
    {
        var key = ApiKeyOf(context);
        return _http.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, url);
                // Any user name; the key is the password.
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("clickinsights:" + key)));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return request;
            },
            context.Gate,
            "Mailchimp did not accept the API key (it may have been deleted or mistyped). Create a new key in Mailchimp (Account → Extras → API keys), remove this connection and add it again.",
            cancellationToken);
    }
}
