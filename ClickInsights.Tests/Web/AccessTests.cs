using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ClickInsights.Tests.Web;

/// <summary>The dashboard behind a password: a browser signs in once; webhooks and styles never need to.</summary>
public sealed class AccessTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clickinsights-tests", Guid.NewGuid().ToString("N"));

    private WebApplicationFactory<Program> Dashboard(string? password) => new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
    {
        b.UseSetting("ClickInsights:Storage:DatabasePath", Path.Combine(_folder, "dashboard.db"));
        b.UseSetting("ClickInsights:SeedDemo", "false");
        b.UseSetting("ClickInsights:Sync:Enabled", "false");
        b.UseSetting("ClickInsights:Access:WrongPasswordDelay", "00:00:00.050");
        if (password is not null)
        {
            b.UseSetting("ClickInsights:Access:Password", password);
        }
    });

    private static HttpClient Browser(WebApplicationFactory<Program> factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Sends the sign-in form as a browser would, with the page's own antiforgery token.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string password, string returnUrl)
    {
        var page = await client.GetStringAsync($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        return await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["password"] = password,
            ["returnUrl"] = WebUtility.HtmlDecode(Regex.Match(page, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value),
        }));
    }

    [Fact]
    public async Task WithoutAPassword_TheDashboardIsOpen_AndHasNoSignIn()
    {
        await using var factory = Dashboard(null);
        using var client = Browser(factory);

        using var overview = await client.GetAsync("/");
        using var signIn = await client.GetAsync("/signin");

        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.DoesNotContain("data-testid=\"sign-out\"", await overview.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Fact]
    public async Task WithAPassword_APageAsksToSignIn_ThenOpens_AndSignOutCloses()
    {
        await using var factory = Dashboard("rye-sourdough-42");
        using var client = Browser(factory);

        using var before = await client.GetAsync("/domains");
        Assert.Equal(HttpStatusCode.Redirect, before.StatusCode);
        Assert.StartsWith("http://localhost/signin?ReturnUrl=%2Fdomains", before.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var wrong = await SignInAsync(client, "rye", "/domains");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("That is not the password", await wrong.Content.ReadAsStringAsync());

        using var right = await SignInAsync(client, "rye-sourdough-42", "/domains");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/domains", right.Headers.Location!.ToString());
        using var after = await client.GetAsync("/domains");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains("data-testid=\"sign-out\"", await after.Content.ReadAsStringAsync());

        using var signOut = await client.PostAsync("/signout", null);
        using var again = await client.GetAsync("/domains");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
    }

    [Fact]
    public async Task WithAPassword_SignInNeverLeadsToAnotherSite()
    {
        await using var factory = Dashboard("rye-sourdough-42");
        using var client = Browser(factory);

        using var right = await SignInAsync(client, "rye-sourdough-42", "//evil.example/steal");

        Assert.Equal("/", right.Headers.Location!.ToString());
    }

    [Fact]
    public async Task WithAPassword_WebhooksAndStylesNeedNoSignIn()
    {
        await using var factory = Dashboard("rye-sourdough-42");
        using var client = Browser(factory);

        // An unknown connection: the webhook endpoint itself answers (not a redirect to the sign-in page).
        using var webhook = await client.PostAsync("/webhooks/sendgrid/999", new StringContent("[]"));
        using var styles = await client.GetAsync("/app.css");

        Assert.NotEqual(HttpStatusCode.Redirect, webhook.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, webhook.StatusCode);
        Assert.Equal(HttpStatusCode.OK, styles.StatusCode);
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
            // Not there (nothing was stored) or still held: a temporary folder either way.
        }
    }
}
