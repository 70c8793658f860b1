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
        // Whitespace as SendGrid may send it: the signature covers these exact bytes.
        const string body = "[ {\"email\":\"ann@example.com\",\"timestamp\":1772470000,\"event\":\"click\",\"sg_event_id\":\"sg-9\",\"url\":\"https://shop.example/a\",\"ip\":\"81.2.69.1\",\"useragent\":\"Mozilla/5.0 (Windows NT 10.0) Chrome/120.0\",\"singlesend_id\":\"ss-9\"}\n]";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        HttpRequestMessage Post(string signature) => new(HttpMethod.Post, $"/webhooks/sendgrid/{id}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Headers = { { WebhookSignatures.SendGridTimestampHeader, timestamp }, { WebhookSignatures.SendGridSignatureHeader, signature } },
        };
        var good = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var bad = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(timestamp + body.Replace("\n", "")), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        using var refused = await client.SendAsync(Post(bad));
        using var accepted = await client.SendAsync(Post(good));
        using var unknown = await client.PostAsync("/webhooks/sendgrid/999", new StringContent(body));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
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
        Assert.NotEmpty(Directory.GetFiles(ClickInsightsWebExtensions.KeysFolderOf(Path.Combine(_folder, "dashboard.db")), "key-*.xml"));

        await using var second = Dashboard();
        _ = second.Server;
        var view = (await second.Services.GetRequiredService<ConnectionService>().GetAsync(id))!;

        Assert.Contains(SecretNames.ApiKey, view.SecretsSet);
        await using var db = await second.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync();
        Assert.DoesNotContain("0123456789abcdef", (await db.Connections.SingleAsync()).ProtectedSecrets);
    }
}
