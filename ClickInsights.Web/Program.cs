using ClickInsights.Web;
using ClickInsights.Web.Components;
using ClickInsights.Web.Sync;
using ClickInsights.Web.Api;

// The dashboard is written in English: numbers and dates read the same whatever the server's language.
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;

var builder = WebApplication.CreateBuilder(args);

// First of the hosted services (they start in order): the database is created and migrated before anything reads it,
// Data Protection's key ring included (its own startup service loads the ring from the database).
builder.Services.AddHostedService<DatabaseStartup>();

builder.Services.AddRazorComponents().AddInteractiveServerComponents()
    // Uploads stream in chunks; a little more room than the 32 KB default keeps large files from stalling on it.
    .AddHubOptions(hub => hub.MaximumReceiveMessageSize = 256 * 1024);
builder.Services.AddClickInsights();
builder.Services.AddKeyRing(builder.Configuration);
builder.Services.AddAccess();

var app = builder.Build();

// No stack trace or echo of the request reaches a response, whatever the environment (the README's `dotnet run` is
// Development): the developer exception page only when a developer turns it on on purpose.
if (!app.Configuration.GetValue<bool>("ClickInsights:DeveloperErrors"))
{
    app.UseExceptionHandler(new ExceptionHandlerOptions
    {
        ExceptionHandler = Startup.AnswerErrorAsync,
        // A request the server could not read (a form without its token, a body too large) stays a 4xx.
        StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
    });
}
// Which instance answered, for whoever runs several behind a load balancer (and their logs): a name from configuration,
// else the machine and process.
var instance = Health.InstanceName(app.Configuration);
app.Use((context, next) =>
{
    context.Response.Headers["X-ClickInsights-Instance"] = instance;
    return next(context);
});
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseSecurityHeaders();
app.UseOwnOriginForPages();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseAntiforgery();

// Styles and scripts are the same for everyone; the sign-in page and the webhooks need no sign-in either.
app.MapStaticAssets().AllowAnonymous();
app.MapHealth();
app.MapAccess();
app.MapExports();
app.MapSyncEndpoints();
app.MapApi();
app.MapApiReference();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

// Accounts protect a dashboard that others can reach: listening beyond this computer with no admin is refused.
if (await Startup.RefusalAsync(app) is { } refusal)
{
    Console.Error.WriteLine(refusal);
    Environment.ExitCode = 3;
    return;
}
app.Run();

public partial class Program;
