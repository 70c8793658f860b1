using System.Text;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Data;
using ClickInsights.Core.Workspaces;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClickInsights.Tests.Browser;

/// <summary>
/// A support team and its customers at once: two people importing into two workspaces in two browsers, a support
/// person watching one of them, and a customer with no account opening the share link support made.
/// </summary>
public abstract class TeamBrowserTests(BrowserFixture fixture)
{
    private const string Password = "a long team passphrase";

    private async Task<(IBrowserContext Context, IPage Page)> SignedInAsync(string email, string path)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(fixture.BaseUrl + path);
        await page.WaitForURLAsync("**/signin?*");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**" + path);
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        return (context, page);
    }

    /// <summary>Keeps every text the page's activity bar showed, however briefly.</summary>
    private static Task RecordActivityAsync(IPage page) => page.EvaluateAsync("""
        () => {
          window.__activity = [];
          const keep = () => document.querySelectorAll('[data-testid=activity]').forEach(a => window.__activity.push(a.textContent));
          keep();
          new MutationObserver(keep).observe(document.body, { childList: true, subtree: true, characterData: true });
        }
        """);

    private static async Task<string[]> ActivitySeenAsync(IPage page) => await page.EvaluateAsync<string[]>("() => window.__activity");

    private static FilePayload File(string name, string campaign, int seed) => new()
    {
        Name = name,
        MimeType = "application/json",
        Buffer = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Samples.DemoSendGridFile(new() { Contacts = 3_000, Campaigns = 1, Seed = seed }))
            .Replace("\"singlesend_name\":\"September Newsletter\"", $"\"singlesend_name\":\"{campaign}\"", StringComparison.Ordinal)),
    };

    [SkippableFact]
    public async Task TwoPeopleImportIntoTwoWorkspacesAtOnce_EachSeesOnlyTheirOwn_AndACustomerOpensSupportsShareLink()
    {
        fixture.RequireStore();
        var people = fixture.Services.GetRequiredService<PeopleService>();
        var dental = (await fixture.Services.GetRequiredService<WorkspaceService>().CreateAsync("Harbor Dental (team test)")).Id;
        int bakery;
        await using (var db = await fixture.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync())
        {
            bakery = await db.Workspaces.Where(w => w.IsDemo).Select(w => w.Id).SingleAsync();
        }
        await people.AddAsync("ann@bakery.example", Password, Role.Owner, bakery);
        await people.AddAsync("sam@dental.example", Password, Role.Owner, dental);
        await people.AddAsync("sue@support.example", Password, Role.Support, bakery);

        var (annContext, ann) = await SignedInAsync("ann@bakery.example", $"/w/{bakery}/import");
        var (samContext, sam) = await SignedInAsync("sam@dental.example", $"/w/{dental}/import");
        var (sueContext, sue) = await SignedInAsync("sue@support.example", $"/w/{bakery}/campaigns");
        await using var _ = annContext;
        await using var __ = samContext;
        await using var ___ = sueContext;
        foreach (var page in new[] { ann, sam, sue })
        {
            await RecordActivityAsync(page);
        }

        // Both choose a file at the same time; each sees only their own, ready to import.
        await Assertions.Expect(ann.Locator("[data-testid=drop-zone][data-ready]")).ToBeVisibleAsync();
        await Assertions.Expect(sam.Locator("[data-testid=drop-zone][data-ready]")).ToBeVisibleAsync();
        await Task.WhenAll(
            ann.GetByTestId("file-input").SetInputFilesAsync(File("bakery-events.json", "Bakery Bread Club (team test)", 51)),
            sam.GetByTestId("file-input").SetInputFilesAsync(File("dental-events.json", "Dental Checkup Reminder (team test)", 52)));
        await Assertions.Expect(ann.GetByTestId("import-ready")).ToContainTextAsync("Bakery Bread Club (team test)", new() { Timeout = 60_000 });
        await Assertions.Expect(sam.GetByTestId("import-ready")).ToContainTextAsync("Dental Checkup Reminder (team test)", new() { Timeout = 60_000 });
        Assert.DoesNotContain("dental-events.json", await ann.ContentAsync());
        Assert.DoesNotContain("bakery-events.json", await sam.ContentAsync());

        // Both import at once; each finishes with their own file in their own workspace.
        await Task.WhenAll(ann.GetByTestId("start-import").ClickAsync(), sam.GetByTestId("start-import").ClickAsync());
        await Assertions.Expect(ann.GetByTestId("import-summary")).ToContainTextAsync("Import finished", new() { Timeout = 90_000 });
        await Assertions.Expect(sam.GetByTestId("import-summary")).ToContainTextAsync("Import finished", new() { Timeout = 90_000 });
        await Assertions.Expect(ann.GetByTestId("import-history")).ToContainTextAsync("bakery-events.json");
        await Assertions.Expect(sam.GetByTestId("import-history")).ToContainTextAsync("dental-events.json");
        Assert.DoesNotContain("dental-events.json", await ann.ContentAsync());
        Assert.DoesNotContain("bakery-events.json", await sam.ContentAsync());

        // The long work showed to whoever looked at its workspace (support, on another page of it), and nowhere else.
        var sueSaw = await ActivitySeenAsync(sue);
        var annSaw = await ActivitySeenAsync(ann);
        var samSaw = await ActivitySeenAsync(sam);
        Assert.Contains(sueSaw, a => a.Contains("ann@bakery.example", StringComparison.Ordinal) && a.Contains("Import", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(annSaw, a => a.Contains("ann@bakery.example", StringComparison.Ordinal));
        Assert.Contains(samSaw, a => a.Contains("sam@dental.example", StringComparison.Ordinal));
        Assert.DoesNotContain(sueSaw.Concat(annSaw), a => a.Contains("sam@dental.example", StringComparison.Ordinal));
        Assert.DoesNotContain(samSaw, a => a.Contains("ann@bakery.example", StringComparison.Ordinal));

        // Support makes a share link of the bakery's new campaign.
        int campaign;
        await using (var db = await fixture.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync())
        {
            campaign = await db.Campaigns.Where(c => c.WorkspaceId == bakery && c.Name == "Bakery Bread Club (team test)").Select(c => c.Id).SingleAsync();
        }
        await sue.GotoAsync($"{fixture.BaseUrl}/campaigns/{campaign}");
        await BrowserFixture.WaitUntilInteractiveAsync(sue);
        await sue.GetByTestId("share").First.ClickAsync();
        await sue.GetByTestId("make-share").ClickAsync();
        var link = await sue.Locator("input[data-testid=share-link], [data-testid=share-link] input").First.InputValueAsync();
        Assert.Contains("/share/", link, StringComparison.Ordinal);

        // A customer with no account opens it: the report, and nothing to go elsewhere with.
        await using var customerContext = await fixture.Browser.NewContextAsync();
        var customer = await customerContext.NewPageAsync();
        customer.SetDefaultTimeout(30_000);
        var opened = await customer.GotoAsync(link);
        Assert.Equal(200, opened!.Status);
        await Assertions.Expect(customer.GetByTestId("shared-from")).ToContainTextAsync("shared by sue@support.example");
        var shared = await customer.ContentAsync();
        Assert.Contains("Bakery Bread Club (team test)", shared);
        Assert.DoesNotContain("Harbor Dental", shared);
        Assert.DoesNotContain("Dental Checkup Reminder", shared);
        Assert.Equal(0, await customer.Locator("nav, [data-testid=sign-out], [data-testid=mark-human], [data-testid=mark-bot], [data-testid=share]").CountAsync());
        var hrefs = await customer.EvaluateAsync<string[]>("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))");
        Assert.DoesNotContain(hrefs, h => h.StartsWith('/') && !h.StartsWith("/share/", StringComparison.Ordinal));

        // The rest of the dashboard stays closed to the customer.
        await customer.GotoAsync($"{fixture.BaseUrl}/campaigns/{campaign}");
        await customer.WaitForURLAsync("**/signin?*");
    }
}

/// <summary><see cref="TeamBrowserTests"/> on SQLite.</summary>
[Collection(SignInBrowserCollection.Name)]
public sealed class TeamBrowserTestsOnSqlite(SignInBrowserFixture fixture) : TeamBrowserTests(fixture);

/// <summary><see cref="TeamBrowserTests"/> on PostgreSQL: two people import into two workspaces at once on one server.</summary>
[Collection(PostgresSignInBrowserCollection.Name)]
public sealed class TeamBrowserTestsOnPostgreSql(PostgresSignInBrowserFixture fixture) : TeamBrowserTests(fixture);
