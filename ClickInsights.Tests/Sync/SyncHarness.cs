using ClickInsights.Core.Data;
using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.Webhooks;
using ClickInsights.Tests.Support;
using ClickInsights.Web.Sync;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClickInsights.Tests.Sync;

/// <summary>The production sync services (typed clients with their resilience pipelines, runner, webhook receiver) over a test database.</summary>
public sealed class SyncHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public SyncHarness(Action<ProviderOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton<IDbContextFactory<ClickInsightsDbContext>>(Database);
        services.AddSingleton(Database.Classification);
        services.AddSingleton(Database.Importer);
        services.AddSingleton<ISecretProtector>(new DataProtectionSecretProtector(DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(Database.Folder, "keys")))));
        services.AddSingleton<ClickInsights.Core.WorkspaceActivity>();
        services.AddProviderSync();
        services.Configure<ProviderOptions>(o =>
        {
            // Fast waits, so that retries and 429s do not slow the tests; the logic is the production one.
            o.RetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxThrottleWait = TimeSpan.FromSeconds(1);
            o.AttemptTimeout = TimeSpan.FromSeconds(15);
            // The fakes' campaigns were sent in March 2026; re-read them unless a test says otherwise.
            o.RecheckDays = 3650;
            // The fakes listen on loopback over plain HTTP.
            o.AllowTestApiAddresses = true;
            configure?.Invoke(o);
        });
        _services = services.BuildServiceProvider();
    }

    public TestDatabase Database { get; } = new();
    public IServiceProvider Services => _services;
    public ConnectionService Connections => _services.GetRequiredService<ConnectionService>();
    public SyncRunner Runner => _services.GetRequiredService<SyncRunner>();
    public WebhookReceiver Webhooks => _services.GetRequiredService<WebhookReceiver>();
    public ClassificationQueue Queue => _services.GetRequiredService<ClassificationQueue>();
    public ProviderOptions Options => _services.GetRequiredService<IOptions<ProviderOptions>>().Value;
    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public async Task<ProviderConnection> ConnectionAsync(int id)
    {
        await using var db = Database.CreateDbContext();
        return await db.Connections.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    public async Task<int> EventCountAsync(int workspaceId)
    {
        await using var db = Database.CreateDbContext();
        return await db.Events.CountAsync(e => e.WorkspaceId == workspaceId);
    }

    /// <summary>Delivered, clicks, unique and human clickers per campaign (by source key), as the dashboard shows them.</summary>
    public static async Task<Dictionary<string, (int Delivered, int Clicks, int UniqueClickers, int HumanClickers, int BotClicks)>> SummariesAsync(TestDatabase database, int workspaceId)
    {
        await using var db = database.CreateDbContext();
        return await (from c in db.Campaigns
                      join s in db.CampaignSummaries on c.Id equals s.CampaignId
                      where c.WorkspaceId == workspaceId
                      select new { c.ExternalId, s.Delivered, s.Clicks, s.UniqueClickers, s.HumanClickers, s.BotClicks })
            .ToDictionaryAsync(x => x.ExternalId, x => (x.Delivered, x.Clicks, x.UniqueClickers, x.HumanClickers, x.BotClicks));
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Database.Dispose();
    }
}
