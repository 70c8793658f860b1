using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClickInsights.Core.Data;
using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.Webhooks;
using ClickInsights.Web;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Tests.Sync;

/// <summary>The dashboard itself, on a temporary database: the webhook endpoint reads the raw body and classifies in the background.</summary>
/// <remarks>Alone, not beside other tests: the flood test measures the process's live memory.</remarks>
[Trait("Store", "SQLite only: webhook endpoints above the storage seam")]
[Collection(MeasuresMemoryCollection.Name)]
public sealed class WebhookEndpointSyncTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clickinsights-tests", Guid.NewGuid().ToString("N"));

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

    private WebApplicationFactory<Program> Dashboard() => new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
        .UseSetting("ClickInsights:Storage:DatabasePath", Path.Combine(_folder, "dashboard.db"))
        .UseSetting("ClickInsights:SeedDemo", "false"));

    [Fact]
    public async Task SendGridEndpoint_VerifiesTheRawBody_AndClassifiesInTheBackground()
    {
        await using var factory = Dashboard();
        using var client = factory.CreateClient();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var workspaceId = (await factory.Services.GetRequiredService<ClickInsights.Core.Workspaces.WorkspaceService>().CreateAsync("Shop")).Id;
        var id = await factory.Services.GetRequiredService<ConnectionService>().AddAsync(new ConnectionDraft(workspaceId, ProviderNames.SendGrid, "SendGrid")
        {
            Settings = { [SettingNames.PublicKey] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()) },
        });
        var webhookKey = (await factory.Services.GetRequiredService<ConnectionService>().GetAsync(id))!.WebhookKey;
        // Whitespace as SendGrid may send it: the signature covers these exact bytes.
        const string body = "[ {\"email\":\"ann@example.com\",\"timestamp\":1772470000,\"event\":\"click\",\"sg_event_id\":\"sg-9\",\"url\":\"https://shop.example/a\",\"ip\":\"81.2.69.1\",\"useragent\":\"Mozilla/5.0 (Windows NT 10.0) Chrome/120.0\",\"singlesend_id\":\"ss-9\"}\n]";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        HttpRequestMessage Post(string signature) => new(HttpMethod.Post, $"/webhooks/sendgrid/{webhookKey}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Headers = { { WebhookSignatures.SendGridTimestampHeader, timestamp }, { WebhookSignatures.SendGridSignatureHeader, signature } },
        };
        var good = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var bad = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(timestamp + body.Replace("\n", "")), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        using var refused = await client.SendAsync(Post(bad));
        using var accepted = await client.SendAsync(Post(good));
        using var unknown = await client.PostAsync("/webhooks/sendgrid/999", new StringContent(body));
        // The connection's number is not its address: it answers as a connection that does not exist.
        using var byNumber = await client.PostAsync($"/webhooks/sendgrid/{id}", new StringContent(body));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var db = factory.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        CampaignSummary? summary = null;
        while (summary is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            await using var context = await db.CreateDbContextAsync();
            summary = await context.CampaignSummaries.FirstOrDefaultAsync();
        }
        Assert.NotNull(summary);
        Assert.Equal(1, summary.Clicks);
    }

    [Fact]
    public async Task EachConnection_TakesItsLimitOfCallsAMinute_ThenIsAskedToComeBack()
    {
        // The limit as configured (6,000 by default; 5 here), counted per connection: another connection is not slowed.
        await using var factory = Dashboard().WithWebHostBuilder(b => b.UseSetting("ClickInsights:Webhooks:CallsPerMinute", "5"));
        using var client = factory.CreateClient();
        var workspaceId = (await factory.Services.GetRequiredService<ClickInsights.Core.Workspaces.WorkspaceService>().CreateAsync("Shop")).Id;
        var connections = factory.Services.GetRequiredService<ConnectionService>();
        async Task<string> MailgunAsync(string name) => (await connections.GetAsync(await connections.AddAsync(new ConnectionDraft(workspaceId, ProviderNames.Mailgun, name)
        {
            Secrets = { [SecretNames.SigningKey] = "key-0123456789abcdef" },
        })))!.WebhookKey!;
        var (busy, quiet) = (await MailgunAsync("Busy"), await MailgunAsync("Quiet"));
        async Task<HttpResponseMessage> PostAsync(string key) =>
            await client.PostAsync($"/webhooks/mailgun/{key}", new StringContent("""{"signature":{"timestamp":"1","token":"t","signature":"00"},"event-data":{}}""", Encoding.UTF8, "application/json"));

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 7; i++)
        {
            answers.Add(await PostAsync(busy));
        }
        using var other = await PostAsync(quiet);

        Assert.All(answers[..5], a => Assert.NotEqual(HttpStatusCode.TooManyRequests, a.StatusCode));
        Assert.All(answers[5..], a => Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode));
        Assert.Equal("60", answers[^1].Headers.RetryAfter?.ToString());
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);
        answers.ForEach(a => a.Dispose());
    }

    /// <summary>A call the server answered before reading its body, closing the connection under the client's upload.</summary>
    private const HttpStatusCode Refused = 0;

    [Fact]
    public async Task AFloodOfLargeUnsignedCalls_IsRefused_WithBoundedMemory()
    {
        // Over real TCP (Kestrel): the test server's in-memory pipes would buffer every body whole on the client's side.
        await using var factory = Dashboard();
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var workspaceId = (await factory.Services.GetRequiredService<ClickInsights.Core.Workspaces.WorkspaceService>().CreateAsync("Shop")).Id;
        var id = await factory.Services.GetRequiredService<ConnectionService>().AddAsync(new ConnectionDraft(workspaceId, ProviderNames.Mailgun, "Mailgun")
        {
            Secrets = { [SecretNames.SigningKey] = "key-0123456789abcdef" },
        });
        // 15 MB of a Mailgun-shaped body whose signature is made up: the signature is inside, so the body must be read.
        var bogus = Encoding.UTF8.GetBytes("{\"signature\":{\"timestamp\":\"1772470000\",\"token\":\"t\",\"signature\":\"00\"},\"event-data\":{\"x\":\"" + new string('x', 15 * 1024 * 1024) + "\"}}");
        // Live memory at its highest during a flood (a full collection before each reading: garbage does not count).
        async Task<(long Grown, HttpStatusCode[] Answers)> FloodAsync(string path)
        {
            var before = GC.GetTotalMemory(forceFullCollection: true);
            long peak = before;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                    await Task.Delay(10);
                }
            });
            var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
            {
                using var content = new ByteArrayContent(bogus);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                try
                {
                    using var response = await client.PostAsync(path, content);
                    return response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    // Answered (and the connection closed) before the client had sent the whole body: refused unread.
                    return Refused;
                }
            }));
            await sampling.CancelAsync();
            await sampler;
            return ((peak - before) / (1024 * 1024), answers);
        }

        // The same flood at an address that exists nowhere is refused before its body is read: what 40 connections
        // cost by themselves. At the real address every body is read (Mailgun's signature is inside it).
        var (connectionsOnly, unknownAnswers) = await FloodAsync("/webhooks/mailgun/999");
        var (grown, answers) = await FloodAsync($"/webhooks/mailgun/{(await factory.Services.GetRequiredService<ConnectionService>().GetAsync(id))!.WebhookKey}");
        Console.WriteLine($"Webhook flood: 40 parallel 15 MB calls with a made-up signature; live managed memory grew by at most {grown} MB ({connectionsOnly} MB for 40 refused without reading).");

        Assert.All(unknownAnswers, a => Assert.True(a is HttpStatusCode.NotFound or Refused, $"answered {a}"));
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.Unauthorized or HttpStatusCode.NotAcceptable or HttpStatusCode.ServiceUnavailable or Refused, $"answered {a}"));
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await db.Events.CountAsync());
        // A few bodies alive at once (each 15 MB), not 40 of them (600 MB and their copies).
        Assert.True(grown - connectionsOnly < 150, $"reading the bodies added {grown - connectionsOnly} MB of live memory");
    }

    [Fact]
    public async Task Secrets_AreEncryptedWithKeysBesideTheDatabase_AndSurviveARestart()
    {
        int id;
        await using (var first = Dashboard())
        {
            _ = first.Server;
            var workspaceId = (await first.Services.GetRequiredService<ClickInsights.Core.Workspaces.WorkspaceService>().CreateAsync("Shop")).Id;
            id = await first.Services.GetRequiredService<ConnectionService>().AddAsync(new ConnectionDraft(workspaceId, ProviderNames.Mailchimp, "Mailchimp")
            {
                Secrets = { [SecretNames.ApiKey] = "0123456789abcdef0123456789abcdef-us14" },
            });
        }
        // The key ring is in the database itself: a copy of the database is all a restart (or another instance) needs.
        Assert.False(Directory.Exists(ClickInsightsWebExtensions.KeysFolderOf(Path.Combine(_folder, "dashboard.db"))));

        await using var second = Dashboard();
        _ = second.Server;
        var view = (await second.Services.GetRequiredService<ConnectionService>().GetAsync(id))!;

        Assert.Contains(SecretNames.ApiKey, view.SecretsSet);
        await using var db = await second.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync();
        Assert.DoesNotContain("0123456789abcdef", (await db.Connections.SingleAsync()).ProtectedSecrets);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuresMemoryCollection
{
    public const string Name = "measures the process's memory";
}
