using System.Net;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Data;

namespace ClickInsights.Web;

/// <summary>Checks made before the dashboard listens, and the headers every answer carries.</summary>
public static class Startup
{
    /// <summary>
    /// Why the dashboard must not start: it would listen on an address other computers can reach while no admin exists
    /// (so anyone reaching it would have every workspace). Null when it may start.
    /// </summary>
    public static async Task<string?> RefusalAsync(WebApplication app)
    {
        var addresses = ListeningAddresses(app.Configuration);
        var open = addresses.FirstOrDefault(a => !IsLoopback(a));
        if (open is null)
        {
            return null;
        }
        await DatabaseMigrator.MigrateAsync(app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ClickInsightsDbContext>>(), CancellationToken.None);
        if (await app.Services.GetRequiredService<PeopleService>().AccountsOnAsync())
        {
            return null;
        }
        return $"ClickInsights will not listen on {open} without an admin account: anyone reaching it would see every workspace.\n" +
               "Create the first admin, then start again:\n" +
               "  dotnet run --project ClickInsights.Cli -- users add you@example.com --role admin   (the password is read from standard input)\n" +
               "(with --db FILE when the dashboard uses ClickInsights:Storage:DatabasePath), or start it on this computer only\n" +
               "(http://localhost:5080) and create the admin at http://localhost:5080/first-run.";
    }

    /// <summary>The addresses Kestrel is told to listen on (<c>urls</c>, <c>ASPNETCORE_URLS</c>, <c>Kestrel:Endpoints</c>).</summary>
    internal static IReadOnlyList<string> ListeningAddresses(IConfiguration configuration)
    {
        var addresses = new List<string>();
        foreach (var key in new[] { "urls", "ASPNETCORE_URLS", "http_ports", "https_ports" })
        {
            if (configuration[key] is { Length: > 0 } value)
            {
                addresses.AddRange(key.EndsWith("ports", StringComparison.Ordinal)
                    ? value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}")
                    : value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }
        addresses.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return addresses;
    }

    internal static bool IsLoopback(string address)
    {
        var rest = address.Contains("://", StringComparison.Ordinal) ? address[(address.IndexOf("://", StringComparison.Ordinal) + 3)..] : address;
        var host = rest.StartsWith('[') ? rest[1..Math.Max(1, rest.IndexOf(']'))] : rest.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>
    /// A Content-Security-Policy that Blazor Server and MudBlazor work under (scripts from the dashboard only; MudBlazor
    /// sets inline styles), no framing, no sniffing, no referrer beyond the dashboard.
    /// </summary>
    /// <summary>
    /// The answer to a request the server failed on: plain words and the number under which the error was logged (the
    /// exception handler logs it with the request's id), never the exception, its stack trace or the request.
    /// </summary>
    public static Task AnswerErrorAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(Api.ApiEndpoints.Prefix))
        {
            // The API answers in problem details, with the same number to find the details in the log.
            context.Response.ContentType = "application/problem+json";
            return context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new
            {
                type = "about:blank",
                title = context.Response.StatusCode < 500 ? "The request could not be read" : "Something went wrong",
                status = context.Response.StatusCode,
                detail = context.Response.StatusCode < 500 ? "Something in the request was missing or not as expected." : "ClickInsights could not answer this request; nothing stored was lost. The details are in the log under the error number.",
                error_id = context.TraceIdentifier,
            }));
        }
        var id = WebUtility.HtmlEncode(context.TraceIdentifier);
        var (title, text) = context.Response.StatusCode < 500
            ? ("The dashboard could not read this request", "Something in it was missing or not as expected (a form sent without its page, or a file too large). Go back, reload the page and try again.")
            : ("Something went wrong", "ClickInsights could not answer this request. Nothing you stored was lost. Try again in a moment; if it keeps happening, tell whoever runs this dashboard the error number below: the details are in its log under it.");
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8" /><title>{{title}} · ClickInsights</title>
            <style>body{font-family:Roboto,"Segoe UI",Helvetica,Arial,sans-serif;max-width:640px;margin:64px auto;padding:0 24px;color:#222;line-height:1.5}h1{font-size:24px;font-weight:500}code{background:#f1f1f1;padding:2px 6px}</style></head>
            <body><h1>{{title}}</h1><p>{{text}}</p><p>Error number: <code data-testid="error-id">{{id}}</code></p><p><a href="/">Back to the dashboard</a></p></body></html>
            """);
    }

    /// <summary>
    /// The live connection of the pages (<c>/_blazor</c>) answers the dashboard's own pages only: a browser sends the
    /// page's origin, and another site's page (which would ride on the sign-in cookie) is refused.
    /// </summary>
    public static IApplicationBuilder UseOwnOriginForPages(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/_blazor") && context.Request.Headers.Origin is { Count: > 0 } origin
            && !(Uri.TryCreate(origin.ToString(), UriKind.Absolute, out var from)
                 && string.Equals(from.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("The dashboard's live connection answers its own pages only.");
        }
        return next(context);
    });

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
                                            "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers.XFrameOptions = "DENY";
            return Task.CompletedTask;
        });
        return next();
    });
}
