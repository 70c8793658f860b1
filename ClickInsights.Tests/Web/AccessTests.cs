using System.Net;
using System.Text.RegularExpressions;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Data;
using ClickInsights.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Tests.Web;

/// <summary>
/// Accounts: open on a fresh start, sign-in once the first admin exists, and each person sees exactly the workspaces
/// they may see — checked over every route the app maps, so that a new page cannot be forgotten.
/// </summary>
[Trait("Store", "SQLite only: accounts and access checks above the storage seam (EF Core LINQ that both stores translate; the team browser test runs on both)")]
public sealed class AccessTests : IDisposable
{
    private const string AdminEmail = "admin@example.com";
    private const string Password = "rye-sourdough-42";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clickinsights-tests", Guid.NewGuid().ToString("N"));

    private WebApplicationFactory<Program> Dashboard(bool demo = false) => new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
    {
        b.UseSetting("ClickInsights:Storage:DatabasePath", Path.Combine(_folder, "dashboard.db"));
        b.UseSetting("ClickInsights:SeedDemo", demo ? "true" : "false");
        b.UseSetting("ClickInsights:Sync:Enabled", "false");
        b.UseSetting("ClickInsights:Access:WrongPasswordDelay", "00:00:00.010");
    });

    private static HttpClient Browser(WebApplicationFactory<Program> factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static Task AddAsync(WebApplicationFactory<Program> factory, string email, Role role, int? workspace = null) =>
        factory.Services.GetRequiredService<PeopleService>().AddAsync(email, Password, role, workspace);

    /// <summary>Sends the sign-in form as a browser would, with the page's own antiforgery token.</summary>
    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password, string returnUrl = "/") =>
        SendFormAsync(client, $"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}", "/signin", new() { ["email"] = email, ["password"] = password }, "returnUrl");

    /// <summary>Opens a page and sends its form as a browser would: the page's antiforgery token and hidden fields, and these.</summary>
    private static async Task<HttpResponseMessage> SendFormAsync(HttpClient client, string page, string action, Dictionary<string, string> fields, params string[] hidden)
    {
        var html = await client.GetStringAsync(page);
        string Hidden(string name) => WebUtility.HtmlDecode(Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"").Groups[1].Value);
        foreach (var name in hidden.Append("__RequestVerificationToken"))
        {
            fields[name] = Hidden(name);
        }
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    [Fact]
    public async Task WithoutAnAdmin_TheDashboardIsOpen_AndHasNoSignIn()
    {
        await using var factory = Dashboard();
        using var client = Browser(factory);

        using var workspaces = await client.GetAsync("/workspaces");
        using var signIn = await client.GetAsync("/signin");

        Assert.Equal(HttpStatusCode.OK, workspaces.StatusCode);
        Assert.DoesNotContain("data-testid=\"sign-out\"", await workspaces.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Fact]
    public async Task TheFirstAdmin_TurnsAccountsOn_SignInOpens_AndSignOutCloses()
    {
        await using var factory = Dashboard();
        await AddAsync(factory, AdminEmail, Role.Admin);
        using var client = Browser(factory);

        using var before = await client.GetAsync("/workspaces");
        Assert.Equal(HttpStatusCode.Redirect, before.StatusCode);
        Assert.StartsWith("http://localhost/signin?ReturnUrl=%2Fworkspaces", before.Headers.Location!.ToString(), StringComparison.Ordinal);

        // An unknown address and a wrong password get the same answer.
        using var wrong = await SignInAsync(client, AdminEmail, "rye", "/workspaces");
        using var unknown = await SignInAsync(client, "nobody@example.com", Password, "/workspaces");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(Access.Refused), await wrong.Content.ReadAsStringAsync());
        Assert.Contains(WebUtility.HtmlEncode(Access.Refused), await unknown.Content.ReadAsStringAsync());

        using var right = await SignInAsync(client, AdminEmail, Password, "/workspaces");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/workspaces", right.Headers.Location!.ToString());
        var cookie = right.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("clickinsights-signin=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        using var after = await client.GetAsync("/workspaces");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var dashboard = await after.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"sign-out\"", dashboard);
        Assert.Contains("frame-ancestors 'none'", after.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", after.Headers.GetValues("X-Content-Type-Options").Single());

        // Another site's form cannot sign the browser out; the dashboard's own button (with its token) can, and a
        // copy of the cookie stops working too.
        var copy = cookie.Split(';')[0];
        // A second instance on the same database reads the sign-in (the key ring is in the database).
        await using var second = Dashboard();
        using var secondClient = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        async Task<HttpStatusCode> OnSecondAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/workspaces") { Headers = { { "Cookie", copy } } };
            using var response = await secondClient.SendAsync(request);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await OnSecondAsync());
        using var forged = await client.PostAsync("/signout", null);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var token = Regex.Match(dashboard, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var signOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        using var again = await client.GetAsync("/workspaces");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        using var other = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/workspaces") { Headers = { { "Cookie", copy } } };
        Assert.Equal(HttpStatusCode.Redirect, (await other.SendAsync(request)).StatusCode);
        // Signed out on one instance, the sign-in opens nothing on the other either.
        Assert.Equal(HttpStatusCode.Redirect, await OnSecondAsync());
    }

    [Fact]
    public async Task RepeatedWrongPasswords_LockTheAccount_AndAnAdminsResetOpensIt()
    {
        await using var factory = Dashboard();
        await AddAsync(factory, AdminEmail, Role.Admin);
        using var client = Browser(factory);
        for (var i = 0; i < AccountsServiceCollectionExtensions.MaxFailedSignIns; i++)
        {
            using var wrong = await SignInAsync(client, AdminEmail, "not the password");
        }

        using var locked = await SignInAsync(client, AdminEmail, Password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);

        await factory.Services.GetRequiredService<PeopleService>().ResetPasswordAsync(AdminEmail, "a new long passphrase");
        using var reset = await SignInAsync(client, AdminEmail, "a new long passphrase");
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
    }

    [Fact]
    public async Task ASignInOfAPersonWhosePasswordWasReset_NoLongerOpensTheDashboard()
    {
        await using var factory = Dashboard();
        await AddAsync(factory, AdminEmail, Role.Admin);
        using var client = Browser(factory);
        using var signedIn = await SignInAsync(client, AdminEmail, Password, "/workspaces");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/workspaces")).StatusCode);

        await factory.Services.GetRequiredService<PeopleService>().ResetPasswordAsync(AdminEmail, "another long passphrase");

        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/workspaces")).StatusCode);
    }

    [Fact]
    public async Task TheLiveConnectionOfThePages_AndExports_NeedSigningInToo()
    {
        await using var factory = Dashboard();
        await AddAsync(factory, AdminEmail, Role.Admin);
        using var client = Browser(factory);

        using var negotiate = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        using var export = await client.GetAsync("/campaigns/1/clicks.csv");

        Assert.Equal(HttpStatusCode.Redirect, negotiate.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, export.StatusCode);
    }

    /// <summary>
    /// Every route and endpoint the app maps (read from its own endpoint data source), asked by a viewer of workspace A
    /// with the ids of workspace B's campaign, click, recipient, domain and connection: none answers with B's data.
    /// </summary>
    [Fact]
    public async Task AViewerOfOneWorkspace_GetsNotFound_ForEveryAddressOfAnother()
    {
        await using var factory = Dashboard(demo: true);
        using var client = Browser(factory);
        await client.GetAsync("/workspaces");
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>();
        int a, b, campaign, recipient, connection;
        long click;
        string domain, bName, campaignName;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var demo = await db.Workspaces.SingleAsync(w => w.IsDemo);
            b = demo.Id;
            bName = demo.Name;
            var other = new Workspace { Name = "Corner Shop", CreatedAt = DateTime.UtcNow };
            db.Workspaces.Add(other);
            await db.SaveChangesAsync();
            a = other.Id;
            var c = await db.Campaigns.FirstAsync(x => x.WorkspaceId == b);
            (campaign, campaignName) = (c.Id, c.Name);
            click = await db.Events.Where(e => e.WorkspaceId == b && e.Type == EventType.Click).Select(e => e.Id).FirstAsync();
            var r = await db.Recipients.FirstAsync(x => x.WorkspaceId == b);
            (recipient, domain) = (r.Id, r.Domain);
            var connectionRow = new ProviderConnection { WorkspaceId = b, Provider = "sendgrid", Name = "B's SendGrid" };
            db.Connections.Add(connectionRow);
            await db.SaveChangesAsync();
            connection = connectionRow.Id;
        }
        var shareOfB = (await factory.Services.GetRequiredService<ShareLinkService>().CreateAsync(b, campaign, AdminEmail, TimeSpan.FromDays(1))).Link.Id;
        await AddAsync(factory, AdminEmail, Role.Admin);
        await AddAsync(factory, "viewer@corner.example", Role.Viewer, a);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, "viewer@corner.example", Password)).StatusCode);

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Ws"] = b.ToString(), ["workspace"] = b.ToString(), ["Id"] = campaign.ToString(), ["EventId"] = click.ToString(),
            ["Domain"] = domain, ["connectionId"] = connection.ToString(), ["provider"] = "sendgrid",
            // A guess at a share link (B's link's number): links open by their secret only.
            ["Token"] = shareOfB.ToString(),
        };
        var routes = factory.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Pattern: e.RoutePattern.RawText ?? "", Methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]))
            .Where(r => !r.Pattern.StartsWith("/_", StringComparison.Ordinal) && !r.Pattern.Contains("{**", StringComparison.Ordinal) && !r.Pattern.Contains("{*", StringComparison.Ordinal))
            .Distinct().ToList();
        Assert.Contains(routes, r => r.Pattern == "/campaigns/{Id:int}");
        Assert.Contains(routes, r => r.Pattern == "/w/{Ws:int}/domains/{Domain}");
        var asked = 0;
        foreach (var (pattern, methods) in routes)
        {
            var path = Regex.Replace(pattern, @"\{(\w+)(:[^}]*)?\}", m => m.Groups[1].Value switch
            {
                // The recipient page takes a recipient's number; every other {Id} is a campaign's.
                "Id" when pattern.StartsWith("/recipients", StringComparison.Ordinal) => recipient.ToString(),
                var name => values.TryGetValue(name, out var v) ? Uri.EscapeDataString(v) : "1",
            });
            foreach (var method in methods.Where(m => m is "GET" or "POST"))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("[]") : null };
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                asked++;
                Assert.DoesNotContain(bName, body);
                Assert.DoesNotContain(campaignName, body);
                if (pattern.Contains('{') && !pattern.StartsWith("/webhooks", StringComparison.Ordinal) && pattern != "/signin")
                {
                    // An address of B's: not found (or, for an old address, a redirect to the viewer's own workspace).
                    // (A page's form post without the antiforgery token is refused before anything is read: 400.)
                    // (The REST API answers only its tokens: a signed-in browser without one is not signed in there.)
                    Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Redirect
                        || method == "POST" && response.StatusCode == HttpStatusCode.BadRequest
                        || pattern.StartsWith("/api/v1/", StringComparison.Ordinal) && response.StatusCode == HttpStatusCode.Unauthorized,
                        $"{method} {path} answered {(int)response.StatusCode}");
                    if (response.StatusCode == HttpStatusCode.Redirect)
                    {
                        Assert.DoesNotContain($"/w/{b}", response.Headers.Location!.ToString());
                    }
                }
            }
        }
        Assert.True(asked > 20, $"only {asked} addresses asked");

        // Their own workspace opens, under its own name; a viewer may not download lists of people.
        using var own = await client.GetAsync($"/w/{a}/campaigns");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains("Corner Shop", await own.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Roles_AViewerReadsTheReport_ButNotTheListsOfPeople_AndSupportReadsAssignedWorkspacesOnly()
    {
        await using var factory = Dashboard(demo: true);
        using var warm = Browser(factory);
        await warm.GetAsync("/workspaces");
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        var demo = await db.Workspaces.SingleAsync(w => w.IsDemo);
        var campaign = await db.Campaigns.Where(c => c.WorkspaceId == demo.Id).Select(c => c.Id).FirstAsync();
        var other = new Workspace { Name = "Corner Shop", CreatedAt = DateTime.UtcNow };
        db.Workspaces.Add(other);
        await db.SaveChangesAsync();
        await AddAsync(factory, AdminEmail, Role.Admin);
        await AddAsync(factory, "viewer@bakery.example", Role.Viewer, demo.Id);
        await AddAsync(factory, "support@provider.example", Role.Support, other.Id);

        using var viewer = Browser(factory);
        await SignInAsync(viewer, "viewer@bakery.example", Password);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/campaigns/{campaign}/report.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/campaigns/{campaign}/clicks.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/campaigns/{campaign}/clickers.csv?who=people")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/campaigns/{campaign}")).StatusCode);

        using var support = Browser(factory);
        await SignInAsync(support, "support@provider.example", Password);
        Assert.Equal(HttpStatusCode.NotFound, (await support.GetAsync($"/campaigns/{campaign}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await support.GetAsync($"/w/{other.Id}")).StatusCode);
        var workspaces = await (await support.GetAsync("/workspaces")).Content.ReadAsStringAsync();
        Assert.Contains("Corner Shop", workspaces);
        Assert.DoesNotContain(demo.Name, workspaces);

        // The audit log has the viewer's export.
        var log = await factory.Services.GetRequiredService<AuditLog>().ListAsync(demo.Id, new AuditFilter(AuditActions.Export));
        Assert.Contains(log, e => e.Actor == "viewer@bakery.example");
        // Which viewers and support do not read; an owner does, on the page and as CSV.
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/w/{demo.Id}/audit.csv")).StatusCode);
        Assert.Contains("data-testid=\"audit-not-allowed\"", await viewer.GetStringAsync($"/w/{demo.Id}/audit"));
        Assert.Equal(HttpStatusCode.Forbidden, (await support.GetAsync($"/w/{other.Id}/audit.csv")).StatusCode);
        await AddAsync(factory, "owner@bakery.example", Role.Owner, demo.Id);
        using var owner = Browser(factory);
        await SignInAsync(owner, "owner@bakery.example", Password);
        using var csv = await owner.GetAsync($"/w/{demo.Id}/audit.csv?action={Uri.EscapeDataString(AuditActions.Export)}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("at_utc,who,action,what", lines[0]);
        Assert.Contains(lines, l => l.Contains(",viewer@bakery.example,export,", StringComparison.Ordinal));
        Assert.All(lines.Skip(1), l => Assert.Contains(",export,", l));
        var page = await owner.GetStringAsync($"/w/{demo.Id}/audit");
        Assert.Contains("viewer@bakery.example", page);
        Assert.Contains("data-testid=\"audit-row\"", page);
    }

    [Fact]
    public async Task AShareLink_OpensWhatItCovers_WithoutAnAccount_AndNothingElse()
    {
        await using var factory = Dashboard(demo: true);
        using var anonymous = Browser(factory);
        await anonymous.GetAsync("/workspaces");
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>();
        var shares = factory.Services.GetRequiredService<ShareLinkService>();
        int a, b, campaign, bCampaign, recipient;
        long click;
        string aName, campaignName, domain;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var demo = await db.Workspaces.SingleAsync(w => w.IsDemo);
            (a, aName) = (demo.Id, demo.Name);
            var c = await db.Campaigns.Where(x => x.WorkspaceId == a).OrderBy(x => x.Id).FirstAsync();
            (campaign, campaignName) = (c.Id, c.Name);
            var other = new Workspace { Name = "Corner Shop", CreatedAt = DateTime.UtcNow };
            db.Workspaces.Add(other);
            await db.SaveChangesAsync();
            b = other.Id;
        }
        await factory.Services.GetRequiredService<ClickInsights.Core.Import.EventImporter>()
            .ImportAsync(b, ClickInsights.Tests.Support.Samples.Utf8(ClickInsights.Tests.Support.Samples.SendGridOddCases), "corner.json");
        string[] bCampaigns;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            bCampaigns = await db.Campaigns.Where(x => x.WorkspaceId == b).Select(x => x.Name).ToArrayAsync();
            bCampaign = await db.Campaigns.Where(x => x.WorkspaceId == b).Select(x => x.Id).FirstAsync();
            click = await db.Events.Where(e => e.WorkspaceId == b && e.Type == EventType.Click).Select(e => e.Id).FirstAsync();
            var r = await db.Recipients.FirstAsync(x => x.WorkspaceId == b);
            (recipient, domain) = (r.Id, r.Domain);
        }
        Assert.NotEmpty(bCampaigns);
        await AddAsync(factory, AdminEmail, Role.Admin);
        var (reportLink, reportToken) = await shares.CreateAsync(a, campaign, "support@provider.example", ShareLinkService.DefaultValidFor);
        var (_, workspaceToken) = await shares.CreateAsync(a, null, "support@provider.example", TimeSpan.FromDays(3));
        var (expired, expiredToken) = await shares.CreateAsync(a, null, "support@provider.example", TimeSpan.FromDays(1));
        var (revoked, revokedToken) = await shares.CreateAsync(a, campaign, "support@provider.example", TimeSpan.FromDays(1));
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.ShareLinks.Where(l => l.Id == expired.Id).ExecuteUpdateAsync(l => l.SetProperty(x => x.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }
        Assert.True(await shares.RevokeAsync(a, revoked.Id));
        Assert.False(await shares.RevokeAsync(b, reportLink.Id));

        // The campaign's report, with no account, no navigation into the dashboard and nothing of another workspace.
        using var report = await anonymous.GetAsync(Urls.Share(reportToken));
        var reportBody = await report.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Contains(campaignName, reportBody);
        Assert.Contains("shared by support@provider.example", reportBody);
        Assert.DoesNotContain("href=\"/w/", reportBody);
        Assert.DoesNotContain("Corner Shop", reportBody);
        Assert.DoesNotContain("the campaign page", reportBody);
        using var figures = await anonymous.GetAsync(Urls.Share(workspaceToken));
        var figuresBody = await figures.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, figures.StatusCode);
        Assert.Contains(aName, figuresBody);
        Assert.Contains(campaignName, figuresBody);
        Assert.All(bCampaigns, name => Assert.DoesNotContain(name, figuresBody));

        // Expired and revoked links say so; an unknown one is not found.
        using var gone = await anonymous.GetAsync(Urls.Share(expiredToken));
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("This link expired", await gone.Content.ReadAsStringAsync());
        using var withdrawn = await anonymous.GetAsync(Urls.Share(revokedToken));
        Assert.Equal(HttpStatusCode.Gone, withdrawn.StatusCode);
        Assert.Contains("withdrawn", await withdrawn.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(Urls.Share(reportToken[..^2] + "xx"))).StatusCode);
        Assert.DoesNotContain(campaignName, await (await anonymous.GetAsync(Urls.Share(revokedToken))).Content.ReadAsStringAsync());

        // The link opens nothing else: every address the app maps, with B's ids and the link alongside, needs a sign-in.
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Ws"] = b.ToString(), ["workspace"] = b.ToString(), ["Id"] = bCampaign.ToString(), ["EventId"] = click.ToString(),
            ["Domain"] = domain, ["provider"] = "sendgrid", ["Token"] = reportToken,
        };
        var routes = factory.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText ?? "")
            // Styles and scripts (mapped without a leading slash) are open to all, as are the webhooks, which check signatures.
            .Where(r => r.StartsWith('/') && !r.StartsWith("/_", StringComparison.Ordinal) && !r.Contains("{*", StringComparison.Ordinal) && !r.StartsWith("/webhooks", StringComparison.Ordinal)
                && r is not "/signin" and not "/signout" && !r.StartsWith("/share", StringComparison.Ordinal)
                // The API's reference and document describe the API, and hold nothing of any workspace; the load
                // balancer's checks say only whether the process and its database answer.
                && r is not "/api" && !r.StartsWith("/openapi/", StringComparison.Ordinal) && r is not "/healthz" and not "/readyz")
            .Distinct().ToList();
        Assert.Contains("/w/{Ws:int}/campaigns", routes);
        foreach (var pattern in routes)
        {
            var path = Regex.Replace(pattern, @"\{(\w+)(:[^}]*)?\}", m => m.Groups[1].Value switch
            {
                "Id" when pattern.StartsWith("/recipients", StringComparison.Ordinal) => recipient.ToString(),
                var name => values.TryGetValue(name, out var v) ? Uri.EscapeDataString(v) : "1",
            });
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?share={Uri.EscapeDataString(reportToken)}&token={Uri.EscapeDataString(reportToken)}");
            request.Headers.Referrer = new Uri(anonymous.BaseAddress!, Urls.Share(reportToken));
            using var response = await anonymous.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Unauthorized or HttpStatusCode.NotFound,
                $"GET {path} with a share link answered {(int)response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.Redirect)
            {
                Assert.StartsWith("/signin", response.Headers.Location!.OriginalString.Replace(anonymous.BaseAddress!.ToString(), "/"));
            }
            Assert.DoesNotContain("Corner Shop", body);
            Assert.All(bCampaigns, name => Assert.DoesNotContain(name, body));
        }

        // Opening is recorded on the link and in the workspace's audit log.
        Assert.Equal(1, (await shares.ListAsync(a)).Single(l => l.Link.Id == reportLink.Id).Link.TimesOpened);
        var log = await factory.Services.GetRequiredService<AuditLog>().ListAsync(a, new AuditFilter(AuditActions.ShareOpened));
        Assert.Equal(2, log.Count);
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
        Assert.Equal(followed, Access.LocalOrHome(returnUrl));

    [Theory]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://127.0.0.1:5099", true)]
    [InlineData("http://[::1]:80", true)]
    [InlineData("http://0.0.0.0:80", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://example.com", false)]
    public void OnlyLoopbackAddresses_AreOpenWithoutAnAdmin(string address, bool loopback) =>
        Assert.Equal(loopback, Startup.IsLoopback(address));

    [Fact]
    public async Task SignInNeverLeadsToAnotherSite_AndWebhooksAndStylesNeedNoSignIn()
    {
        await using var factory = Dashboard();
        await AddAsync(factory, AdminEmail, Role.Admin);
        using var client = Browser(factory);

        using var right = await SignInAsync(client, AdminEmail, Password, "//evil.example/steal");
        Assert.Equal("/", right.Headers.Location!.ToString());

        using var anonymous = Browser(factory);
        using var webhook = await anonymous.PostAsync("/webhooks/sendgrid/999", new StringContent("[]"));
        using var styles = await anonymous.GetAsync("/app.css");
        Assert.Equal(HttpStatusCode.NotFound, webhook.StatusCode);
        Assert.Equal(HttpStatusCode.OK, styles.StatusCode);
    }

    [Fact]
    public async Task NoAnswer_CarriesAStackTraceOrTheRequest_EvenInDevelopment()
    {
        await using var factory = Dashboard();
        await AddAsync(factory, AdminEmail, Role.Admin);
        using var client = Browser(factory);

        using var bare = await client.PostAsync("/signin", new StringContent("email=x&password=y", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        var body = await bare.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.DoesNotContain("   at ", body);
        Assert.DoesNotContain("Exception", body);
        Assert.DoesNotContain("Content-Type", body);
    }

    [Fact]
    public async Task AReturnAddressWithLettersBeyondAscii_IsFollowed_Encoded()
    {
        await using var factory = Dashboard();
        await AddAsync(factory, AdminEmail, Role.Admin);
        using var client = Browser(factory);

        using var signedIn = await SignInAsync(client, AdminEmail, Password, "/w/1/domains/müller.example");

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/w/1/domains/m%C3%BCller.example", signedIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task TheLiveConnection_RefusesAnotherSitesPage()
    {
        await using var factory = Dashboard();
        using var client = Browser(factory);

        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1") { Headers = { { "Origin", "http://evil.example" } } };
        using var own = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1") { Headers = { { "Origin", "http://localhost" } } };

        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(foreign)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(own)).StatusCode);
    }

    [Fact]
    public async Task TheDatabase_WithItsKeys_IsReadableByItsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes; Windows keeps the user's folder private by its ACLs.
        }
        await using var factory = Dashboard();
        using var client = Browser(factory);
        await client.GetAsync("/workspaces");

        var database = Path.Combine(_folder, "dashboard.db");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database));
        foreach (var companion in new[] { database + "-wal", database + "-shm" }.Where(File.Exists))
        {
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(companion) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead));
        }
        // The key ring is inside the database, which only its owner reads.
        Assert.False(Directory.Exists(ClickInsightsWebExtensions.KeysFolderOf(database)));
    }

    /// <summary>Every request seems to come from this address (the test server has none of its own).</summary>
    private sealed class ComingFrom(IPAddress address) : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                context.Connection.RemoteIpAddress = address;
                await following(context);
            });
            next(app);
        };
    }

    private static Task<HttpResponseMessage> FirstRunAsync(HttpClient client, string email, string password, string confirm) =>
        SendFormAsync(client, "/first-run", "/first-run", new() { ["email"] = email, ["password"] = password, ["confirm"] = confirm });

    [Fact]
    public async Task TheFirstRunPage_OnThisComputer_MakesTheFirstAdminAndSignsThemIn_ThenIsGone()
    {
        await using var factory = Dashboard().WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new ComingFrom(IPAddress.Loopback))));
        using var client = Browser(factory);

        using var offered = await client.GetAsync("/first-run");
        Assert.Equal(HttpStatusCode.OK, offered.StatusCode);
        Assert.Contains("Create the first admin", await offered.Content.ReadAsStringAsync());

        using var differ = await FirstRunAsync(client, AdminEmail, Password, Password + "x");
        Assert.Equal(HttpStatusCode.BadRequest, differ.StatusCode);
        Assert.Contains("The two passwords differ", await differ.Content.ReadAsStringAsync());
        using var tooShort = await FirstRunAsync(client, AdminEmail, "short", "short");
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        Assert.False(await factory.Services.GetRequiredService<PeopleService>().AccountsOnAsync());

        using var made = await FirstRunAsync(client, AdminEmail, Password, Password);
        Assert.Equal(HttpStatusCode.Redirect, made.StatusCode);
        Assert.Equal(Urls.People, made.Headers.Location!.ToString());
        using var people = await client.GetAsync(Urls.People);
        Assert.Equal(HttpStatusCode.OK, people.StatusCode);
        Assert.Contains(AdminEmail, await people.Content.ReadAsStringAsync());

        // Accounts are on: the page is gone, for this browser and for a fresh one, and nobody else becomes admin through it.
        using var fresh = Browser(factory);
        using var again = await fresh.GetAsync("/first-run");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.StartsWith(Access.SignIn, again.Headers.Location!.ToString(), StringComparison.Ordinal);
        using var dashboard = await fresh.GetAsync("/workspaces");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.Single(await factory.Services.GetRequiredService<PeopleService>().ListAsync());
    }

    [Fact]
    public async Task TheFirstRunPage_IsNotOfferedToAnotherComputer()
    {
        await using var factory = Dashboard().WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new ComingFrom(IPAddress.Parse("203.0.113.9")))));
        using var client = Browser(factory);

        using var page = await client.GetAsync("/first-run");
        using var post = await client.PostAsync("/first-run", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = AdminEmail, ["password"] = Password, ["confirm"] = Password }));

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.True(post.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"answered {post.StatusCode}");
        Assert.False(await factory.Services.GetRequiredService<PeopleService>().AccountsOnAsync());
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
