using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClickInsights.Core.Api;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Core.Reports;
using ClickInsights.Core.Workspaces;
using ClickInsights.Tests.Support;
using ClickInsights.Tests.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Tests.Web;

/// <summary>The REST API on each store: tokens reach their own workspace only, read-only tokens cannot write, paging, outgoing webhooks.</summary>
public abstract class ApiTests(StoreKind store) : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clickinsights-tests", Guid.NewGuid().ToString("N"));
    private string? _postgresDatabase;
    private WebApplicationFactory<Program> _factory = null!;
    private int _a, _b;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        Action<IWebHostBuilder> storage;
        if (store == StoreKind.PostgreSql)
        {
            (_postgresDatabase, var connectionString) = TestPostgres.CreateEmptyDatabase();
            storage = b => b.UsePostgreSql(connectionString, _folder);
        }
        else
        {
            storage = b => b.UseSetting("ClickInsights:Storage:DatabasePath", Path.Combine(_folder, "api.db"));
        }
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            storage(b);
            b.UseSetting("ClickInsights:SeedDemo", "false");
            b.UseSetting("ClickInsights:Sync:Enabled", "false");
            b.UseSetting("ClickInsights:Api:RequestsPerMinute", "1000");
            b.UseSetting("ClickInsights:Api:WebhookPollEvery", "00:00:00.100");
            b.UseSetting("ClickInsights:Api:WebhookRetryAfter", "00:00:00.300");
            b.UseSetting("ClickInsights:Api:AllowTestWebhookAddresses", "true");
        });
        _factory.CreateClient().Dispose();
        var workspaces = _factory.Services.GetRequiredService<WorkspaceService>();
        _a = (await workspaces.CreateAsync("Bakery")).Id;
        _b = (await workspaces.CreateAsync("Dental practice")).Id;
        var importer = _factory.Services.GetRequiredService<EventImporter>();
        await importer.ImportAsync(_a, new MemoryStream(Samples.DemoSendGridFile(new() { Contacts = 60, Campaigns = 2, Seed = 1 })), "bakery.json");
        await importer.ImportAsync(_b, new MemoryStream(Samples.DemoSendGridFile(new() { Contacts = 50, Campaigns = 1, Seed = 2 })), "dental.json");
    }

    private async Task<HttpClient> ClientAsync(int workspace, bool canWrite)
    {
        var (_, secret) = await _factory.Services.GetRequiredService<ApiTokenService>().CreateAsync(workspace, canWrite ? "writer" : "reader", canWrite, TimeSpan.FromDays(1), "test@example.com");
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    private async Task<T> QueryAsync<T>(Func<ClickInsightsDbContext, Task<T>> query)
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    [SkippableFact]
    public async Task Campaigns_HaveTheFiguresThePagesShow()
    {
        using var client = await ClientAsync(_a, canWrite: false);
        var expected = await _factory.Services.GetRequiredService<ReportService>().CampaignsAsync(_a);

        var campaigns = await client.GetFromJsonAsync<JsonElement>("/api/v1/campaigns");

        Assert.Equal(expected.Count, campaigns.GetArrayLength());
        foreach (var (row, json) in expected.Zip(campaigns.EnumerateArray()))
        {
            Assert.Equal(row.Id, json.GetProperty("id").GetInt32());
            Assert.Equal(row.Name, json.GetProperty("name").GetString());
            Assert.Equal(row.Delivered, json.GetProperty("delivered").GetInt32());
            Assert.Equal(row.HumanClickers, json.GetProperty("people_clickers").GetInt32());
            Assert.Equal(row.UniqueClickers, json.GetProperty("reported_clickers").GetInt32());
            Assert.Equal((row.Clicks, row.HumanClicks, row.SuspectClicks, row.BotClicks),
                (json.GetProperty("reported_clicks").GetInt32(), json.GetProperty("human_clicks").GetInt32(), json.GetProperty("suspect_clicks").GetInt32(), json.GetProperty("bot_clicks").GetInt32()));
            Assert.False(string.IsNullOrEmpty(json.GetProperty("provider_id").GetString()));
        }
        // The figures carry an ETag: asked again with it, unchanged figures answer 304.
        using var one = await client.GetAsync($"/api/v1/campaigns/{expected[0].Id}");
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/campaigns/{expected[0].Id}") { Headers = { IfNoneMatch = { one.Headers.ETag! } } };
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
    }

    [SkippableFact]
    public async Task ATokenOfOneWorkspace_Gets404_ForEveryAddressOfAnother()
    {
        using var client = await ClientAsync(_a, canWrite: true);
        var campaignOfB = await QueryAsync(db => db.Campaigns.Where(c => c.WorkspaceId == _b).Select(c => c.Id).FirstAsync());
        var clickOfB = await QueryAsync(db => db.Events.Where(e => e.WorkspaceId == _b && e.Type == EventType.Click).Select(e => e.Id).FirstAsync());
        var emailOfB = await QueryAsync(db => db.Recipients.Where(r => r.WorkspaceId == _b).Select(r => r.Email).FirstAsync());
        await _factory.Services.GetRequiredService<ClickInsights.Core.Classification.OverrideService>().SetAsync(_b, OverrideScope.Recipient, emailOfB, Verdict.Bot);
        var decisionOfB = await QueryAsync(db => db.Overrides.Where(o => o.WorkspaceId == _b).Select(o => o.Id).FirstAsync());
        using var bClient = await ClientAsync(_b, canWrite: true);
        using var upload = await bClient.PostAsync("/api/v1/imports?file_name=more.json", new ByteArrayContent(Encoding.UTF8.GetBytes("[]")));
        var importOfB = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        // Every address of the API that names something, with B's things in it.
        var routes = _factory.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1/", StringComparison.Ordinal) && e.RoutePattern.RawText.Contains('{'))
            .Select(e => (Pattern: e.RoutePattern.RawText!, Method: e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods[0])).ToList();
        Assert.True(routes.Count >= 5);
        foreach (var (pattern, method) in routes)
        {
            var path = Regex.Replace(pattern, @"\{(\w+)(:[^}]*)?\}", _ => pattern.StartsWith("/api/v1/imports", StringComparison.Ordinal) ? importOfB!
                : pattern.StartsWith("/api/v1/decisions", StringComparison.Ordinal) ? decisionOfB.ToString() : campaignOfB.ToString());
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        // Deciding about B's click, recipient or domain is as for one that does not exist.
        foreach (var (scope, key) in new[] { ("click", clickOfB.ToString()), ("recipient", emailOfB), ("domain", emailOfB.Split('@')[1]) })
        {
            if (scope == "domain" && await QueryAsync(db => db.Recipients.AnyAsync(r => r.WorkspaceId == _a && r.Domain == key)))
            {
                continue;
            }
            using var decide = await client.PostAsJsonAsync("/api/v1/decisions", new { scope, key, verdict = "human" });
            Assert.Equal(HttpStatusCode.NotFound, decide.StatusCode);
        }
        // Lists hold the token's workspace only.
        var workspaces = await client.GetFromJsonAsync<JsonElement>("/api/v1/workspaces");
        Assert.Equal(_a, workspaces.EnumerateArray().Single().GetProperty("id").GetInt32());
        var campaigns = await client.GetFromJsonAsync<JsonElement>("/api/v1/campaigns");
        Assert.DoesNotContain(campaigns.EnumerateArray(), c => c.GetProperty("id").GetInt32() == campaignOfB);
        Assert.DoesNotContain(emailOfB, await client.GetStringAsync("/api/v1/domains"));
        Assert.Equal(1, await QueryAsync(db => db.Overrides.CountAsync()));
    }

    [SkippableFact]
    public async Task AReadOnlyToken_CannotWrite_AndWritesAreAudited()
    {
        using var reader = await ClientAsync(_a, canWrite: false);
        using var writer = await ClientAsync(_a, canWrite: true);
        var email = await QueryAsync(db => db.Recipients.Where(r => r.WorkspaceId == _a).Select(r => r.Email).FirstAsync());

        var refused = new[]
        {
            await reader.PostAsJsonAsync("/api/v1/decisions", new { scope = "recipient", key = email, verdict = "bot" }),
            await reader.PutAsJsonAsync("/api/v1/settings", new { classifier = new { bot_threshold = 80 } }),
            await reader.PostAsync("/api/v1/imports?file_name=x.json", new ByteArrayContent("[]"u8.ToArray())),
            await reader.DeleteAsync("/api/v1/decisions/1"),
        };
        using var made = await writer.PostAsJsonAsync("/api/v1/decisions", new { scope = "recipient", key = email, verdict = "bot" });
        using var wrongField = await writer.PutAsJsonAsync("/api/v1/settings", new { classifier = new { bot_treshold = 80 } });
        using var wrongValue = await writer.PutAsJsonAsync("/api/v1/settings", new { classifier = new { suspect_threshold = 90, bot_threshold = 80 } });

        Assert.All(refused, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongField.StatusCode);
        Assert.Equal("classifier.bot_treshold", (await wrongField.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal("classifier.suspect_threshold", (await wrongValue.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(1, await QueryAsync(db => db.Overrides.CountAsync()));
        var audited = await QueryAsync(db => db.AuditEntries.Where(a => a.Action == ClickInsights.Core.Accounts.AuditActions.ApiCall).Select(a => a.Detail).ToListAsync());
        Assert.Equal(3, audited.Count);
        Assert.Contains("POST /api/v1/decisions", audited);

        // A revoked token is refused from its next call on.
        var tokens = _factory.Services.GetRequiredService<ApiTokenService>();
        Assert.True(await tokens.RevokeAsync(_a, (await tokens.ListAsync(_a)).Single(t => t.Name == "reader").Id));
        using var revoked = await reader.GetAsync("/api/v1/campaigns");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("revoked", (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [SkippableFact]
    public async Task ClicksArePaged_EachExactlyOnce()
    {
        using var client = await ClientAsync(_a, canWrite: false);
        var campaign = await QueryAsync(db => db.CampaignSummaries.Where(s => db.Campaigns.Any(c => c.Id == s.CampaignId && c.WorkspaceId == _a)).OrderByDescending(s => s.Clicks).FirstAsync());

        async Task<List<long>> AllAsync(string filter)
        {
            var ids = new List<long>();
            string? after = null;
            do
            {
                var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/campaigns/{campaign.CampaignId}/clicks?limit=7{filter}{(after is null ? "" : $"&after={after}")}");
                ids.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
                after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            }
            while (after is not null);
            return ids;
        }

        var all = await AllAsync("");
        var bots = await AllAsync("&verdict=bot");

        Assert.True(campaign.Clicks > 14, "more than two pages");
        Assert.Equal(campaign.Clicks, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(campaign.BotClicks, bots.Count);
        var first = await client.GetFromJsonAsync<JsonElement>($"/api/v1/campaigns/{campaign.CampaignId}/clicks?limit=1&verdict=bot");
        var click = first.GetProperty("items")[0];
        Assert.Equal("bot", click.GetProperty("verdict").GetString());
        Assert.NotEmpty(click.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("evidence").GetString()));
        using var bad = await client.GetAsync($"/api/v1/campaigns/{campaign.CampaignId}/clicks?after=nonsense!");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("after", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [SkippableFact]
    public async Task AnImportSentThroughTheApi_Is202_ThenDone_AndItsClassificationReachesAWebhookReceiver_RetriedAfter500()
    {
        // A receiver on loopback that checks the signature as the README says, and fails its first call.
        var received = new ConcurrentQueue<(string Event, string Delivery, bool Valid, int Answered)>();
        var calls = 0;
        await using var receiver = await FakeServer.StartAsync(app => app.MapPost("/hooks", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var timestamp = context.Request.Headers["ClickInsights-Timestamp"].ToString();
            var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body.ToArray()]));
            var valid = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(context.Request.Headers["ClickInsights-Signature"].ToString()));
            var answer = Interlocked.Increment(ref calls) == 1 ? 500 : 200;
            received.Enqueue((context.Request.Headers["ClickInsights-Event"].ToString(), context.Request.Headers["ClickInsights-Delivery"].ToString(), valid, answer));
            context.Response.StatusCode = answer;
        }));
        var (_, secret) = await _factory.Services.GetRequiredService<WebhookOutbox>().AddAsync(_a, receiver.BaseUrl + "/hooks", "test@example.com", allowTestAddresses: true);
        Secret = secret;
        using var client = await ClientAsync(_a, canWrite: true);

        using var upload = await client.PostAsync("/api/v1/imports?file_name=spring.json",
            new ByteArrayContent(Samples.DemoSendGridFile(new() { Contacts = 40, Campaigns = 1, Seed = 9 })));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var location = upload.Headers.Location!.ToString();
        JsonElement status;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(100);
            status = await client.GetFromJsonAsync<JsonElement>(location);
        }
        while (status.GetProperty("status").GetString() is "queued" or "running" && DateTime.UtcNow < deadline);
        Assert.Equal("done", status.GetProperty("status").GetString());
        Assert.Equal(1, status.GetProperty("summary").GetProperty("campaigns").GetInt32());
        var clicks = status.GetProperty("summary").GetProperty("clicks").GetInt64();

        // Until the call answered 500 came again and succeeded, and the campaign's figures arrived.
        while (!(received.Any(r => r.Event == WebhookOutbox.CampaignReclassified && r.Answered == 200)
                 && received.TryPeek(out var failed) && received.Count(r => r.Delivery == failed.Delivery) == 2) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.All(received, r => Assert.True(r.Valid, "the receiver's signature check failed"));
        var first = received.First();
        Assert.Equal(500, first.Answered);
        // The call answered 500 came again, and then succeeded.
        Assert.Contains(received, r => r.Delivery == first.Delivery && r.Answered == 200);
        var deliveries = await QueryAsync(db => db.WebhookDeliveries.Where(d => d.WorkspaceId == _a).ToListAsync());
        Assert.All(deliveries, d => Assert.NotNull(d.DeliveredAt));
        Assert.Equal(2, deliveries.Single(d => d.Id.ToString() == first.Delivery).Attempts);
        // Every new click was told of once, in batches.
        var told = deliveries.Where(d => d.EventType == WebhookOutbox.ClickClassified)
            .Sum(d => JsonDocument.Parse(d.Payload).RootElement.GetProperty("clicks").GetArrayLength());
        Assert.Equal(clicks, told);
        Assert.DoesNotContain(deliveries, d => d.WorkspaceId != _a);
    }

    private string Secret { get; set; } = "";

    [SkippableFact]
    public async Task ATokenBeyondItsCallsAMinute_Gets429_WithRetryAfter()
    {
        await using var limited = _factory.WithWebHostBuilder(b => b.UseSetting("ClickInsights:Api:RequestsPerMinute", "3"));
        var (_, secret) = await limited.Services.GetRequiredService<ApiTokenService>().CreateAsync(_a, "busy", false, TimeSpan.FromDays(1), "test@example.com");
        using var client = limited.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.GetAsync("/api/v1/workspaces"));
        }

        Assert.All(answers[..3], a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[3].StatusCode);
        Assert.Equal("60", answers[3].Headers.RetryAfter?.ToString());
        using var anonymous = await limited.CreateClient().GetAsync("/api/v1/workspaces");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgresDatabase is not null)
        {
            TestPostgres.Drop(_postgresDatabase);
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary><see cref="ApiTests"/> on SQLite.</summary>
public sealed class ApiTestsOnSqlite() : ApiTests(StoreKind.Sqlite);

/// <summary><see cref="ApiTests"/> on PostgreSQL.</summary>
public sealed class ApiTestsOnPostgreSql() : ApiTests(StoreKind.PostgreSql);

/// <summary>The API's OpenAPI document: generated, and describing every endpoint with its answers.</summary>
[Trait("Store", "SQLite only: the document does not depend on the store")]
public sealed class OpenApiDocumentTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clickinsights-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task TheDocument_DescribesEveryEndpoint_WithItsAnswers()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("ClickInsights:Storage:DatabasePath", Path.Combine(_folder, "doc.db"))
            .UseSetting("ClickInsights:SeedDemo", "false"));
        using var client = factory.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var reference = await client.GetStringAsync("/api");

        var paths = document.GetProperty("paths");
        var endpoints = factory.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1/", StringComparison.Ordinal)).ToList();
        Assert.True(endpoints.Count >= 12, $"{endpoints.Count} endpoints");
        foreach (var endpoint in endpoints)
        {
            var path = Regex.Replace(endpoint.RoutePattern.RawText!, @"\{(\w+)(:[^}]*)?\}", "{$1}");
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods[0].ToLowerInvariant();
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the document");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not in the document");
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()), $"{method} {path} has no summary");
            var answers = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.Contains(answers, a => a.StartsWith('2'));
            Assert.Contains("401", answers);
            Assert.Contains("429", answers);
            Assert.Contains(endpoint.RoutePattern.RawText!, reference);
        }
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
