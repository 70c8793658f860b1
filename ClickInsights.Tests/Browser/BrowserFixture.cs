using System.Net;
using System.Net.Sockets;
using ClickInsights.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace ClickInsights.Tests.Browser;

/// <summary>
/// The real dashboard on a free loopback port (Kestrel, a fresh SQLite file, the demo workspace) and Debian's
/// Chromium driven by Playwright. A missing Chromium fails the tests: it must never skip them silently.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    private readonly TestDatabase _folder = new();
    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The dashboard's services, for a test to tidy up what it added (the tests share one database).</summary>
    public IServiceProvider Services => _factory!.Services;

    /// <summary>False when the fixture found no server for its store (outside CI).</summary>
    public bool IsRunning => _factory is not null;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The store the dashboard runs on (a fixture of its own per store).</summary>
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private string? _postgresDatabase;
    private bool _noServer;

    /// <summary>Skips (outside CI) or fails (in CI) a test whose fixture found no PostgreSQL server to run on.</summary>
    public void RequireStore()
    {
        if (_noServer)
        {
            TestPostgres.RequireServer();
        }
    }

    public virtual async Task InitializeAsync()
    {
        var port = FreePort();
        var databasePath = Path.Combine(_folder.Folder, "browser.db");
        string? connectionString = null;
        if (Store == StoreKind.PostgreSql)
        {
            if (TestPostgres.Server is null && !TestPostgres.InCi)
            {
                _noServer = true;
                return;
            }
            (_postgresDatabase, connectionString) = TestPostgres.CreateEmptyDatabase();
        }
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            if (connectionString is null)
            {
                builder.UseSetting("ClickInsights:Storage:DatabasePath", databasePath);
            }
            else
            {
                builder.UsePostgreSql(connectionString, _folder.Folder);
            }
            builder.UseEnvironment("Development");
            builder.UseUrls($"http://127.0.0.1:{port}");
            Configure(builder);
        });
        _factory.UseKestrel();
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        BaseUrl = addresses?.FirstOrDefault()?.TrimEnd('/') ?? $"http://127.0.0.1:{port}";

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = FindChromium(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>More settings of the dashboard for a kind of fixture (a password, …).</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    /// <summary>Opens a page and waits until Blazor has made it interactive, so clicks are not lost to prerendering.</summary>
    public async Task<IPage> OpenAsync(string path, int width = 1280, int height = 900)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync(BaseUrl + path);
        await WaitUntilInteractiveAsync(page);
        return page;
    }

    public static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("[data-testid=app-ready][data-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });

    public static string FindChromium()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            foreach (var name in new[] { "chromium", "chromium-browser" })
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new InvalidOperationException("Chromium was not found on PATH. Install Debian's 'chromium' package (apt-get install -y chromium) or set CHROMIUM_PATH.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_postgresDatabase is not null)
        {
            TestPostgres.Drop(_postgresDatabase);
        }
        _folder.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>The dashboard with a password: browsers sign in first.</summary>
public class SignInBrowserFixture : BrowserFixture
{
    public const string Email = "admin@example.com";
    public const string Password = "rye-sourdough-42";

    /// <summary>The dashboard with its first admin: accounts are on.</summary>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (IsRunning)
        {
            await Services.GetRequiredService<ClickInsights.Core.Accounts.PeopleService>().AddAsync(Email, Password, ClickInsights.Core.Accounts.Role.Admin, null);
        }
    }
}

/// <summary>The dashboard with a password, on an empty PostgreSQL database it migrates and seeds at start.</summary>
public sealed class PostgresSignInBrowserFixture : SignInBrowserFixture
{
    protected override StoreKind Store => StoreKind.PostgreSql;
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresSignInBrowserCollection : ICollectionFixture<PostgresSignInBrowserFixture>
{
    public const string Name = "browser with a password, on PostgreSQL";
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SignInBrowserCollection : ICollectionFixture<SignInBrowserFixture>
{
    public const string Name = "browser with a password";
}
