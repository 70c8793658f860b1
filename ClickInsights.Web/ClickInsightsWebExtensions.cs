using ClickInsights.Core.Accounts;
using ClickInsights.Core.Authentication;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Demo;
using ClickInsights.Core.Domains;
using ClickInsights.Core.Import;
using ClickInsights.Core.Jobs;
using ClickInsights.Core.Providers;
using ClickInsights.Core.Reports;
using ClickInsights.Web.Sync;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace ClickInsights.Web;

public sealed class DashboardOptions
{
    public const string Section = "ClickInsights";

    /// <summary>Load the demo workspace when the database has no workspace at all.</summary>
    public bool SeedDemo { get; set; } = true;
}

public static class ClickInsightsWebExtensions
{
    public static IServiceCollection AddClickInsights(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        // The start refusal names what is wrong (no connection string, or one that cannot be read, and why).
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageValidation>();
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section);
        services.AddDbContextFactory<ClickInsightsDbContext>((provider, builder) =>
            StorageOptions.Configure(builder, provider.GetRequiredService<IOptions<StorageOptions>>().Value.Target));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(ScannerCatalogue.Default);
        services.AddSingleton<ClassificationService>();
        services.AddSingleton<EventImporter>();
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CsvMappingStore>();
        services.AddSingleton<ImportDesk>();
        services.AddSingleton<ClickInsights.Core.WorkspaceActivity>();
        services.AddSingleton<ReportService>();
        services.AddSingleton<CampaignNames>();
        services.AddSingleton<CampaignSends>();
        services.AddSingleton<DemoSeeder>();
        services.AddSingleton<ClickReports>();
        services.AddSingleton<OverrideService>();
        services.AddSingleton<SettingsPreviewService>();
        services.AddSingleton<ClickInsights.Core.Workspaces.WorkspaceService>();

        services.AddOptions<DnsOptions>().BindConfiguration(DnsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DnsLookup>();
        services.AddSingleton<SpfChecker>();
        services.AddSingleton<DkimChecker>();
        services.AddSingleton<DmarcChecker>();
        services.AddSingleton<SenderAuthChecker>();
        services.AddSingleton<AuthenticationService>();
        services.AddSingleton<AuthImpactReport>();
        services.AddSingleton<GatewayResolver>();
        services.AddJobHandler<GatewayRunner>();
        services.AddJobHandler<ClickInsights.Core.Jobs.RecomputeJob>();
        services.AddJobHandler<ClickInsights.Core.Jobs.ImportRemovalJob>();
        services.AddSingleton<DomainReport>();
        services.AddSingleton<WorkspaceSearch>();
        services.AddSingleton<WorkspaceReport>();
        services.AddScoped<CurrentWorkspace>();
        services.AddAccounts();
        services.AddHttpContextAccessor();

        // Connections: secrets encrypted with Data Protection, whose key ring is in the database (KeyRing, from Program).
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.AddSingleton<Notices>();
        services.AddOptions<ProviderOptions>().BindConfiguration(ProviderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SyncScheduleOptions>().BindConfiguration(SyncScheduleOptions.Section);
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .Validate(o => o is { CallsPerMinute: > 0, BodiesAtOnce: > 0 }, "ClickInsights:Webhooks:CallsPerMinute and BodiesAtOnce must be above 0.").ValidateOnStart();
        services.AddSingleton<WebhookGate>();
        services.AddProviderSync();

        services.AddSingleton<ClickInsights.Core.Api.ApiTokenService>();
        services.AddSingleton<ClickInsights.Core.Api.WebhookOutbox>();
        services.AddOptions<Api.ApiOptions>().BindConfiguration(Api.ApiOptions.Section)
            .Validate(o => o is { RequestsPerMinute: > 0, WebhookMaxAttempts: > 0 } && o.WebhookPollEvery > TimeSpan.Zero && o.WebhookRetryAfter > TimeSpan.Zero,
                "ClickInsights:Api: RequestsPerMinute, WebhookMaxAttempts, WebhookPollEvery and WebhookRetryAfter must be above 0.").ValidateOnStart();
        services.AddSingleton<Api.ApiGate>();
        services.AddSingleton<Api.ApiImports>();
        services.AddHttpClient(Api.WebhookSender.ClientName)
            .ConfigurePrimaryHttpMessageHandler(provider => Api.WebhookSender.Handler(provider.GetRequiredService<IOptions<Api.ApiOptions>>().Value.AllowTestWebhookAddresses));
        services.AddSingleton<Api.WebhookSignal>();
        // The API's JSON, as its OpenAPI document describes it: snake_case names, enums as words.
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null;
            json.SerializerOptions.Converters.Add(new Api.UtcDateTimeConverter());
        });
        services.AddOpenApi("v1", openApi =>
        {
            openApi.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            openApi.AddDocumentTransformer(Api.ApiReference.DescribeAsync);
        });

        // In this order: hosted services start one after the other, so the database is migrated before the others ask it anything.
        services.AddHostedService<DatabaseStartup>();
        services.AddHostedService<BackgroundSync>();
        services.AddHostedService<Api.WebhookSender>();
        services.AddHostedService<Sync.ActivityRelay>();
        services.AddMudServices();
        return services;
    }

    /// <summary>Where an earlier version kept Data Protection's key ring: <c>clickinsights.db</c> → <c>clickinsights.db.keys/</c> beside it.</summary>
    public static string KeysFolderOf(string databasePath) => Path.GetFullPath(databasePath) + ".keys";
}

