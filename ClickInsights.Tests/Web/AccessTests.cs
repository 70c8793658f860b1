using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

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

        // Another site's form cannot sign the browser out; the dashboard's own button (with its token) can.
        using var forged = await client.PostAsync("/signout", null);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var dashboard = await after.Content.ReadAsStringAsync();
        var token = Regex.Match(dashboard, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var signOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        using var again = await client.GetAsync("/domains");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
    }

    [Fact]
    public async Task WithAPassword_TheLiveConnectionOfThePagesNeedsSigningInToo()
    {
        await using var factory = Dashboard("rye-sourdough-42");
        using var client = Browser(factory);

        using var negotiate = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        using var export = await client.GetAsync("/campaigns/1/clicks.csv");

        Assert.Equal(HttpStatusCode.Redirect, negotiate.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, export.StatusCode);
    }

    [Fact]
    public async Task ASignInMadeWithAnEarlierPassword_NoLongerOpensTheDashboard()
    {
        string cookie;
        await using (var before = Dashboard("rye-sourdough-42"))
        {
            using var client = Browser(before);
            using var signedIn = await SignInAsync(client, "rye-sourdough-42", "/");
            cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("clickinsights-signin=", StringComparison.Ordinal)).Split(';')[0];
        }
        async Task<HttpStatusCode> OpenWithAsync(string password)
        {
            // The same database and key ring, started again with this password.
            await using var dashboard = Dashboard(password);
            using var client = dashboard.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, "/domains") { Headers = { { "Cookie", cookie } } };
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await OpenWithAsync("rye-sourdough-42"));
        Assert.Equal(HttpStatusCode.Redirect, await OpenWithAsync("new-wholemeal-7"));
    }

    [Fact]
    public async Task ACopyOfASignedOutCookie_NoLongerOpensTheDashboard()
    {
        await using var factory = Dashboard("rye-sourdough-42");
        using var client = Browser(factory);
        using var signedIn = await SignInAsync(client, "rye-sourdough-42", "/domains");
        var copy = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("clickinsights-signin=", StringComparison.Ordinal)).Split(';')[0];
        using var page = await client.GetAsync("/domains");
        var token = Regex.Match(await page.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        using var signOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) }));
        using var other = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/domains") { Headers = { { "Cookie", copy } } };
        using var withCopy = await other.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, withCopy.StatusCode);

        // Nor after the dashboard starts again on the same database.
        await using var restarted = Dashboard("rye-sourdough-42");
        using var afterRestart = restarted.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var again = new HttpRequestMessage(HttpMethod.Get, "/domains") { Headers = { { "Cookie", copy } } };
        Assert.Equal(HttpStatusCode.Redirect, (await afterRestart.SendAsync(again)).StatusCode);
    }

    [Theory]
    [InlineData("/domains?x=1", "/domains?x=1")]
    [InlineData("/", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("\\\\evil.example", "/")]
    [InlineData("/\t/evil.example", "/")]
    [InlineData("/a\\b", "/")]
    [InlineData("https://evil.example", "/")]
    [InlineData("", "/")]
    public void AfterSigningIn_OnlyThisDashboardsPagesAreFollowed(string returnUrl, string followed) =>
        Assert.Equal(followed, ClickInsights.Web.Access.LocalOrHome(returnUrl));

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

        using var unknownProvider = await client.PostAsync("/webhooks/nobody/1", new StringContent("[]"));

        Assert.NotEqual(HttpStatusCode.Redirect, webhook.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, webhook.StatusCode);
        Assert.Equal(HttpStatusCode.OK, styles.StatusCode);
        // A provider this dashboard does not know gets its own answer, not the sign-in page.
        Assert.Equal(HttpStatusCode.NotFound, unknownProvider.StatusCode);
        Assert.Contains("does not send webhooks", await unknownProvider.Content.ReadAsStringAsync());
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
