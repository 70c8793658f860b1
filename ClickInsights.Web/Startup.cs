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
