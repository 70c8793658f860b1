using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.ConstantContact;
using ClickInsights.Core.Providers.Webhooks;

namespace ClickInsights.Web.Sync;

/// <summary>The provider-facing endpoints: webhooks (raw body, verified per provider) and Constant Contact's sign-in callback.</summary>
public static class SyncEndpoints
{
    /// <summary>Larger bodies are refused; SendGrid's batches stay far below this.</summary>
    private const int MaxWebhookBytes = 16 * 1024 * 1024;

    public static IEndpointRouteBuilder MapSyncEndpoints(this IEndpointRouteBuilder app)
    {
        // Providers call without signing in: each call is checked by the provider's own signature instead.
        app.MapPost("/webhooks/{provider}/{connectionId:int}", ReceiveAsync).DisableAntiforgery().AllowAnonymous();
        app.MapGet(Urls.ConstantContactCallback, CallbackAsync);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(string provider, int connectionId, HttpRequest request, HttpResponse response, WebhookReceiver receiver, CancellationToken cancellationToken)
    {
        // Answers carry a text: a bare status would be replaced by the dashboard's "not found" page.
        if (!ProviderNames.All.Contains(provider))
        {
            return Results.Text("This provider does not send webhooks to ClickInsights.", statusCode: StatusCodes.Status404NotFound);
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
        // The signature covers the exact bytes: read them raw, never through a model binder.
        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return tooLarge;
        }
        if (buffer.Length > MaxWebhookBytes)
        {
            return tooLarge;
        }
        var answer = await receiver.ReceiveAsync(provider, connectionId, buffer.ToArray(),
            name => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null, cancellationToken);
        if (answer.StatusCode == StatusCodes.Status401Unauthorized && provider is ProviderNames.Postmark or ProviderNames.Brevo)
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"ClickInsights webhook\"";
        }
        return Results.Text(answer.Message, statusCode: answer.StatusCode);
    }

    private static async Task<IResult> CallbackAsync(HttpRequest request, ConstantContactAuth auth, SyncRunner runner, Notices notices, ILoggerFactory loggers, CancellationToken cancellationToken)
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
            // Start fetching at once; the Connections page shows the progress.
            _ = runner.SyncAsync(id, CancellationToken.None);
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