/// <summary>Refuses storage settings that cannot work, in the words of <see cref="StorageOptions.Problem"/>.</summary>
internal sealed class StorageValidation : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}

/// <summary>Creates and migrates the database before the dashboard serves anything, then loads the demo if it is empty.</summary>
internal sealed class DatabaseStartup(
    IDbContextFactory<ClickInsightsDbContext> dbFactory,
    DemoSeeder seeder,
    ClickInsights.Core.Domains.GatewayRunner gateways,
    ClickInsights.Core.Providers.Webhooks.ClassificationQueue classification,
    IOptions<StorageOptions> storage,
    IOptions<DashboardOptions> dashboard,
    ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Database: {Database}", StorageOptions.Describe(storage.Value.Target));
        await DatabaseMigrator.MigrateAsync(dbFactory, cancellationToken);
        if (await KeyRing.ImportFolderAsync(dbFactory, ClickInsightsWebExtensions.KeysFolderOf(storage.Value.ResolvedDatabasePath), cancellationToken) is var keys and > 0)
        {
            logger.LogInformation("Moved {Count} Data Protection keys from the folder next to the database into the database", keys);
        }
        if (await Access.SignedOutSessions.ImportFileAsync(dbFactory, storage.Value.ResolvedDatabasePath + ".signed-out", TimeProvider.System, cancellationToken) is var sessions and > 0)
        {
            logger.LogInformation("Moved {Count} signed-out sessions from the file next to the database into the database", sessions);
        }
        var stale = await DatabaseMigrator.StaleCampaignsAsync(dbFactory, cancellationToken);
        if (stale.Count > 0)
        {
            // Verdicts of another classifier version are recomputed; raw events are untouched. As jobs: the pages show
            // the old figures until each campaign is done, and with several instances each campaign is done once.
            logger.LogInformation("Classifying {Count} campaigns again with classifier {Version}", stale.Count, ClickInsights.Core.Classification.ClickClassifier.Version);
            await classification.EnqueueAsync(stale, cancellationToken: cancellationToken);
        }
        if (dashboard.Value.SeedDemo && await seeder.SeedIfEmptyAsync(cancellationToken))
        {
            logger.LogInformation("Loaded the demo workspace '{Name}'", DemoSeeder.WorkspaceName);
            // The demo's gateways come from its own offline MX data; look them up in the background.
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var demo = await db.Workspaces.Where(w => w.IsDemo).Select(w => w.Id).FirstOrDefaultAsync(cancellationToken);
            if (demo != 0)
            {
                await gateways.EnqueueAsync(demo, who: null, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// The workspace a page shows: the one in its address (<c>/w/{id}/…</c>) or the one of the entity it shows, set by
/// <see cref="Components.WorkspaceGate"/> before the page renders. The browser remembers the last one in a cookie, so
/// that an old address without a workspace (<c>/campaigns</c>) goes to the same workspace. Only workspaces the viewer
/// may see are ever listed or chosen.
/// </summary>
public sealed class CurrentWorkspace(ReportService reports, Viewer viewer, IServiceProvider services)
{
    public const string CookieName = "clickinsights-workspace";

    private int? _id;

    public event Action? Changed;

    /// <summary>The workspaces this person may see, by name.</summary>
    public async Task<IReadOnlyList<Workspace>> VisibleAsync(CancellationToken cancellationToken = default)
    {
        var access = await viewer.GetAsync(cancellationToken);
        if (access is null)
        {
            return [];
        }
        var all = await reports.WorkspacesAsync(cancellationToken);
        return all.Where(w => access.Sees(w.Id)).ToList();
    }

    public async Task<Workspace?> GetAsync(CancellationToken cancellationToken = default)
    {
        _id ??= Remembered();
        var all = await VisibleAsync(cancellationToken);
        var chosen = all.FirstOrDefault(w => w.Id == _id) ?? all.FirstOrDefault();
        _id = chosen?.Id;
        return chosen;
    }

    /// <summary>Shows a workspace the viewer may see (the gate checked); pages listening load its data.</summary>
    public void Use(int id)
    {
        if (_id == id)
        {
            return;
        }
        _id = id;
        Changed?.Invoke();
        _ = RememberAsync(id);
    }

    private int? Remembered() =>
        services.GetService<IHttpContextAccessor>()?.HttpContext?.Request.Cookies[CookieName] is { } value
        && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    private async Task RememberAsync(int id)
    {
        try
        {
            if (services.GetService<Microsoft.JSInterop.IJSRuntime>() is { } js)
            {
                await Microsoft.JSInterop.JSRuntimeExtensions.InvokeVoidAsync(js, "clickInsights.remember", CookieName, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch (Exception)
        {
            // Remembering is a convenience: without it (prerendering, a closed tab) an old address opens the first workspace.
        }
    }

    /// <summary>Tells everyone showing workspace data that workspaces changed (created, renamed, deleted).</summary>
    public void Refresh() => Changed?.Invoke();
}
