using System.Text.Json;

namespace ClickInsights.Core.Providers;

/// <summary>
/// Encrypts connection secrets at rest. The dashboard implements it with ASP.NET Core Data Protection; Core only
/// needs these two calls and so stays free of ASP.NET Core.
/// </summary>
public interface ISecretProtector
{
    string Protect(string plaintext);

    /// <summary>Throws <see cref="System.Security.Cryptography.CryptographicException"/> when the keys that protected it are gone.</summary>
    string Unprotect(string protectedText);
}

/// <summary>The names of the secrets a connection can hold.</summary>
public static class SecretNames
{
    public const string ClientSecret = "clientSecret";
    public const string AccessToken = "accessToken";
    public const string RefreshToken = "refreshToken";
    public const string ApiKey = "apiKey";
    public const string SigningKey = "signingKey";
    public const string ServerToken = "serverToken";
    public const string WebhookPassword = "webhookPassword";
}

/// <summary>The names of a connection's non-secret settings.</summary>
public static class SettingNames
{
    public const string ClientId = "clientId";
    public const string Domain = "domain";
    public const string Region = "region";
    public const string DataCentre = "dc";
    public const string PublicKey = "publicKey";
    public const string WebhookUser = "webhookUser";
    /// <summary>The one-time value that ties an OAuth callback to the sign-in it answers.</summary>
    public const string PendingState = "pendingState";
    /// <summary>
    /// The callback address the pending sign-in sent Constant Contact, as the browser saw the dashboard: the code
    /// exchange must name the same one, which behind a proxy that ends HTTPS the callback's own request cannot tell.
    /// </summary>
    public const string PendingRedirect = "pendingRedirect";
}

internal static class JsonMap
{
    public static Dictionary<string, string> Read(string? json) =>
        string.IsNullOrWhiteSpace(json)
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [], StringComparer.Ordinal);

    public static string? Write(IReadOnlyDictionary<string, string> map) => map.Count == 0 ? null : JsonSerializer.Serialize(map);
}
