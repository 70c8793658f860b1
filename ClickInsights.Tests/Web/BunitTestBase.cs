using Bunit;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Jobs;
using ClickInsights.Core.Reports;
using ClickInsights.Core.Workspaces;
using Microsoft.EntityFrameworkCore;
using ClickInsights.Tests.Support;
using ClickInsights.Web;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace ClickInsights.Tests.Web;

/// <summary>
/// bUnit with MudBlazor, loose JS interop, a longer wait, and the real report services over a test database.
/// MudBlazor's services are only asynchronously disposable, so the context is disposed with DisposeAsync.
/// </summary>
public abstract class BunitTestBase : IAsyncLifetime
{
    protected BunitTestBase(StoreKind store = StoreKind.Sqlite)
    {
        Database = new TestDatabase(store);
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
        // The same Core services as the dashboard, over the test database.
        Context.Services.AddSingleton<IDbContextFactory<ClickInsightsDbContext>>(Database);
        // Identity's stores take a context of their own, as the dashboard's factory also registers one per scope.
        Context.Services.AddScoped(_ => Database.CreateDbContext());
        Context.Services.AddSingleton(TimeProvider.System);
        Context.Services.AddSingleton(ScannerCatalogue.Default);
        Context.Services.AddSingleton(Database.Classification);
        Context.Services.AddSingleton(Database.Importer);
        Context.Services.AddSingleton<ReportService>();
        Context.Services.AddSingleton<CampaignNames>();
        Context.Services.AddSingleton<CampaignSends>();
        Context.Services.AddSingleton<ClickReports>();
        Context.Services.AddSingleton<DomainReport>();
        Context.Services.AddSingleton<WorkspaceSearch>();
        Context.Services.AddSingleton(new KeyRingStatus(Protected: false, Certificate: null));
        Context.Services.AddSingleton<WorkspaceReport>();
        Context.Services.AddSingleton<OverrideService>();
        Context.Services.AddSingleton<SettingsPreviewService>();
        Context.Services.AddSingleton<WorkspaceService>();
        Context.Services.AddScoped<CurrentWorkspace>();
        Context.Services.AddLogging();
        Context.Services.AddSingleton<ClickInsights.Core.WorkspaceActivity>();
        // No account exists in a test database: the viewer is the local admin, as on a fresh clone.
        Context.Services.AddAccounts();
        Context.Services.AddScoped<Viewer>();
        Context.Services.AddSingleton<ClickInsights.Core.Api.ApiTokenService>();
        Context.Services.AddSingleton<ClickInsights.Core.Providers.ISecretProtector>(new ClickInsights.Web.Sync.DataProtectionSecretProtector(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider()));
        Context.Services.AddSingleton<ClickInsights.Core.Api.WebhookOutbox>();
        Context.Services.AddSingleton<ClickInsights.Web.Api.WebhookSignal>();
        Context.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new ClickInsights.Web.Api.ApiOptions { AllowTestWebhookAddresses = true }));
        // Background jobs (recomputes, removals, gateway lookups) run once a test calls RunJobs.
        Context.Services.AddSingleton<ClickInsights.Core.Jobs.JobSignal>();
        Context.Services.AddSingleton(sp => new ClickInsights.Core.Jobs.JobQueue(Database, TimeProvider.System, sp.GetRequiredService<ClickInsights.Core.Jobs.JobSignal>()));
        Context.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new ClickInsights.Core.Jobs.JobOptions { PollEvery = TimeSpan.FromMilliseconds(200) }));
        Context.Services.AddJobHandler<ClickInsights.Core.Jobs.RecomputeJob>();
        Context.Services.AddJobHandler<ClickInsights.Core.Jobs.ImportRemovalJob>();
        Context.Services.AddSingleton<ClickInsights.Core.Jobs.JobWorker>();
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
    }

    private readonly CancellationTokenSource _jobsStop = new();
    private Task _jobs = Task.CompletedTask;

    /// <summary>Runs the background jobs the pages queue, as the dashboard's worker does, until the test ends (call after adding services).</summary>
    protected void RunJobs()
    {
        var worker = Context.Services.GetRequiredService<ClickInsights.Core.Jobs.JobWorker>();
        _jobs = Task.Run(() => worker.RunAsync("test", _jobsStop.Token));
    }

    protected BunitContext Context { get; } = new();

    protected TestDatabase Database { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _jobsStop.CancelAsync();
        await _jobs;
        await Context.DisposeAsync();
        Database.Dispose();
    }
}
