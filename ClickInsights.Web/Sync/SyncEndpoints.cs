using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.ConstantContact;
using ClickInsights.Core.Providers.Webhooks;

namespace ClickInsights.Web.Sync;

/// <summary>The provider-facing endpoints: webhooks (raw body, verified per provider) and Constant Contact's sign-in callback.</summary>
public static class SyncEndpoints
{
    /// <summary>Larger bodies are refused; SendGrid's batches stay far below this.</summary>
    internal const int MaxWebhookBytes = 16 * 1024 * 1024;

    public static IEndpointRouteBuilder MapSyncEndpoints(this IEndpointRouteBuilder app)
    {
        // Providers call without signing in: each call is checked by the provider's own signature instead.
        app.MapPost("/webhooks/{provider}/{key}", ReceiveAsync).DisableAntiforgery().AllowAnonymous();
        // Mailchimp Transactional checks a new webhook's address with HEAD before it is saved (and before its key is
        // known here): every well-formed address answers alike, so the answer tells nothing.
        app.MapMethods("/webhooks/{provider}/{key}", ["HEAD"], (string provider, string key) =>
            ProviderNames.All.Contains(provider) && ConnectionService.IsWebhookKey(key) ? Results.Ok() : Results.NotFound()).AllowAnonymous();
        app.MapGet(Urls.ConstantContactCallback, CallbackAsync);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(string provider, string key, HttpRequest request, HttpResponse response, WebhookReceiver receiver, WebhookGate gate, CancellationToken cancellationToken)
    {
        // Answers carry a text: a bare status would be replaced by the dashboard's "not found" page.
        if (!ProviderNames.All.Contains(provider))
        {
            return Results.Text("This provider does not send webhooks to ClickInsights.", statusCode: StatusCodes.Status404NotFound);
        }
        // The address carries the connection's random key: a made-up one answers as a connection that does not exist.
        var (target, missing) = await receiver.FindAsync(provider, key, cancellationToken);
        if (missing is not null)
        {
            return Text(missing, provider, response);
        }
        var tooLarge = Results.Text($"The body is larger than {MaxWebhookBytes / (1024 * 1024)} MB.", statusCode: StatusCodes.Status413PayloadTooLarge);
        if (request.ContentLength > MaxWebhookBytes)
        {
            return tooLarge;
        }
        // A body sent in chunks has no length up front: the server stops reading it at the limit.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxWebhookBytes;
        }
        // Each connection takes a sane number of calls a minute; beyond, the provider is asked to come back (it retries).
        using var lease = gate.PerConnection.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            response.Headers.RetryAfter = "60";
            return Results.Text("Too many webhook calls to this connection this minute; try again shortly.", statusCode: StatusCodes.Status429TooManyRequests);
        }
        string? Header(string name) => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
        // Wrong credentials are refused before a byte of the body is read.
        if (WebhookReceiver.RefuseBeforeBody(target!, Header) is { } early)
        {
            return Text(early, provider, response);
        }
        // Bodies are held in memory only a few at a time: a flood waits, then is asked to come back (providers retry).
        if (!await gate.Bodies.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken))
        {
            response.Headers.RetryAfter = "30";
            return Results.Text("Too many webhook calls at once; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        try
        {
            // The signature covers the exact bytes: read them raw, never through a model binder.
            byte[] body;
            try
            {
                body = await ReadBodyAsync(request, cancellationToken);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return tooLarge;
            }
            catch (InvalidDataException)
            {
                return tooLarge;
            }
            catch (EndOfStreamException)
            {
                return Results.Text("The body ended before the length the call announced.", statusCode: StatusCodes.Status400BadRequest);
            }
            var answer = await receiver.ReceiveAsync(target!, body, Header, cancellationToken,
                url: $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}");
            return Text(answer, provider, response);
        }
        finally
        {
            gate.Bodies.Release();
        }
    }

    /// <summary>The body into one array of its exact size when its length is given, else grown up to the limit and no further.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            var exact = new byte[length];
            await request.Body.ReadExactlyAsync(exact, cancellationToken);
            return exact;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxWebhookBytes)
            {
                throw new InvalidDataException("The body is larger than the limit.");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static IResult Text(WebhookAnswer answer, string provider, HttpResponse response)
    {
        if (answer.StatusCode == StatusCodes.Status401Unauthorized && provider is ProviderNames.Postmark or ProviderNames.Brevo)
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"ClickInsights webhook\"";
        }
        return Results.Text(answer.Message, statusCode: answer.StatusCode);
    }

    private static async Task<IResult> CallbackAsync(HttpRequest request, ConstantContactAuth auth, ClickInsights.Core.Jobs.SyncJob syncs, ConnectionService connections, Notices notices, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (!string.IsNullOrEmpty(query["error"]))
        {
            // Anyone can send a browser here with any words: only OAuth's own short error codes are repeated.
            var code = query["error"].ToString();
            var message = code == "access_denied"
                ? "You did not allow ClickInsights to read your Constant Contact campaigns, so nothing was connected."
                : $"Constant Contact did not complete the sign-in{(code.Length <= 40 && code.All(c => char.IsAsciiLetterLower(c) || c == '_') ? $" (error code {code})" : "")}. Try signing in again.";
            return Results.Redirect(Urls.ConnectionsWithProblem(notices.Keep(message)));
        }
        try
        {
            var id = await auth.CompleteSignInAsync(query["state"], query["code"], RedirectUri(request), cancellationToken);
            // Start fetching at once (a background job); the Connections page shows the progress.
            if (await connections.GetAsync(id, cancellationToken) is { } connection)
            {
                await syncs.EnqueueAsync(connection.WorkspaceId, id, connection.Name, request.HttpContext.User.Identity?.Name is { Length: > 0 } who ? who : "local user", cancellationToken);
            }
            return Results.Redirect(Urls.ConnectionsSignedIn(id));
        }
        catch (ProviderException e)
        {
            loggers.CreateLogger(typeof(SyncEndpoints)).LogWarning("Constant Contact sign-in failed: {Problem}", e.Problem);
            return Results.Redirect(Urls.ConnectionsWithProblem(notices.Keep(e.Message)));
        }
    }

    /// <summary>The callback address to register in the user's Constant Contact app: this dashboard's own host.</summary>
    public static string RedirectUri(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}{Urls.ConstantContactCallback}";
}
