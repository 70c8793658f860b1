using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ClickInsights.Core.Data;
using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.Webhooks;
using ClickInsights.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ClickInsights.Tests.Browser;

/// <summary>
/// Two dashboard instances on one PostgreSQL database behind Debian's nginx, with the repository's own configuration
/// (<c>deploy/nginx.conf</c>): the key ring is shared (a sign-in and a saved secret made through one are good on the
/// other), the same webhook batch sent to both is stored once, both answer the load balancer's checks, work on one shows
/// on the other's pages, and a person whose instance stops carries on on the other, still signed in, while the job the
/// stopped instance held is finished by the other. Needs PostgreSQL and nginx; in CI neither may be missing.
/// </summary>
[Trait("Store", "PostgreSQL only: several instances share one database server")]
public sealed class SeveralInstancesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Email = "support@example.com";
    private const string Password = "rye-sourdough-42";

    private readonly string _folder = Directory.CreateTempSubdirectory("clickinsights-instances").FullName;
    private readonly Dictionary<string, WebApplicationFactory<Program>> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _addresses = new(StringComparer.Ordinal);
    private string? _database;
    private Process? _nginx;
    private string _nginxAddress = "";

    public async Task InitializeAsync()
    {
        if (TestPostgres.Server is null && !TestPostgres.InCi)
        {
            return;
        }
        (_database, var connectionString) = TestPostgres.CreateEmptyDatabase();
        // One after the other, as a rolling start does: the first migrates the database and loads the demo.
        foreach (var name in new[] { "a", "b" })
        {
            var port = FreePort();
            var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
                .UsePostgreSql(connectionString, Path.Combine(_folder, name))
                .UseSetting("ClickInsights:InstanceName", name)
                .UseSetting("ClickInsights:Sync:Enabled", "false")
                // Short leases, so that a stopped instance's job is taken over within seconds.
                .UseSetting("ClickInsights:Jobs:Lease", "00:00:04")
                .UseSetting("ClickInsights:Jobs:PollEvery", "00:00:00.500")
                .UseEnvironment("Development")
                .UseUrls($"http://127.0.0.1:{port}"));
            factory.UseKestrel();
            factory.StartServer();
            _instances[name] = factory;
            _addresses[name] = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        }
        await _instances["a"].Services.GetRequiredService<ClickInsights.Core.Accounts.PeopleService>().AddAsync(Email, Password, ClickInsights.Core.Accounts.Role.Admin, null);
        await StartNginxAsync();
    }

    [SkippableFact]
    public async Task TwoInstancesBehindNginx_ShareSignInsAndSecrets_StoreABatchOnce_AndCarryAPersonAndAJobOverWhenOneStops()
    {
        TestPostgres.RequireServer();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // The load balancer's checks, on each instance and through nginx.
        foreach (var address in _addresses.Values.Append(_nginxAddress))
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(address + "/healthz")).StatusCode);
            using var ready = await http.GetAsync(address + "/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("ready", (await ready.Content.ReadAsStringAsync()).Trim());
        }

        // A connection secret saved through one instance is read by the other.
        var protectedText = _instances["a"].Services.GetRequiredService<ISecretProtector>().Protect("0123456789abcdef0123456789abcdef-us14");
        Assert.Equal("0123456789abcdef0123456789abcdef-us14", _instances["b"].Services.GetRequiredService<ISecretProtector>().Unprotect(protectedText));

        await SameBatchToBothInstances_IsStoredOnceAsync(http);
        await PersonCarriesOnWhenTheirInstanceStopsAsync();
    }

    /// <summary>A provider that retries a batch to another instance (or sends it twice at once): both answer 200, it is stored once.</summary>
    private async Task SameBatchToBothInstances_IsStoredOnceAsync(HttpClient http)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var services = _instances["a"].Services;
        var workspace = (await services.GetRequiredService<ClickInsights.Core.Workspaces.WorkspaceService>().CreateAsync("Webhook shop")).Id;
        var connections = services.GetRequiredService<ConnectionService>();
        var id = await connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.SendGrid, "SendGrid")
        {
            Settings = { [SettingNames.PublicKey] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()) },
        });
        var webhookKey = (await connections.GetAsync(id))!.WebhookKey;
        var body = new StringBuilder("[");
        for (int i = 0; i < 500; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"email":"p{{i % 97}}@shop{{i % 7}}.example","timestamp":{{1772470000 + i}},"event":"{{(i % 3 == 0 ? "delivered" : "click")}}","sg_event_id":"batch-{{i}}","url":"https://shop.example/{{i % 5}}","ip":"81.2.69.{{i % 200 + 1}}","useragent":"Mozilla/5.0 (Windows NT 10.0) Chrome/120.0","singlesend_id":"ss-batch","singlesend_name":"Batch"}""");
        }
        var text = body.Append(']').ToString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(timestamp + text), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Task<HttpResponseMessage> Send(string instance) => http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{_addresses[instance]}/webhooks/sendgrid/{webhookKey}")
        {
            Content = new StringContent(text, Encoding.UTF8, "application/json"),
            Headers = { { WebhookSignatures.SendGridTimestampHeader, timestamp }, { WebhookSignatures.SendGridSignatureHeader, signature } },
        });

        var answers = await Task.WhenAll(Send("a"), Send("b"));
        var again = await Send("b");

        Assert.All(answers.Append(again), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        // Answered only once stored: the events are in the database as soon as the answers are back.
        await using var db = await services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync();
        Assert.Equal(500, await db.Events.CountAsync(e => e.WorkspaceId == workspace));
        Assert.Equal(500, await db.Events.Where(e => e.WorkspaceId == workspace).Select(e => e.ExternalId).Distinct().CountAsync());
    }

    /// <summary>Signed in through nginx; the instance serving the person stops; the page comes back from the other, signed in.</summary>
    private async Task PersonCarriesOnWhenTheirInstanceStopsAsync()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFixture.FindChromium(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(_nginxAddress + "/domains");
        await page.WaitForURLAsync("**/signin?*");
        await page.GetByLabel("Email").FillAsync(Email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/w/*/domains");
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        var serving = await InstanceAsync(page);
        output.WriteLine($"Signed in through nginx; served by instance {serving}");
        Assert.Contains(serving, _instances.Keys);

        // Work going on in the other instance shows on this page, moves on and goes (LISTEN/NOTIFY).
        var elsewhere = _instances[_instances.Keys.Single(k => k != serving)].Services.GetRequiredService<ClickInsights.Core.WorkspaceActivity>();
        var workspace = int.Parse(System.Text.RegularExpressions.Regex.Match(page.Url, @"/w/(\d+)/").Groups[1].Value, CultureInfo.InvariantCulture);
        using (var work = elsewhere.Start(workspace, "someone on the other instance", "Importing “big-export.csv”", 1, 4))
        {
            await Assertions.Expect(page.GetByTestId("activity-bar")).ToContainTextAsync("Importing “big-export.csv” (1 of 4 done)", new() { Timeout = 10_000 });
            work.Report("Importing “big-export.csv”", 3, 4);
            await Assertions.Expect(page.GetByTestId("activity-bar")).ToContainTextAsync("(3 of 4 done)", new() { Timeout = 10_000 });
        }
        await Assertions.Expect(page.GetByTestId("activity-bar")).ToHaveCountAsync(0, new() { Timeout = 10_000 });

        // The instance stops (a deploy, a crash): nginx sends the page's reconnection to the other, which does not know
        // the circuit; the page reloads there, with the same sign-in (the key ring is shared).
        var stopping = _instances[serving];
        _instances.Remove(serving);
        await stopping.DisposeAsync();
        var other = _instances.Keys.Single();

        // It was classifying a campaign when it stopped: its job, as its worker's claim (renewed a moment before) left it in the table.
        long job;
        await using (var db = await _instances[other].Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync())
        {
            var campaign = await db.Campaigns.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
            var running = new BackgroundJob
            {
                Kind = ClickInsights.Core.Jobs.JobKinds.Classify, Key = ClickInsights.Core.Jobs.JobKinds.ClassifyKey(campaign), Payload = campaign.ToString(CultureInfo.InvariantCulture),
                State = JobState.Running, Owner = serving, Attempts = 1, CreatedAt = DateTime.UtcNow, StartedAt = DateTime.UtcNow, LeaseUntil = DateTime.UtcNow.AddSeconds(4),
            };
            db.Jobs.Add(running);
            await db.SaveChangesAsync();
            job = running.Id;
        }


        // Polled from here: the page reloads meanwhile, and a check running in it when it does is lost with it.
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(500))
        {
            if (await InstanceAsync(page) == other)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "The page did not reach the other instance.");
        }
        await page.WaitForURLAsync("**/w/*/domains", new() { Timeout = 60_000 });
        await page.Locator("[data-testid=app-ready][data-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
        Assert.Equal(other, await InstanceAsync(page));
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(Email);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recipient domains" })).ToBeVisibleAsync();

        // The stopped instance's job: taken over by the other once its lease ran out, and finished there.
        var factory = _instances[other].Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>();
        BackgroundJob? finished = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            await using var db = await factory.CreateDbContextAsync();
            finished = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == job);
            if (finished.State is JobState.Done or JobState.Failed)
            {
                break;
            }
        }
        Assert.NotNull(finished);
        Assert.Equal((JobState.Done, other, 2), (finished.State, finished.Owner, finished.Attempts));
    }

    /// <summary>The instance serving the page, asked from the page; asked again when the page was navigating meanwhile.</summary>
    private static async Task<string> InstanceAsync(IPage page)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await page.EvaluateAsync<string>("async () => (await fetch('/healthz', { cache: 'no-store' })).headers.get('x-clickinsights-instance')");
            }
            catch (PlaywrightException) when (attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>The repository's nginx configuration, with this test's ports, in a folder of its own.</summary>
    private async Task StartNginxAsync()
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx was not found: install Debian's nginx (apt-get install -y nginx); .ci/run does.");
        var prefix = Path.Combine(_folder, "nginx");
        Directory.CreateDirectory(prefix);
        // nginx's workers may run as another user: they write their temporary files here.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(prefix, (UnixFileMode)0x1FF);
        }
        var port = FreePort();
        var configuration = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "nginx.conf")))
            .Replace("127.0.0.1:8080", $"127.0.0.1:{port}", StringComparison.Ordinal)
            .Replace("127.0.0.1:5081", _addresses["a"].Replace("http://", "", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace("127.0.0.1:5082", _addresses["b"].Replace("http://", "", StringComparison.Ordinal), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), configuration);
        var start = new ProcessStartInfo(nginx) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-p", prefix, "-c", "nginx.conf", "-g", "daemon off;" })
        {
            start.ArgumentList.Add(argument);
        }
        _nginx = Process.Start(start)!;
        _nginx.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.WriteLine("nginx: " + e.Data); } };
        _nginx.BeginErrorReadLine();
        _nginxAddress = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(200))
        {
            try
            {
                if ((await http.GetAsync(_nginxAddress + "/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_nginx.HasExited)
            {
            }
            if (DateTime.UtcNow >= deadline || _nginx.HasExited)
            {
                throw new InvalidOperationException($"nginx did not start on port {port} (exited: {_nginx.HasExited}).");
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ClickInsights.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("The repository's root (ClickInsights.sln) was not found above the test's folder.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }
        _nginx?.Dispose();
        foreach (var instance in _instances.Values)
        {
            await instance.DisposeAsync();
        }
        if (_database is not null)
        {
            TestPostgres.Drop(_database);
        }
        Directory.Delete(_folder, recursive: true);
    }
}
