using System.Globalization;
using System.Text;
using ClickInsights.Core.Data;
using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.Mailgun;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Sync;

/// <summary>Mailgun's events pages and Postmark's clicks pages, pulled from fakes of their documented APIs.</summary>
[Trait("Store", "SQLite only: provider clients above the storage seam, storing through the importer that StoreParityTests runs on both stores")]
public sealed class PullSyncTests
{
    private const string MailgunKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
    private const string PostmarkToken = "server-token-1234";

    private static string MailgunEvent(int i, DateTimeOffset at) => $$"""
        {"event": "{{(i % 3 == 0 ? "delivered" : "clicked")}}", "id": "ev{{i}}", "timestamp": {{(at.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture)}}, "log-level": "info",
         "recipient": "person{{i % 4}}@example.com", "url": "https://shop.example/{{i % 2}}", "ip": "81.2.{{i / 256}}.{{i % 256}}",
         "campaigns": [{"id": "spring", "name": "Spring"}], "tags": [], "user-variables": {},
         "client-info": {"client-type": "browser", "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "bot": ""} }
        """;

    [Fact]
    public async Task Mailgun_FollowsPagingUntilAnEmptyPage_AndReadsTheNewestHalfHourAgainNextTime()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        var events = Enumerable.Range(0, 7).Select(i => MailgunEvent(i, start.AddMinutes(i * 20))).ToList();
        var begins = new List<string>();
        await using var server = await FakeServer.StartAsync(app => app.MapGet("/v3/{domain}/events/{**token}", async (HttpContext context, string domain, string? token) =>
        {
            if (context.Request.Headers.Authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("api:" + MailgunKey)) || domain != "mg.example.com")
            {
                await FakeServer.Json(context, """{"message": "Invalid private key"}""", 401);
                return;
            }
            if (string.IsNullOrEmpty(token))
            {
                begins.Add(context.Request.Query["begin"]!);
                Assert.Equal("yes", context.Request.Query["ascending"]);
            }
            var page = int.TryParse(token, out var p) ? p : 0;
            var items = events.Skip(page * 3).Take(3);
            var origin = $"{context.Request.Scheme}://{context.Request.Host}";
            // Mailgun always gives a next link, absolute; an empty page ends the list.
            await FakeServer.Json(context, $$"""{"items": [{{string.Join(", ", items)}}], "paging": {"next": "{{origin}}/v3/{{domain}}/events/{{page + 1}}", "previous": "{{origin}}/v3/{{domain}}/events/x"} }""");
        }));
        await using var harness = new SyncHarness(o => o.MailgunApi = server.BaseUrl);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var id = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Mailgun, "Mailgun")
        {
            Settings = { [SettingNames.Domain] = "mg.example.com", [SettingNames.Region] = "us" },
            Secrets = { [SecretNames.ApiKey] = MailgunKey },
        });

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(7, await harness.EventCountAsync(workspace));
        Assert.Equal(4, (await SyncHarness.SummariesAsync(harness.Database, workspace))["spring"].Clicks);
        var state = System.Text.Json.JsonSerializer.Deserialize<MailgunSync.State>((await harness.ConnectionAsync(id)).SyncStateJson!, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        Assert.InRange(state.Begin!.Value, DateTimeOffset.UtcNow.AddMinutes(-31), DateTimeOffset.UtcNow.AddMinutes(-29));

        events.Add(MailgunEvent(7, DateTimeOffset.UtcNow.AddMinutes(-5)));
        var again = await harness.Runner.SyncAsync(id);

        Assert.True(again.Succeeded, again.Error);
        Assert.Equal(state.Begin.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), begins[1]);
        Assert.Equal(8, await harness.EventCountAsync(workspace));
    }

    [Fact]
    public async Task Mailgun_WebhookOnlyConnection_HasNothingToFetch()
    {
        await using var harness = new SyncHarness();
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var id = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Mailgun, "Mailgun")
        {
            Settings = { [SettingNames.Domain] = "mg.example.com" },
            Secrets = { [SecretNames.SigningKey] = "signing" },
        });

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded);
        Assert.Contains("nothing to fetch", outcome.Summary);
        var view = (await harness.Connections.GetAsync(id))!;
        Assert.False(view.CanPull);
        Assert.True(view.ReceivesWebhooks);
    }

    private static string PostmarkClick(int i, DateTime at) => $$"""
        {"RecordType": "Click", "MessageStream": "broadcast", "ClickLocation": "HTML", "Client": {"Name": "Chrome 120", "Company": "Google", "Family": "Chrome"},
         "OS": {"Name": "Windows 10", "Company": "Microsoft", "Family": "Windows"}, "Platform": "Desktop", "UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0",
         "OriginalLink": "https://shop.example/{{i % 3}}", "Geo": {"IP": "81.2.{{i / 256}}.{{i % 256}}", "Country": "Germany"}, "MessageID": "m-{{i}}", "Metadata": {},
         "ReceivedAt": "{{at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}}", "Tag": "spring-news", "Recipient": "reader{{i}}@example.org"}
        """;

    [Fact]
    public async Task Postmark_ReadsClickPages_AndLaterOnlyUpToWhatItHadSeen()
    {
        var sent = new DateTime(2026, 3, 2, 14, 0, 0, DateTimeKind.Utc);
        var clicks = Enumerable.Range(0, 5).Select(i => (At: sent.AddHours(i), Json: PostmarkClick(i, sent.AddHours(i)))).ToList();
        await using var server = await FakeServer.StartAsync(app => app.MapGet("/messages/outbound/clicks", async context =>
        {
            if (context.Request.Headers["X-Postmark-Server-Token"] != PostmarkToken)
            {
                await FakeServer.Json(context, """{"ErrorCode": 10, "Message": "No Account or Server API tokens were supplied in the HTTP headers."}""", 401);
                return;
            }
            var offset = int.Parse(context.Request.Query["offset"]!, CultureInfo.InvariantCulture);
            // At most two a page, newest first.
            var page = clicks.OrderByDescending(c => c.At).Skip(offset).Take(2).Select(c => c.Json);
            await FakeServer.Json(context, $$"""{"TotalCount": {{clicks.Count}}, "Clicks": [{{string.Join(", ", page)}}]}""");
        }));
        await using var harness = new SyncHarness(o => o.PostmarkApi = server.BaseUrl);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var id = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Postmark") { Secrets = { [SecretNames.ServerToken] = PostmarkToken } });

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        // Three pages of at most two: the sync goes on from what came, not from the 500 it asked for.
        Assert.Equal(["offset=0", "offset=2", "offset=4"], server.Requests.Select(r => r.PathAndQuery[r.PathAndQuery.IndexOf("offset=", StringComparison.Ordinal)..]));
        Assert.Equal(5, await harness.EventCountAsync(workspace));
        Assert.Equal(5, (await SyncHarness.SummariesAsync(harness.Database, workspace))["spring-news"].Clicks);
        var first = server.Requests.Count;

        clicks.Add((sent.AddDays(2), PostmarkClick(9, sent.AddDays(2))));
        var again = await harness.Runner.SyncAsync(id);

        Assert.True(again.Succeeded, again.Error);
        Assert.Equal(1, server.Requests.Count - first);
        Assert.Equal(6, await harness.EventCountAsync(workspace));
    }

    [Fact]
    public async Task Postmark_MoreNewClicksThanItServes_SaysSomeCouldNotBeRead()
    {
        var sent = new DateTime(2026, 3, 2, 14, 0, 0, DateTimeKind.Utc);
        await using var server = await FakeServer.StartAsync(app => app.MapGet("/messages/outbound/clicks", async context =>
        {
            var offset = int.Parse(context.Request.Query["offset"]!, CultureInfo.InvariantCulture);
            var count = int.Parse(context.Request.Query["count"]!, CultureInfo.InvariantCulture);
            // 10,500 clicks, newest first; Postmark serves none past the 10,000th.
            var page = Enumerable.Range(offset, Math.Max(0, Math.Min(count, 10_000 - offset))).Select(i => PostmarkClick(i, sent.AddSeconds(20_000 - i)));
            await FakeServer.Json(context, $$"""{"TotalCount": 10500, "Clicks": [{{string.Join(", ", page)}}]}""");
        }));
        await using var harness = new SyncHarness(o => o.PostmarkApi = server.BaseUrl);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var id = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Postmark") { Secrets = { [SecretNames.ServerToken] = PostmarkToken } });

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(10_000, await harness.EventCountAsync(workspace));
        Assert.Contains("up to 500 older ones could not be read", outcome.Summary);
        Assert.Contains("could not be read", (await harness.ConnectionAsync(id)).LastSyncSummary);
    }

    /// <summary>A Postmark connection whose clicks list answers only once <see cref="GatedPostmark.Release"/> is set: a fetch that stays running.</summary>
    private sealed record GatedPostmark(FakeServer Server, SyncHarness Harness, int Connection, TaskCompletionSource Release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Release.TrySetResult();
            await Harness.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    private static async Task<GatedPostmark> GatedPostmarkAsync()
    {
        var release = new TaskCompletionSource();
        var server = await FakeServer.StartAsync(app => app.MapGet("/messages/outbound/clicks", async context =>
        {
            await release.Task;
            await FakeServer.Json(context, """{"TotalCount": 0, "Clicks": []}""");
        }));
        var harness = new SyncHarness(o => o.PostmarkApi = server.BaseUrl);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var id = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Postmark") { Secrets = { [SecretNames.ServerToken] = PostmarkToken } });
        return new GatedPostmark(server, harness, id, release);
    }

    [Fact]
    public async Task Test_WhileAFetchRuns_WaitsForIt_InsteadOfWritingBackOlderProgress()
    {
        await using var gated = await GatedPostmarkAsync();
        var (harness, id, release) = (gated.Harness, gated.Connection, gated.Release);

        var fetch = harness.Runner.SyncAsync(id);
        var test = await harness.Runner.TestAsync(id);
        release.SetResult();
        var fetched = await fetch;

        Assert.False(test.Succeeded);
        Assert.Contains("A fetch is running for this connection", test.Error);
        Assert.True(fetched.Succeeded, fetched.Error);
    }

    [Fact]
    public async Task StoppedFetch_SaysSo_ButNeitherPutsOffTheNextNorClearsTheLastError()
    {
        await using var gated = await GatedPostmarkAsync();
        var (harness, id, release) = (gated.Harness, gated.Connection, gated.Release);
        var failedAt = new DateTime(2026, 11, 27, 8, 0, 0, DateTimeKind.Utc);
        await using (var db = harness.Database.CreateDbContext())
        {
            await db.Connections.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastError, "Postmark is having trouble.").SetProperty(c => c.LastErrorAt, failedAt));
        }

        var fetch = harness.Runner.SyncAsync(id);
        await Task.Delay(200);
        harness.Runner.Cancel(id);
        release.SetResult();
        var outcome = await fetch;

        Assert.StartsWith("Stopped on request.", outcome.Summary);
        var stored = await harness.ConnectionAsync(id);
        Assert.StartsWith("Stopped on request.", stored.LastSyncSummary);
        Assert.Equal(("Postmark is having trouble.", failedAt, (DateTime?)null), (stored.LastError, stored.LastErrorAt, stored.LastSyncAt));
    }

    [Fact]
    public async Task Postmark_WrongToken_SaysWhereToFindTheRightOne()
    {
        await using var server = await FakeServer.StartAsync(app => app.MapGet("/messages/outbound/clicks", context =>
            FakeServer.Json(context, """{"ErrorCode": 10, "Message": "No Account or Server API tokens were supplied in the HTTP headers."}""", 401)));
        await using var harness = new SyncHarness(o => o.PostmarkApi = server.BaseUrl);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var id = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Postmark") { Secrets = { [SecretNames.ServerToken] = "nope" } });

        var outcome = await harness.Runner.TestAsync(id);

        Assert.Equal(ProviderProblem.WrongKey, outcome.Problem);
        Assert.Contains("API Tokens tab", outcome.Error);
    }

    [Fact]
    public async Task ProviderDown_After_Retries_IsReportedInPlainWords()
    {
        var calls = 0;
        await using var server = await FakeServer.StartAsync(app => app.MapGet("/messages/outbound/clicks", context =>
        {
            Interlocked.Increment(ref calls);
            return FakeServer.Json(context, """{"ErrorCode": 500, "Message": "Internal error"}""", 503);
        }));
        await using var harness = new SyncHarness(o => o.PostmarkApi = server.BaseUrl);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var id = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Postmark") { Secrets = { [SecretNames.ServerToken] = PostmarkToken } });

        var outcome = await harness.Runner.SyncAsync(id);

        Assert.Equal(ProviderProblem.ProviderDown, outcome.Problem);
        Assert.StartsWith("Postmark is having trouble right now (HTTP 503", outcome.Error);
        // The first try and the resilience pipeline's three retries.
        Assert.Equal(4, calls);
        await using var db = harness.Database.CreateDbContext();
        Assert.NotNull((await db.Connections.SingleAsync()).LastErrorAt);
    }

    [Fact]
    public async Task SyncDue_FetchesOnlyConnectionsThatCanFetchAndWhoseIntervalHasPassed()
    {
        await using var server = await FakeServer.StartAsync(app => app.MapGet("/messages/outbound/clicks", context =>
            FakeServer.Json(context, $$"""{"TotalCount": 1, "Clicks": [{{PostmarkClick(1, new DateTime(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc))}}]}""")));
        await using var harness = new SyncHarness(o => o.PostmarkApi = server.BaseUrl);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var due = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Due") { Secrets = { [SecretNames.ServerToken] = PostmarkToken } });
        var manual = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Manual") { Secrets = { [SecretNames.ServerToken] = PostmarkToken }, SyncIntervalMinutes = 0 });
        var webhookOnly = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Webhook only")
        {
            Settings = { [SettingNames.WebhookUser] = "postmark" },
            Secrets = { [SecretNames.WebhookPassword] = "pass" },
        });

        await harness.Runner.SyncDueAsync(CancellationToken.None);
        await harness.Runner.SyncDueAsync(CancellationToken.None);

        Assert.Single(server.Requests);
        Assert.NotNull((await harness.ConnectionAsync(due)).LastSyncAt);
        Assert.Null((await harness.ConnectionAsync(manual)).LastSyncAt);
        Assert.Null((await harness.ConnectionAsync(webhookOnly)).LastSyncAt);
        Assert.Null((await harness.ConnectionAsync(webhookOnly)).LastSyncSummary);
    }

    [Fact]
    public async Task TheSchedule_QueuesAFetchPerDueConnection_WhichAWorkerRunsOnce_ShownToTheWorkspace()
    {
        await using var server = await FakeServer.StartAsync(app => app.MapGet("/messages/outbound/clicks", context =>
            FakeServer.Json(context, $$"""{"TotalCount": 1, "Clicks": [{{PostmarkClick(1, new DateTime(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc))}}]}""")));
        await using var harness = new SyncHarness(o => o.PostmarkApi = server.BaseUrl);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var due = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Shop mail") { Secrets = { [SecretNames.ServerToken] = PostmarkToken } });
        var jobs = harness.Get<ClickInsights.Core.Jobs.JobQueue>();
        var activity = harness.Get<ClickInsights.Core.WorkspaceActivity>();
        var ended = new System.Collections.Concurrent.ConcurrentQueue<ClickInsights.Core.Activity>();
        using var watch = activity.WatchEnds(workspace, e => { foreach (var a in e) { ended.Enqueue(a); } });

        // The schedule runs twice before the fetch starts: one fetch is queued, not two.
        await jobs.EnqueueAsync(ClickInsights.Core.Jobs.JobKinds.SyncDue, ClickInsights.Core.Jobs.JobKinds.SyncDue);
        using var stop = new CancellationTokenSource();
        var worker = harness.Get<ClickInsights.Core.Jobs.JobWorker>();
        var owner = "here";
        ClickInsights.Core.Jobs.ClaimedJob? schedule = await jobs.ClaimAsync(owner, TimeSpan.FromMinutes(1));
        Assert.Equal(ClickInsights.Core.Jobs.JobKinds.SyncDue, schedule?.Kind);
        var dueJob = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetServices<ClickInsights.Core.Jobs.IJobHandler>(harness.Services).Single(h => h.Kind == ClickInsights.Core.Jobs.JobKinds.SyncDue);
        await dueJob.RunAsync(schedule!, ClickInsights.Core.Jobs.JobProgress.None, CancellationToken.None);
        await dueJob.RunAsync(schedule!, ClickInsights.Core.Jobs.JobProgress.None, CancellationToken.None);
        await jobs.FinishAsync(schedule!.Id, owner);
        Assert.Equal(1, await jobs.QueuedAsync(ClickInsights.Core.Jobs.JobKinds.Sync));

        var running = worker.RunAsync("worker", stop.Token);
        var key = ClickInsights.Core.Jobs.SyncJob.Key(due);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); (await jobs.LatestAsync(workspace, key))?.FinishedAt is null; await Task.Delay(50))
        {
            Assert.True(DateTime.UtcNow < deadline, "The fetch did not end in time.");
        }
        await stop.CancelAsync();
        await running;

        var job = await jobs.LatestAsync(workspace, key);
        Assert.Equal((ClickInsights.Core.Data.JobState.Done, "ClickInsights (on schedule)"), (job!.State, job.RequestedBy));
        Assert.Equal(job.Result, (await harness.ConnectionAsync(due)).LastSyncSummary);
        Assert.Single(server.Requests);
        Assert.Contains(ended, a => a.Kind == ClickInsights.Core.Jobs.JobKinds.Sync && a.What.StartsWith("Fetching from “Shop mail”", StringComparison.Ordinal));
    }
}
