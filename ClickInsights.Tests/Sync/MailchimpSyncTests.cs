using System.Text;
using ClickInsights.Core.Providers;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Sync;

[Trait("Store", "SQLite only: provider clients above the storage seam, storing through the importer that StoreParityTests runs on both stores")]
public sealed class MailchimpSyncTests
{
    private static async Task<(SyncHarness Harness, int Workspace, int Connection)> ConnectedAsync(FakeMailchimp fake, string key = FakeMailchimp.ApiKey)
    {
        var harness = new SyncHarness(o => o.MailchimpApi = fake.ApiTemplate);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var id = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Mailchimp, "Mailchimp") { Secrets = { [SecretNames.ApiKey] = key } });
        return (harness, workspace, id);
    }

    [Fact]
    public async Task Sync_PagedCampaign_StoresTheSameNumbersAsImportingThePagesAsFiles()
    {
        await using var fake = new AsyncOwner<FakeMailchimp>(await FakeMailchimp.StartAsync(people: 10, pageCap: 4), f => f.Server.DisposeAsync());
        var (harness, workspace, id) = await ConnectedAsync(fake.Value);
        await using var _ = harness;

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        // The key's data centre chose the host; every page of each list was read, the empty campaign skipped.
        Assert.All(fake.Value.Server.Requests, r => Assert.StartsWith("/us14/3.0/", r.PathAndQuery));
        Assert.Equal(3, fake.Value.Server.Count("/email-activity?"));
        Assert.Contains(fake.Value.Server.Requests, r => r.PathAndQuery.Contains("/email-activity?count=1000&offset=8", StringComparison.Ordinal));
        Assert.Equal(3, fake.Value.Server.Count("/sent-to?"));
        Assert.Equal(0, fake.Value.Server.Count(FakeMailchimp.EmptyCampaignId));

        using var files = new TestDatabase();
        var fileWorkspace = await files.CreateWorkspaceAsync();
        foreach (var (name, json) in fake.Value.AllPages())
        {
            await files.Importer.ImportAsync(fileWorkspace, new MemoryStream(Encoding.UTF8.GetBytes(json)), name);
        }
        var synced = await SyncHarness.SummariesAsync(harness.Database, workspace);
        var imported = await SyncHarness.SummariesAsync(files, fileWorkspace);
        Assert.Equal(imported, synced);
        var campaign = synced[FakeMailchimp.CampaignId];
        Assert.Equal(9, campaign.Delivered);
        Assert.Equal(4 * 3 + 3, campaign.Clicks);
        Assert.InRange(campaign.HumanClickers, 1, campaign.UniqueClickers - 1);
        await using var db = harness.Database.CreateDbContext();
        var stored = await db.Campaigns.SingleAsync(c => c.ExternalId == FakeMailchimp.CampaignId);
        Assert.Equal("Autumn Newsletter", stored.Name);
        Assert.Equal(new DateTime(2026, 3, 2, 14, 0, 0), stored.SentAt);
    }

    [Fact]
    public async Task Sync_ManyPages_FetchesSeveralAtOnceButNeverMoreThanTen()
    {
        await using var fake = new AsyncOwner<FakeMailchimp>(await FakeMailchimp.StartAsync(people: 150, pageCap: 4, delay: TimeSpan.FromMilliseconds(60)), f => f.Server.DisposeAsync());
        var (harness, workspace, id) = await ConnectedAsync(fake.Value);
        await using var _ = harness;

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(38, fake.Value.Server.Count("/email-activity?"));
        Assert.InRange(fake.Value.Server.MaxInFlight, 2, 10);
        // 150 recipients, one of them bounced.
        Assert.Equal(149, (await SyncHarness.SummariesAsync(harness.Database, workspace))[FakeMailchimp.CampaignId].Delivered);
    }

    [Fact]
    public async Task Resync_AsksOnlyForActivitySinceTheLastSync()
    {
        await using var fake = new AsyncOwner<FakeMailchimp>(await FakeMailchimp.StartAsync(), f => f.Server.DisposeAsync());
        var (harness, workspace, id) = await ConnectedAsync(fake.Value);
        await using var _ = harness;
        await harness.Runner.SyncAsync(id);
        var first = fake.Value.Server.Requests.Count;
        Assert.Empty(fake.Value.Since);
        fake.Value.AddActivity("friend1@home1.example", "click", DateTime.UtcNow.AddMinutes(1), FakeMailchimp.Links[2], "81.2.1.9");

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        var second = fake.Value.Server.Requests.Skip(first).Select(r => r.PathAndQuery).ToList();
        // The reports list and the activity since the last sync: links are read once, recipients only in the days after the send.
        Assert.DoesNotContain(second, p => p.Contains("click-details", StringComparison.Ordinal) || p.Contains("sent-to", StringComparison.Ordinal));
        Assert.Single(fake.Value.Since);
        Assert.Contains(second, p => p.Contains("/email-activity?", StringComparison.Ordinal) && p.Contains("since=", StringComparison.Ordinal));
        Assert.Equal("Fetched 1 new event (1 click) in 1 campaign.", outcome.Summary);
        Assert.Equal(16, (await SyncHarness.SummariesAsync(harness.Database, workspace))[FakeMailchimp.CampaignId].Clicks);
    }

    [Fact]
    public async Task Sync_TooManyRequests_WaitsAndGoesOn()
    {
        await using var fake = new AsyncOwner<FakeMailchimp>(await FakeMailchimp.StartAsync(), f => f.Server.DisposeAsync());
        var (harness, workspace, id) = await ConnectedAsync(fake.Value);
        await using var _ = harness;
        fake.Value.Throttle(2);

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(3, fake.Value.Server.Count("/reports?"));
        Assert.Equal(15, (await SyncHarness.SummariesAsync(harness.Database, workspace))[FakeMailchimp.CampaignId].Clicks);
    }

    [Fact]
    public async Task Sync_WrongKey_SaysSoInPlainWords()
    {
        await using var fake = new AsyncOwner<FakeMailchimp>(await FakeMailchimp.StartAsync(), f => f.Server.DisposeAsync());
        var (harness, _, id) = await ConnectedAsync(fake.Value, "ffffffffffffffffffffffffffffffff-us14");
        await using var _ = harness;

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.Equal(ProviderProblem.WrongKey, outcome.Problem);
        var view = (await harness.Connections.GetAsync(id))!;
        Assert.StartsWith("Mailchimp did not accept the API key", view.LastError);
        Assert.Contains("The provider says: \"Your API key may be invalid", view.LastError);
        Assert.DoesNotContain("ffffffff", view.LastError);
        Assert.Equal(ConnectionHealth.NeedsAttention, view.Health);
    }

    [Fact]
    public async Task Test_KeyWithoutDataCentre_IsRefusedWithoutARequest()
    {
        await using var fake = new AsyncOwner<FakeMailchimp>(await FakeMailchimp.StartAsync(), f => f.Server.DisposeAsync());
        var (harness, _, id) = await ConnectedAsync(fake.Value, "0123456789abcdef");
        await using var _ = harness;

        var outcome = await harness.Runner.TestAsync(id);

        Assert.False(outcome.Succeeded);
        Assert.Contains("like …-us14", outcome.Error);
        Assert.Empty(fake.Value.Server.Requests);
    }
}

/// <summary>Disposes a value with the given asynchronous action, for <c>await using</c>.</summary>
public sealed class AsyncOwner<T>(T value, Func<T, ValueTask> dispose) : IAsyncDisposable
{
    public T Value { get; } = value;

    public ValueTask DisposeAsync() => dispose(Value);
}
