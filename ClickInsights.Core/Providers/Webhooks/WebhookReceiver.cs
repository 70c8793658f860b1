using ClickInsights.Core.Data;
using System.Text.Json;
using ClickInsights.Core.Import;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers.Webhooks;

/// <summary>A webhook call's connection, loaded once: its row, its secrets and its settings.</summary>
public sealed record WebhookTarget(ProviderConnection Connection, IReadOnlyDictionary<string, string> Secrets, IReadOnlyDictionary<string, string> Settings);

/// <summary>The answer to a webhook call: an HTTP status the provider understands, and a short reason.</summary>
public sealed record WebhookAnswer(int StatusCode, string Message)
{
    public static WebhookAnswer Ok(string message) => new(200, message);
}

/// <summary>
/// Receives a provider's webhook call for a connection: checks that the provider sent it (SendGrid's ECDSA
/// signature, Mailgun's HMAC with replay protection, Postmark's and Brevo's basic auth), stores the batch through the same
/// import path as a file (idempotent: the same batch twice is stored once; batches arriving together are stored in one
/// transaction by <see cref="WebhookGroupCommit"/>), and leaves classification to <see cref="ClassificationQueue"/> so
/// that the provider gets its answer at once.
/// </summary>
public sealed class WebhookReceiver(
    ConnectionService connections,
    EventImporter importer,
    WebhookGroupCommit group,
    WebhookReplayGuard replays,
    IOptions<ProviderOptions> options,
    TimeProvider time,
    ILogger<WebhookReceiver> logger)
{
    private static readonly WebhookAnswer NotSigned = new(401, "The call is not signed by the provider this connection expects.");

    /// <summary>
    /// The connection a call's address names (by its random key), loaded once for the whole call; an unknown key or
    /// another provider's address is refused as a connection that does not exist.
    /// </summary>
    public async Task<(WebhookTarget? Target, WebhookAnswer? Refused)> FindAsync(string provider, string key, CancellationToken cancellationToken) =>
        Found(provider, ConnectionService.IsWebhookKey(key) ? await connections.LoadByWebhookKeyAsync(key, cancellationToken) : null);

    /// <param name="header">Reads a request header by name (case-insensitive), null when absent.</param>
    /// <param name="url">The address the call came to, as the provider knows it (Mailchimp Transactional signs it).</param>
    public async Task<WebhookAnswer> ReceiveAsync(string provider, int connectionId, byte[] body, Func<string, string?> header, CancellationToken cancellationToken, string? url = null)
    {
        var (target, refused) = Found(provider, await connections.LoadAsync(connectionId, cancellationToken));
        return refused ?? RefuseBeforeBody(target!, header) ?? await ReceiveAsync(target!, body, header, cancellationToken, url);
    }

    private static (WebhookTarget? Target, WebhookAnswer? Refused) Found(string provider, (ProviderConnection Connection, Dictionary<string, string> Secrets)? loaded) =>
        loaded is { } found && found.Connection.Provider == provider
            ? (new WebhookTarget(found.Connection, found.Secrets, JsonMap.Read(found.Connection.SettingsJson)), null)
            : (null, new WebhookAnswer(404, "There is no such connection."));

    /// <summary>
    /// What can be refused before the body is read: Postmark and Brevo put a user name and password in the webhook
    /// address and send them as basic auth, in a header.
    /// </summary>
    public static WebhookAnswer? RefuseBeforeBody(WebhookTarget target, Func<string, string?> header)
    {
        if (target.Connection.Provider is not (ProviderNames.Postmark or ProviderNames.Brevo))
        {
            return null;
        }
        if (target.Secrets.GetValueOrDefault(SecretNames.WebhookPassword) is not { } password || target.Settings.GetValueOrDefault(SettingNames.WebhookUser) is not { } user)
        {
            return new WebhookAnswer(401, "This connection has no webhook credentials; it accepts no calls.");
        }
        return WebhookSignatures.VerifyBasic(header("Authorization"), user, password) ? null : new WebhookAnswer(401, "Wrong or missing user name and password.");
    }

    /// <summary>Checks the call's signature and stores its events, for a connection <see cref="FindAsync"/> found and <see cref="RefuseBeforeBody"/> let through.</summary>
    public async Task<WebhookAnswer> ReceiveAsync(WebhookTarget target, byte[] body, Func<string, string?> header, CancellationToken cancellationToken, string? url = null)
    {
        var provider = target.Connection.Provider;
        var connectionId = target.Connection.Id;
        var (connection, secrets, settings) = target;
        var now = time.GetUtcNow();
        string? replayToken = null;

        switch (provider)
        {
            case ProviderNames.SendGrid:
            {
                if (settings.GetValueOrDefault(SettingNames.PublicKey) is not { } publicKey)
                {
                    return new WebhookAnswer(401, "This connection has no verification key; it accepts no calls.");
                }
                var timestamp = header(WebhookSignatures.SendGridTimestampHeader);
                if (!WebhookSignatures.VerifySendGrid(publicKey, timestamp, header(WebhookSignatures.SendGridSignatureHeader), body))
                {
                    return NotSigned;
                }
                if (!WebhookSignatures.IsFresh(timestamp, now, options.Value.WebhookMaxAge))
                {
                    return new WebhookAnswer(401, "The call's timestamp is too old (or in the future).");
                }
                break;
            }
            case ProviderNames.Mailgun:
            {
                if (secrets.GetValueOrDefault(SecretNames.SigningKey) is not { } signingKey)
                {
                    return new WebhookAnswer(401, "This connection has no webhook signing key; it accepts no calls.");
                }
                var (timestamp, token, signature) = MailgunSignature(body);
                if (!WebhookSignatures.VerifyMailgun(signingKey, timestamp, token, signature))
                {
                    return NotSigned;
                }
                if (!WebhookSignatures.IsFresh(timestamp, now, options.Value.MailgunWebhookMaxAge))
                {
                    return new WebhookAnswer(406, "The call's timestamp is too old (or in the future).");
                }
                if (!await replays.TryUseAsync(token!, options.Value.MailgunWebhookMaxAge * 2, cancellationToken))
                {
                    // 406 tells Mailgun not to try again.
                    return new WebhookAnswer(406, "This call was received before (a replay).");
                }
                replayToken = token;
                break;
            }
            case ProviderNames.Postmark or ProviderNames.Brevo:
            {
                // Their credentials were checked before the body was read (RefuseBeforeBody).
                if (provider == ProviderNames.Postmark && PostmarkRecordType(body) is { } type && type is not ("Click" or "Open" or "Delivery" or "Bounce" or "SpamComplaint" or "SubscriptionChange"))
                {
                    // Accepted so that Postmark does not retry: a record kind ClickInsights does not read (an inbound message).
                    return WebhookAnswer.Ok($"{type} records are not used; nothing stored.");
                }
                break;
            }
            case ProviderNames.Mandrill:
            {
                if (secrets.GetValueOrDefault(SecretNames.SigningKey) is not { } webhookKey)
                {
                    return new WebhookAnswer(401, "This connection has no webhook key; it accepts no calls.");
                }
                var fields = WebhookSignatures.FormFields(body);
                if (url is null || !WebhookSignatures.VerifyMandrill(webhookKey, url, fields, header(WebhookSignatures.MandrillSignatureHeader)))
                {
                    return NotSigned;
                }
                // The events are the JSON array in the form field "mandrill_events"; Mailchimp's check of a new webhook sends none.
                var events = fields.FirstOrDefault(f => f.Name == "mandrill_events").Value;
                if (string.IsNullOrWhiteSpace(events) || events.Trim() == "[]")
                {
                    return WebhookAnswer.Ok("No events in this call; nothing stored.");
                }
                body = System.Text.Encoding.UTF8.GetBytes(events);
                break;
            }
            default:
                return new WebhookAnswer(404, "This provider does not send webhooks to ClickInsights.");
        }

        try
        {
            var answer = await StoreAsync(connection.WorkspaceId, connectionId, provider, body, cancellationToken);
            if (answer.StatusCode != 200 && replayToken is not null)
            {
                await replays.ForgetAsync(replayToken);
            }
            return answer;
        }
        catch
        {
            if (replayToken is not null)
            {
                await replays.ForgetAsync(replayToken);
            }
            throw;
        }
    }

    private async Task<WebhookAnswer> StoreAsync(int workspaceId, int connectionId, string provider, byte[] body, CancellationToken cancellationToken)
    {
        var fileName = $"{provider}/webhook/{time.GetUtcNow():yyyyMMdd'T'HHmmss.fff'Z'}.json";
        // A batch that is not this provider's format would be read by another reader: refuse it instead.
        var rejectStatus = provider == ProviderNames.Mailgun ? 406 : 400;
        ParsedBatch batch;
        try
        {
            // Read and checked here, alongside the other calls; only storing is shared with them.
            batch = await importer.ParseAsync(body, fileName, cancellationToken);
        }
        catch (ImportFormatException e)
        {
            logger.LogWarning("Webhook call for connection {ConnectionId} could not be read: {Problem} at {Position}", connectionId, e.Problem, e.Position);
            return new WebhookAnswer(rejectStatus, $"The body could not be read: {e.Problem} (at {e.Position}).");
        }
        if (batch.Reader != ExpectedReader(provider))
        {
            return new WebhookAnswer(rejectStatus, $"This is not a {ProviderNames.Display(provider)} webhook body.");
        }
        if (batch.Events == 0 && batch.Items.Count == 0)
        {
            return WebhookAnswer.Ok("No events in this call; nothing stored.");
        }
        var stored = await group.StoreAsync(workspaceId, connectionId, provider, batch);
        return WebhookAnswer.Ok(stored.Describe());
    }

    private static Type ExpectedReader(string provider) => provider switch
    {
        ProviderNames.SendGrid => typeof(SendGridReader),
        ProviderNames.Mailgun => typeof(MailgunReader),
        ProviderNames.Brevo => typeof(BrevoReader),
        ProviderNames.Mandrill => typeof(MandrillReader),
        _ => typeof(PostmarkReader),
    };

    /// <summary>
    /// The signature object of a Mailgun call, found by reading the body's top level and skipping everything else: an
    /// unsigned flood of large bodies costs no parsed documents, only the bodies themselves.
    /// </summary>
    private static (string? Timestamp, string? Token, string? Signature) MailgunSignature(byte[] body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null, null);
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSignature = reader.ValueTextEquals("signature"u8);
                reader.Read();
                if (!isSignature || reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                string? timestamp = null, token = null, signature = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    reader.Read();
                    var value = reader.ValueSpan.Length > 512 ? null : reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                        _ => null,
                    };
                    reader.Skip();
                    switch (name)
                    {
                        case "timestamp": timestamp = value; break;
                        case "token": token = value; break;
                        case "signature": signature = value; break;
                    }
                }
                return (timestamp, token, signature);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
        }
        return (null, null, null);
    }

    private static string? PostmarkRecordType(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object ? Text(json.RootElement, "RecordType") : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
