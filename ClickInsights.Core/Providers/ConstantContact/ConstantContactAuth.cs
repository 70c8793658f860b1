using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers.ConstantContact;

/// <summary>
/// Constant Contact's OAuth2 authorization-code flow with the user's own app (client id and secret): the sign-in
/// address, the code exchange at the callback, and renewing the access token with the refresh token.
/// </summary>
public sealed class ConstantContactAuth(HttpClient http, ConnectionService connections, IOptions<ProviderOptions> options, TimeProvider time)
{
    public const string Scopes = "campaign_data offline_access";
    private static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(15);
    /// <summary>Renew this long before expiry, so a page request never meets an expired token.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private const string ReconnectMessage =
        "Constant Contact no longer accepts this connection's sign-in (it expired or was withdrawn). Press “Sign in to Constant Contact” and approve ClickInsights there; nothing stored so far is lost.";

    /// <summary>The address to send the browser to; remembers a one-time state value that the callback must bring back.</summary>
    public async Task<string> StartSignInAsync(int connectionId, string redirectUri, CancellationToken cancellationToken = default)
    {
        var loaded = await connections.LoadAsync(connectionId, cancellationToken)
            ?? throw new ProviderException(ProviderProblem.Setup, "This connection no longer exists.");
        var settings = JsonMap.Read(loaded.Connection.SettingsJson);
        if (!settings.TryGetValue(SettingNames.ClientId, out var clientId) || string.IsNullOrWhiteSpace(clientId))
        {
            throw new ProviderException(ProviderProblem.Setup, "Enter the API key (client id) of your Constant Contact app first.");
        }
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(32));
        var issued = time.GetUtcNow().ToUnixTimeSeconds();
        await connections.UpdateSettingAsync(connectionId, SettingNames.PendingState, $"{nonce}.{issued}", cancellationToken);
        await connections.UpdateSettingAsync(connectionId, SettingNames.PendingRedirect, redirectUri, cancellationToken);
        var query = new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = Scopes,
            ["state"] = $"{connectionId}.{nonce}",
        };
        return $"{options.Value.ConstantContactAuth.TrimEnd('/')}/authorize?" + string.Join('&', query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
    }

    /// <summary>The callback: checks the state, exchanges the single-use code for tokens and stores them. Returns the connection id.</summary>
    /// <param name="redirectUri">The callback's address as its request shows it, used when the sign-in kept none.</param>
    public async Task<int> CompleteSignInAsync(string? state, string? code, string redirectUri, CancellationToken cancellationToken = default)
    {
        var parts = (state ?? "").Split('.', 2);
        if (parts.Length != 2 || !int.TryParse(parts[0], out var connectionId) || string.IsNullOrEmpty(code))
        {
            throw new ProviderException(ProviderProblem.Setup, "The answer from Constant Contact was incomplete. Start the sign-in again from the Connections page.");
        }
        var loaded = await connections.LoadAsync(connectionId, cancellationToken)
            ?? throw new ProviderException(ProviderProblem.Setup, "The connection this sign-in was for no longer exists.");
        var settings = JsonMap.Read(loaded.Connection.SettingsJson);
        var pending = settings.GetValueOrDefault(SettingNames.PendingState)?.Split('.', 2);
        if (pending is not { Length: 2 } || !long.TryParse(pending[1], out var issued)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(pending[0]), Encoding.UTF8.GetBytes(parts[1])))
        {
            throw new ProviderException(ProviderProblem.Setup, "This sign-in answer does not belong to a sign-in started here (or was used already). Start the sign-in again from the Connections page.");
        }
        await connections.UpdateSettingAsync(connectionId, SettingNames.PendingState, null, cancellationToken);
        await connections.UpdateSettingAsync(connectionId, SettingNames.PendingRedirect, null, cancellationToken);
        // The address the sign-in started with; the one rebuilt from the callback's request only when none was kept.
        redirectUri = settings.GetValueOrDefault(SettingNames.PendingRedirect) is { Length: > 0 } started ? started : redirectUri;
        if (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(issued) > StateLifetime)
        {
            throw new ProviderException(ProviderProblem.Setup, "The sign-in took too long. Start it again from the Connections page.");
        }
        var tokens = await RequestTokensAsync(settings.GetValueOrDefault(SettingNames.ClientId) ?? "", loaded.Secrets.GetValueOrDefault(SecretNames.ClientSecret) ?? "",
            new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri }, cancellationToken);
        if (tokens.RefreshToken is null)
        {
            throw new ProviderException(ProviderProblem.Setup, "Constant Contact gave no refresh token, so the connection would stop working within a day. Make sure your Constant Contact app allows the offline_access scope, then sign in again.");
        }
        await connections.UpdateSecretsAsync(connectionId,
            new Dictionary<string, string?> { [SecretNames.AccessToken] = tokens.AccessToken, [SecretNames.RefreshToken] = tokens.RefreshToken },
            tokens.ExpiresAt, cancellationToken);
        return connectionId;
    }

    /// <summary>A usable access token: the stored one, or a renewed one when it is about to expire or was refused.</summary>
    public async Task<string> AccessTokenAsync(SyncContext context, bool renew, CancellationToken cancellationToken)
    {
        var access = context.Secret(SecretNames.AccessToken);
        var expires = context.AccessTokenExpiresAt ?? context.Connection.AccessTokenExpiresAt;
        if (!renew && access is not null && (expires is null || expires.Value - time.GetUtcNow().UtcDateTime > RenewBefore))
        {
            return access;
        }
        var refresh = context.Secret(SecretNames.RefreshToken)
            ?? throw new ProviderException(ProviderProblem.Reconnect, access is null
                ? "This connection is not signed in to Constant Contact yet. Press “Sign in to Constant Contact” and approve ClickInsights there."
                : ReconnectMessage);
        context.Report("Renewing the sign-in");
        TokenAnswer tokens;
        try
        {
            tokens = await RequestTokensAsync(context.RequiredSetting(SettingNames.ClientId, "Enter the API key (client id) of your Constant Contact app."),
                context.RequiredSecret(SecretNames.ClientSecret, "Enter the client secret of your Constant Contact app."),
                new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh }, cancellationToken);
        }
        catch (ProviderException e) when (e.Problem == ProviderProblem.Reconnect && e.Data.Contains(DeadRefreshToken))
        {
            // The refresh token is dead (invalid_grant): forget the tokens so the page offers to sign in again. Any
            // other refusal leaves them: a passing trouble must not sign the person out.
            // Only if they are still the ones that failed: a sign-in made meanwhile (or a renewal by another run) stays.
            await context.ForgetSignInAsync(refresh, CancellationToken.None);
            throw;
        }
        await context.UpdateSecretsAsync(new Dictionary<string, string?>
        {
            [SecretNames.AccessToken] = tokens.AccessToken,
            // Constant Contact may rotate the refresh token; keep the old one when it does not.
            [SecretNames.RefreshToken] = tokens.RefreshToken ?? refresh,
        }, tokens.ExpiresAt, cancellationToken);
        return tokens.AccessToken;
    }

    /// <summary>Marks (in <see cref="Exception.Data"/>) a refusal that means the refresh token can never be used again.</summary>
    private const string DeadRefreshToken = "ClickInsights.DeadRefreshToken";

    private sealed record TokenAnswer(string AccessToken, string? RefreshToken, DateTime? ExpiresAt);

    private async Task<TokenAnswer> RequestTokensAsync(string clientId, string clientSecret, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Value.ConstantContactAuth.TrimEnd('/') + "/token")
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{clientSecret}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            throw new ProviderException(ProviderProblem.ProviderDown, "Constant Contact's sign-in service could not be reached. ClickInsights tries again at the next sync.", e);
        }
        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            string? error = null, description = null;
            JsonDocument? json = null;
            try
            {
                json = JsonDocument.Parse(body);
                error = Text(json.RootElement, "error");
                description = Text(json.RootElement, "error_description");
            }
            catch (JsonException)
            {
            }
            using (json)
            {
                if (response.IsSuccessStatusCode && json is not null && Text(json.RootElement, "access_token") is { } access)
                {
                    DateTime? expiresAt = json.RootElement.TryGetProperty("expires_in", out var seconds) && seconds.TryGetInt32(out var s)
                        ? time.GetUtcNow().UtcDateTime.AddSeconds(s)
                        : null;
                    return new TokenAnswer(access, Text(json.RootElement, "refresh_token"), expiresAt);
                }
                var said = description is null ? "" : $" Constant Contact says: \"{description}\"";
                throw error switch
                {
                    "invalid_grant" => new ProviderException(ProviderProblem.Reconnect, ReconnectMessage + said) { Data = { [DeadRefreshToken] = true } },
                    "invalid_client" or "unauthorized_client" => new ProviderException(ProviderProblem.WrongKey,
                        "Constant Contact did not accept the app's API key or client secret. Check both in your Constant Contact app, remove this connection and add it again." + said),
                    _ when response.StatusCode == System.Net.HttpStatusCode.TooManyRequests => new ProviderException(ProviderProblem.Throttled,
                        "Constant Contact asked ClickInsights to slow down while renewing the sign-in. ClickInsights tries again at the next sync; the sign-in is kept."),
                    _ when (int)response.StatusCode >= 500 || response.StatusCode == System.Net.HttpStatusCode.RequestTimeout => new ProviderException(ProviderProblem.ProviderDown,
                        $"Constant Contact's sign-in service is having trouble (HTTP {(int)response.StatusCode}). ClickInsights tries again at the next sync."),
                    _ => new ProviderException(ProviderProblem.Reconnect,
                        $"Constant Contact refused the sign-in (HTTP {(int)response.StatusCode}{(error is null ? "" : ", " + error)}). Press “Sign in to Constant Contact” to try again." + said),
                };
            }
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
