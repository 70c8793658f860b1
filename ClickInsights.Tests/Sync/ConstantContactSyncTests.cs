using System.Text;
using ClickInsights.Core.Data;
using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.ConstantContact;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Sync;

[Trait("Store", "SQLite only: provider clients above the storage seam, storing through the importer that StoreParityTests runs on both stores")]
public sealed class ConstantContactSyncTests : IAsyncLifetime
{
    private FakeConstantContact _fake = null!;
    private SyncHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeConstantContact.StartAsync();
        _harness = Harness();
    }

    /// <summary>Paced faster than Constant Contact's 4 a second, except where a test checks the pace.</summary>
    private SyncHarness Harness(Action<ProviderOptions>? configure = null) => new(o =>
    {
        o.ConstantContactAuth = _fake.AuthBase;
        o.ConstantContactRequestsPerSecond = 40;
        configure?.Invoke(o);
    });

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _fake.Server.DisposeAsync();
    }

    private async Task<(int Workspace, int Connection)> ConnectedAsync(string refreshToken = "rt-0")
    {
        var workspace = await _harness.Database.CreateWorkspaceAsync();
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.ConstantContact, "Our Constant Contact")
        {
            BaseUrl = _fake.ApiBase,
            Settings = { [SettingNames.ClientId] = FakeConstantContact.ClientId },
            Secrets =
            {
                [SecretNames.ClientSecret] = FakeConstantContact.ClientSecret,
                [SecretNames.AccessToken] = "at-0",
                [SecretNames.RefreshToken] = refreshToken,
            },
        });
        return (workspace, id);
    }

    [Fact]
    public async Task Sync_MultiPageCampaign_StoresTheSameNumbersAsImportingThePagesAsFiles()
    {
        var (workspace, id) = await ConnectedAsync();

        var outcome = await _harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        // Every page of every report was read: relative and absolute next links, campaign list paging.
        Assert.Equal(_fake.PageCount(FakeConstantContact.Primary, "clicks"), _fake.Server.Count($"{FakeConstantContact.Primary}/tracking/clicks"));
        Assert.Equal(_fake.PageCount(FakeConstantContact.Primary, "sends"), _fake.Server.Count($"{FakeConstantContact.Primary}/tracking/sends"));
        Assert.Equal(2, _fake.Server.Count("/v3/emails?"));
        Assert.Equal(0, _fake.Server.Count(FakeConstantContact.DraftId));
        Assert.Equal(0, _fake.Server.Count("5c1e0000-0000-4000-8000-000000000003"));

        using var files = new TestDatabase();
        var fileWorkspace = await files.CreateWorkspaceAsync();
        foreach (var (name, json) in _fake.AllPages())
        {
            await files.Importer.ImportAsync(fileWorkspace, new MemoryStream(Encoding.UTF8.GetBytes(json)), name);
        }
        var synced = await SyncHarness.SummariesAsync(_harness.Database, workspace);
        var imported = await SyncHarness.SummariesAsync(files, fileWorkspace);
        Assert.Equal(imported, synced);
        var primary = synced[FakeConstantContact.Primary];
        // 10 sent, 1 bounced (fay@mail.example).
        Assert.Equal(9, primary.Delivered);
        Assert.Equal(16, primary.Clicks);
        Assert.InRange(primary.HumanClickers, 1, primary.UniqueClickers - 1);

        var connection = await _harness.ConnectionAsync(id);
        Assert.NotNull(connection.LastSyncAt);
        Assert.Null(connection.LastError);
        Assert.StartsWith("Fetched ", connection.LastSyncSummary);
        Assert.Equal(_fake.Server.Requests.Count, connection.RequestsToday);
        await using var db = _harness.Database.CreateDbContext();
        Assert.Equal("Spring Sale", (await db.Campaigns.SingleAsync(c => c.ExternalId == FakeConstantContact.Primary)).Name);
        Assert.Equal("Spring Sale (resend)", (await db.Campaigns.SingleAsync(c => c.ExternalId == FakeConstantContact.Resend)).Name);
    }

    [Fact]
    public async Task Sync_PacesRequestsToFourPerSecond()
    {
        await _harness.DisposeAsync();
        _harness = Harness(o => o.ConstantContactRequestsPerSecond = 4);
        Assert.Equal(4, new ProviderOptions().ConstantContactRequestsPerSecond);
        var (_, id) = await ConnectedAsync();

        await _harness.Runner.SyncAsync(id);

        var times = _fake.Server.Requests.Where(r => r.PathAndQuery.StartsWith("/v3/", StringComparison.Ordinal)).Select(r => r.At).Order().ToList();
        Assert.True(times.Count > 8);
        // Requests leave 250 ms apart; they arrive with some jitter on a busy machine.
        var rate = (times.Count - 1) / (times[^1] - times[0]).TotalSeconds;
        Assert.True(rate <= 4.1, $"{rate:F2} requests a second");
        for (int i = 4; i < times.Count; i++)
        {
            Assert.True(times[i] - times[i - 4] >= TimeSpan.FromMilliseconds(800), $"requests {i - 4}..{i} within {(times[i] - times[i - 4]).TotalMilliseconds} ms");
        }
    }

    [Fact]
    public async Task Sync_Throttled429_BacksOffAndResumes()
    {
        var (workspace, id) = await ConnectedAsync();
        _fake.ThrottleNext["tracking/clicks?limit=500&cursor=3"] = 2;

        var outcome = await _harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(3, _fake.Server.Count($"{FakeConstantContact.Primary}/tracking/clicks?limit=500&cursor=3"));
        Assert.Equal(16, (await SyncHarness.SummariesAsync(_harness.Database, workspace))[FakeConstantContact.Primary].Clicks);
    }

    [Fact]
    public async Task Sync_DailyQuotaExceeded_StopsAndSaysWhen()
    {
        var (_, id) = await ConnectedAsync();
        _fake.QuotaExceeded = true;

        var outcome = await _harness.Runner.SyncAsync(id);

        Assert.False(outcome.Succeeded);
        Assert.Equal(ProviderProblem.QuotaReached, outcome.Problem);
        Assert.Single(_fake.Server.Requests);
        var connection = await _harness.ConnectionAsync(id);
        Assert.Contains("daily allowance", connection.LastError);
        Assert.Contains("tomorrow", connection.LastError);
    }

    [Fact]
    public async Task Sync_CountsTheDailyQuota_AndStopsBeforeGoingOverIt()
    {
        await _harness.DisposeAsync();
        _harness = Harness(o => o.ConstantContactDailyQuota = 6);
        var (workspace, id) = await ConnectedAsync();

        var first = await _harness.Runner.SyncAsync(id);

        Assert.Equal(ProviderProblem.QuotaReached, first.Problem);
        Assert.Equal(6, _fake.Server.Requests.Count);
        var connection = await _harness.ConnectionAsync(id);
        Assert.Equal(6, connection.RequestsToday);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow), connection.RequestCountDate);
        // What was fetched before the quota ran out is stored and classified.
        Assert.True(await _harness.EventCountAsync(workspace) > 0);
        Assert.NotEmpty(await SyncHarness.SummariesAsync(_harness.Database, workspace));

        var second = await _harness.Runner.SyncAsync(id);
        Assert.Equal(ProviderProblem.QuotaReached, second.Problem);
        Assert.Equal(6, _fake.Server.Requests.Count);
    }

    [Fact]
    public async Task Sync_AccessTokenRefused_RenewsItOnceAndGoesOn()
    {
        var (workspace, id) = await ConnectedAsync();
        _fake.ExpireAccessTokens();

        var outcome = await _harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(["refresh_token"], _fake.TokenGrants);
        Assert.Equal(16, (await SyncHarness.SummariesAsync(_harness.Database, workspace))[FakeConstantContact.Primary].Clicks);
        var connection = await _harness.ConnectionAsync(id);
        Assert.NotNull(connection.AccessTokenExpiresAt);
        // The renewed tokens are stored encrypted; the rotated refresh token replaced the old one.
        Assert.DoesNotContain("at-1", connection.ProtectedSecrets);
        Assert.DoesNotContain("rt-1", connection.ProtectedSecrets);
        _fake.ExpireAccessTokens();
        Assert.True((await _harness.Runner.SyncAsync(id)).Succeeded);
        Assert.Equal(["refresh_token", "refresh_token"], _fake.TokenGrants);
    }

    [Fact]
    public async Task Sync_TokenAboutToExpire_IsRenewedBeforeTheFirstRequest()
    {
        var (_, id) = await ConnectedAsync();
        await using (var db = _harness.Database.CreateDbContext())
        {
            await db.Connections.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.AccessTokenExpiresAt, DateTime.UtcNow.AddMinutes(1)));
        }

        Assert.True((await _harness.Runner.SyncAsync(id)).Succeeded);

        Assert.Equal(["refresh_token"], _fake.TokenGrants);
        Assert.DoesNotContain(_fake.Server.Requests, r => r.Authorization == "Bearer at-0");
    }

    [Fact]
    public async Task Sync_RefreshTokenExpired_TellsTheUserToSignInAgain()
    {
        var (workspace, id) = await ConnectedAsync();
        _fake.ExpireAccessTokens();
        _fake.RefreshTokenDead = true;

        var outcome = await _harness.Runner.SyncAsync(id);

        Assert.False(outcome.Succeeded);
        Assert.Equal(ProviderProblem.Reconnect, outcome.Problem);
        var view = (await _harness.Connections.GetAsync(id))!;
        Assert.Contains("Press “Sign in to Constant Contact”", view.LastError);
        Assert.True(view.NeedsSignIn);
        Assert.Equal(ConnectionHealth.NotSignedIn, view.Health);
        Assert.Equal(0, await _harness.EventCountAsync(workspace));
    }

    [Fact]
    public async Task Sync_SignInServiceBusyWhileRenewing_KeepsTheSignIn_AndTheNextSyncWorks()
    {
        var (workspace, id) = await ConnectedAsync();
        _fake.ExpireAccessTokens();
        _fake.TokenThrottles = 10;

        var busy = await _harness.Runner.SyncAsync(id);

        Assert.False(busy.Succeeded);
        Assert.NotEqual(ProviderProblem.Reconnect, busy.Problem);
        Assert.False((await _harness.Connections.GetAsync(id))!.NeedsSignIn);

        _fake.TokenThrottles = 0;
        var later = await _harness.Runner.SyncAsync(id);

        Assert.True(later.Succeeded, later.Error);
        Assert.True(await _harness.EventCountAsync(workspace) > 0);
    }

    [Fact]
    public async Task Sync_WhoseRefreshTokenDiesAfterASignInMeanwhile_LeavesTheNewSignIn()
    {
        var (workspace, id) = await ConnectedAsync();
        var auth = _harness.Get<ConstantContactAuth>();
        const string redirect = "http://dashboard.test/connections/constantcontact/callback";
        _fake.ExpireAccessTokens();
        // While the sync renews with its old refresh token, the person signs in again; the old token is then refused.
        _fake.BeforeRefresh = async () =>
        {
            var state = System.Web.HttpUtility.ParseQueryString(new Uri(await auth.StartSignInAsync(id, redirect)).Query)["state"]!;
            await auth.CompleteSignInAsync(state, "good-code", redirect);
            _fake.RefreshTokenDead = true;
        };

        var old = await _harness.Runner.SyncAsync(id);

        Assert.Equal(ProviderProblem.Reconnect, old.Problem);
        Assert.False((await _harness.Connections.GetAsync(id))!.NeedsSignIn);
        var next = await _harness.Runner.SyncAsync(id);
        Assert.True(next.Succeeded, next.Error);
        Assert.True(await _harness.EventCountAsync(workspace) > 0);
    }

    [Fact]
    public async Task Sync_MalformedPage_StopsWithAClearErrorAndKeepsWhatWasStored()
    {
        var (workspace, id) = await ConnectedAsync();
        _fake.Malformed = (FakeConstantContact.Primary, "clicks", 2);

        var outcome = await _harness.Runner.SyncAsync(id);

        Assert.False(outcome.Succeeded);
        Assert.Equal(ProviderProblem.BadData, outcome.Problem);
        Assert.Contains("clicks report of “Spring Sale” (page 2)", outcome.Error);
        Assert.Contains("everything fetched before it is kept", outcome.Error);
        await using var db = _harness.Database.CreateDbContext();
        // Sends, bounces, opens and the first clicks page are stored, and classified.
        Assert.Equal(10, await db.Events.CountAsync(e => e.Type == EventType.Sent));
        Assert.Equal(FakeConstantContact.PageSize, await db.Events.CountAsync(e => e.Type == EventType.Click));
        Assert.Equal(FakeConstantContact.PageSize, await db.ClickVerdicts.CountAsync());
        var connection = await _harness.ConnectionAsync(id);
        Assert.Equal(outcome.Error, connection.LastError);
        Assert.StartsWith("Kept what was fetched before it stopped", connection.LastSyncSummary);

        // Fixed at the provider: the next sync reads the rest.
        _fake.Malformed = null;
        Assert.True((await _harness.Runner.SyncAsync(id)).Succeeded);
        Assert.Equal(16, (await SyncHarness.SummariesAsync(_harness.Database, workspace))[FakeConstantContact.Primary].Clicks);
        Assert.Null((await _harness.ConnectionAsync(id)).LastError);
    }

    [Fact]
    public async Task IdenticalRecordsOnTwoPages_AreNumberedOverTheReport_SoNoClickIsLost()
    {
        var (workspace, id) = await ConnectedAsync();
        // Three identical clicks, older than every other: 16 + 3 = 19 clicks in pages of 3, so two end page 6 and one
        // starts page 7. Numbered page by page, the third would look like the first again and be dropped.
        for (var i = 0; i < 3; i++)
        {
            _fake.Add(FakeConstantContact.Primary, "clicks", "gateway@scanned.example", new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc),
                """, "device_type": "computer", "url_id": "1100407204171", "link_url": "https://shop.example/spring" """);
        }

        var outcome = await _harness.Runner.SyncAsync(id);
        var again = await _harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(7, _fake.PageCount(FakeConstantContact.Primary, "clicks"));
        Assert.Equal(19, (await SyncHarness.SummariesAsync(_harness.Database, workspace))[FakeConstantContact.Primary].Clicks);
        Assert.True(again.Succeeded, again.Error);
        Assert.Equal(19, (await SyncHarness.SummariesAsync(_harness.Database, workspace))[FakeConstantContact.Primary].Clicks);
    }

    [Fact]
    public async Task ResumedSync_NumbersIdenticalRecordsOnFromThePageBefore()
    {
        _fake.OldestFirst = true;
        var (workspace, id) = await ConnectedAsync();
        var at = new DateTime(2026, 3, 2, 20, 0, 0, DateTimeKind.Utc);
        void Identical() => _fake.Add(FakeConstantContact.Primary, "clicks", "gateway@scanned.example", at,
            """, "device_type": "computer", "url_id": "1100407204171", "link_url": "https://shop.example/spring" """);
        // 16 clicks and three identical newest ones, in pages of 3 oldest first: two end page 6 and one is page 7, where
        // the next sync starts again.
        for (var i = 0; i < 3; i++)
        {
            Identical();
        }
        var first = await _harness.Runner.SyncAsync(id);
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(19, (await SyncHarness.SummariesAsync(_harness.Database, workspace))[FakeConstantContact.Primary].Clicks);

        // A fourth identical click joins page 7. Numbered afresh from that page, it would be taken for the third.
        Identical();
        var second = await _harness.Runner.SyncAsync(id);
        var third = await _harness.Runner.SyncAsync(id);

        Assert.True(second.Succeeded, second.Error);
        Assert.True(third.Succeeded, third.Error);
        Assert.Equal(7, _fake.PageCount(FakeConstantContact.Primary, "clicks"));
        Assert.Equal(20, (await SyncHarness.SummariesAsync(_harness.Database, workspace))[FakeConstantContact.Primary].Clicks);
    }

    [Fact]
    public async Task Resync_FetchesOnlyWhatIsNew()
    {
        var (workspace, id) = await ConnectedAsync();
        await _harness.Runner.SyncAsync(id);
        var firstRequests = _fake.Server.Requests.Count;
        _fake.Add(FakeConstantContact.Primary, "clicks", "dan@shop.example", new DateTime(2026, 3, 9, 8, 30, 0, DateTimeKind.Utc),
            """, "device_type": "mobile", "url_id": "1100407204172", "link_url": "https://shop.example/menu" """);

        var outcome = await _harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        var second = _fake.Server.Requests.Skip(firstRequests).Select(r => r.PathAndQuery).ToList();
        // The campaign list (2 pages) and the first page of each report of both activities: no campaign details, no links, no older pages.
        Assert.Equal(2 + 2 * 5, second.Count);
        Assert.DoesNotContain(second, p => p.Contains("/links", StringComparison.Ordinal) || p.Contains("cursor=2", StringComparison.Ordinal) && !p.StartsWith("/v3/emails", StringComparison.Ordinal));
        Assert.Equal("Fetched 1 new event (1 click) in 1 campaign.", outcome.Summary);
        Assert.Equal(17, (await SyncHarness.SummariesAsync(_harness.Database, workspace))[FakeConstantContact.Primary].Clicks);
    }

    [Fact]
    public async Task Resync_CampaignQuietLongerThanTheRecheckWindow_IsNotReadAgain()
    {
        await _harness.DisposeAsync();
        _harness = Harness(o => o.RecheckDays = 30);
        var (_, id) = await ConnectedAsync();
        await _harness.Runner.SyncAsync(id);
        var firstRequests = _fake.Server.Requests.Count;

        Assert.True((await _harness.Runner.SyncAsync(id)).Succeeded);

        // Sent in March and read completely since: only the campaign list is asked for.
        Assert.All(_fake.Server.Requests.Skip(firstRequests), r => Assert.StartsWith("/v3/emails?", r.PathAndQuery));
    }

    [Fact]
    public async Task SignIn_AuthorizationCodeFlow_StoresTokensEncrypted()
    {
        var workspace = await _harness.Database.CreateWorkspaceAsync();
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.ConstantContact, "")
        {
            BaseUrl = _fake.ApiBase,
            Settings = { [SettingNames.ClientId] = FakeConstantContact.ClientId },
            Secrets = { [SecretNames.ClientSecret] = FakeConstantContact.ClientSecret },
        });
        Assert.True((await _harness.Connections.GetAsync(id))!.NeedsSignIn);
        var auth = _harness.Get<ConstantContactAuth>();
        const string redirect = "http://dashboard.test/connections/constantcontact/callback";

        var url = new Uri(await auth.StartSignInAsync(id, redirect));

        Assert.Equal(_fake.AuthBase + "/authorize", url.GetLeftPart(UriPartial.Path));
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal(FakeConstantContact.ClientId, query["client_id"]);
        Assert.Equal("campaign_data offline_access", query["scope"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(redirect, query["redirect_uri"]);
        var state = query["state"]!;
        Assert.StartsWith($"{id}.", state);

        var forged = await Assert.ThrowsAsync<ProviderException>(() => auth.CompleteSignInAsync($"{id}.not-the-state", "good-code", redirect));
        Assert.Contains("does not belong to a sign-in started here", forged.Message);
        // A refused state is used up: the real one must be asked for again.
        url = new Uri(await auth.StartSignInAsync(id, redirect));
        state = System.Web.HttpUtility.ParseQueryString(url.Query)["state"]!;

        Assert.Equal(id, await auth.CompleteSignInAsync(state, "good-code", redirect));

        var view = (await _harness.Connections.GetAsync(id))!;
        Assert.False(view.NeedsSignIn);
        Assert.Contains(SecretNames.RefreshToken, view.SecretsSet);
        Assert.DoesNotContain(SettingNames.PendingState, view.Settings.Keys);
        var stored = await _harness.ConnectionAsync(id);
        Assert.DoesNotContain("rt-1", stored.ProtectedSecrets);
        Assert.DoesNotContain(FakeConstantContact.ClientSecret, stored.ProtectedSecrets);
        Assert.NotNull(stored.AccessTokenExpiresAt);
        // The same state cannot be used twice.
        await Assert.ThrowsAsync<ProviderException>(() => auth.CompleteSignInAsync(state, "good-code", redirect));
        Assert.True((await _harness.Runner.SyncAsync(id)).Succeeded);
    }

    [Fact]
    public async Task SignIn_BehindAProxy_ExchangesTheCodeWithTheAddressItStartedWith()
    {
        var workspace = await _harness.Database.CreateWorkspaceAsync();
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.ConstantContact, "")
        {
            BaseUrl = _fake.ApiBase,
            Settings = { [SettingNames.ClientId] = FakeConstantContact.ClientId },
            Secrets = { [SecretNames.ClientSecret] = FakeConstantContact.ClientSecret },
        });
        var auth = _harness.Get<ConstantContactAuth>();
        // The browser's address of the dashboard; the callback's own request, behind a proxy, shows another.
        var url = new Uri(await auth.StartSignInAsync(id, "http://dashboard.test/connections/constantcontact/callback"));
        var state = System.Web.HttpUtility.ParseQueryString(url.Query)["state"]!;

        Assert.Equal(id, await auth.CompleteSignInAsync(state, "good-code", "http://10.0.0.5:8080/connections/constantcontact/callback"));

        var view = (await _harness.Connections.GetAsync(id))!;
        Assert.False(view.NeedsSignIn);
        Assert.DoesNotContain(SettingNames.PendingRedirect, view.Settings.Keys);
    }

    [Fact]
    public async Task Test_WithWorkingSignIn_SaysWhatItFound()
    {
        var (_, id) = await ConnectedAsync();

        var outcome = await _harness.Runner.TestAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal("Connected to Constant Contact: 1 or more campaign(s) can be read.", outcome.Summary);
    }
}
