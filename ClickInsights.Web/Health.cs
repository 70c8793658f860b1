using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Web;

/// <summary>
/// What a load balancer asks: <c>/healthz</c> (the process answers) and <c>/readyz</c> (the database answers and every
/// migration this build knows is applied). Anonymous, never cached, no detail beyond a plain reason.
/// </summary>
public static class Health
{
    public const string Live = "/healthz";

    /// <summary>This instance's name: <c>ClickInsights:InstanceName</c>, else the machine and process (answers' header, job leases).</summary>
    public static string InstanceName(IConfiguration configuration) =>
        configuration["ClickInsights:InstanceName"] is { Length: > 0 } named ? named : $"{Environment.MachineName}:{Environment.ProcessId}";

    public const string Ready = "/readyz";

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet(Live, (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Text("ok\n", "text/plain");
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapGet(Ready, async (HttpContext http, IDbContextFactory<ClickInsightsDbContext> dbFactory, ILoggerFactory logs) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            var problem = await ProblemAsync(dbFactory, logs.CreateLogger(typeof(Health)), http.RequestAborted);
            return problem is null
                ? Results.Text("ready\n", "text/plain")
                : Results.Text($"not ready: {problem}\n", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>Why this instance should not get requests yet, or null when it should.</summary>
    public static async Task<string?> ProblemAsync(IDbContextFactory<ClickInsightsDbContext> dbFactory, ILogger logger, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(timeout.Token);
            if (!await db.Database.CanConnectAsync(timeout.Token))
            {
                return "the database does not answer";
            }
            var pending = (await db.Database.GetPendingMigrationsAsync(timeout.Token)).Count();
            return pending == 0 ? null : $"{pending} database migration{(pending == 1 ? " is" : "s are")} not applied yet";
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "The readiness check could not reach the database");
            return "the database does not answer";
        }
    }
}
