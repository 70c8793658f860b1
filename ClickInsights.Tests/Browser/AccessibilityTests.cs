using ClickInsights.Core.Data;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ClickInsights.Tests.Browser;

/// <summary>
/// WCAG 2.1 A and AA on every page, in light and dark mode, with the demo's data and with an empty workspace, checked by
/// axe-core: no violation of impact serious or critical. Moderate ones are allowed only when listed below with why.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture fixture, ITestOutputHelper output)
{
    /// <summary>Moderate rules allowed, each with its reason; every other violation fails.</summary>
    private static readonly Dictionary<string, string> AllowedModerate = new(StringComparer.Ordinal);

    private Task<List<string>> PagesAsync() => PagesAsync(fixture);

    /// <summary>
    /// Removes the empty workspace the pages' list made: the browser tests share one database, and a page without a
    /// workspace in its address opens the first by name, which must stay the demo for the other tests.
    /// </summary>
    internal static async Task RemoveEmptyWorkspaceAsync(BrowserFixture fixture)
    {
        await using var db = await fixture.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync();
        foreach (var id in await db.Workspaces.Where(w => w.Name == EmptyWorkspace).Select(w => w.Id).ToListAsync())
        {
            await fixture.Services.GetRequiredService<ClickInsights.Core.Workspaces.WorkspaceService>().DeleteAsync(id);
        }
    }

    internal const string EmptyWorkspace = "Empty for accessibility";

    /// <summary>Every page of the dashboard, with the demo's data and with an empty workspace.</summary>
    internal static async Task<List<string>> PagesAsync(BrowserFixture fixture)
    {
        await using var db = await fixture.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync();
        var demo = await db.Workspaces.Where(w => w.IsDemo).Select(w => w.Id).FirstAsync();
        var campaign = await db.Campaigns.Where(c => c.WorkspaceId == demo).OrderByDescending(c => c.SentAt).Select(c => c.Id).FirstAsync();
        var bot = await db.ClickVerdicts.Where(v => v.CampaignId == campaign && v.Verdict == Verdict.Bot).Select(v => v.EventId).FirstAsync();
        var recipient = await db.Events.Where(e => e.Id == bot).Select(e => e.RecipientId).FirstAsync();
        var domain = await db.Recipients.Where(r => r.Id == recipient).Select(r => r.Domain).FirstAsync();
        var empty = await db.Workspaces.Where(w => w.Name == EmptyWorkspace).Select(w => (int?)w.Id).FirstOrDefaultAsync()
            ?? (await fixture.Services.GetRequiredService<ClickInsights.Core.Workspaces.WorkspaceService>().CreateAsync(EmptyWorkspace)).Id;
        var shares = fixture.Services.GetRequiredService<ClickInsights.Core.Accounts.ShareLinkService>();
        var (_, share) = await shares.CreateAsync(demo, campaign, "accessibility test", TimeSpan.FromDays(1));
        var (_, workspaceShare) = await shares.CreateAsync(demo, null, "accessibility test", TimeSpan.FromDays(1));
        return
        [
            $"/w/{demo}", $"/w/{demo}/campaigns", $"/campaigns/{campaign}", $"/campaigns/{campaign}/report", $"/clicks/{bot}", $"/recipients/{recipient}",
            $"/w/{demo}/domains", $"/w/{demo}/domains/{domain}", $"/w/{demo}/authentication", $"/w/{demo}/import", $"/w/{demo}/connections",
            $"/w/{demo}/settings", $"/w/{demo}/audit", "/workspaces", "/people",
            $"/w/{demo}/search?q=harbor", $"/w/{demo}/search?q=nothing-matches-this", $"/w/{demo}/report", $"/w/{demo}/report?from=2026-10-01",
            $"/w/{empty}", $"/w/{empty}/campaigns", $"/w/{empty}/domains", $"/w/{empty}/import", $"/w/{empty}/settings", $"/w/{empty}/report",
            $"/share/{Uri.EscapeDataString(share)}", $"/share/{Uri.EscapeDataString(workspaceShare)}", "/api", "/no-such-page",
        ];
    }

    /// <summary>A dashboard page once it is interactive; the pages outside the dashboard's layout once they have loaded.</summary>
    private Task<IPage> OpenAsync(string path) => OpenAsync(fixture, path, 1280, 900);

    internal static async Task<IPage> OpenAsync(BrowserFixture fixture, string path, int width, int height)
    {
        if (!path.StartsWith("/share/", StringComparison.Ordinal) && path != "/api")
        {
            return await fixture.OpenAsync(path, width, height);
        }
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        await page.GotoAsync(fixture.BaseUrl + path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.WaitForTimeoutAsync(500);
        return page;
    }

    [Fact]
    public async Task EveryPage_InLightAndDarkMode_HasNoSeriousOrCriticalViolation()
    {
        var failures = new List<string>();
        var pages = await PagesAsync();
        try
        {
            await CheckAsync(pages, failures);
        }
        finally
        {
            await RemoveEmptyWorkspaceAsync(fixture);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task CheckAsync(List<string> pages, List<string> failures)
    {
        foreach (var path in pages)
        {
            // One load a page: light mode first, then the theme switched on the same page.
            var page = await OpenAsync(path);
            foreach (var dark in new[] { false, true })
            {
                if (dark)
                {
                    // The API's reference page and a customer's shared report have no theme switch: light only.
                    var toggle = page.GetByLabel("Toggle dark theme");
                    if (await toggle.CountAsync() == 0)
                    {
                        break;
                    }
                    await toggle.ClickAsync();
                    await page.WaitForTimeoutAsync(300);
                }
                var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
                var counted = result.Violations.Where(v => v.Impact is "serious" or "critical" || !AllowedModerate.ContainsKey(v.Id)).ToList();
                output.WriteLine($"{path} {(dark ? "dark" : "light")}: {result.Violations.Length} rules violated, serious or critical: {result.Violations.Count(v => v.Impact is "serious" or "critical")} " +
                                 string.Join("; ", result.Violations.Select(v => $"{v.Id} ({v.Impact}, {v.Nodes.Length} nodes)")));
                foreach (var violation in counted)
                {
                    failures.Add($"{path} {(dark ? "dark" : "light")}: {violation.Id} ({violation.Impact}) on {violation.Nodes.Length} nodes, e.g. {violation.Nodes[0].Html}");
                }
            }
            await page.CloseAsync();
        }
    }

    /// <summary>
    /// Where focus is after each Tab: what it is, whether it is drawn with an outline of at least 2 px, and whether any
    /// of it is hidden under the fixed app bar.
    /// </summary>
    private const string FocusProbe = """
        () => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const style = getComputedStyle(el);
            const rect = el.getBoundingClientRect();
            const bar = document.querySelector('.mud-appbar');
            const onTop = document.elementFromPoint(rect.left + rect.width / 2, rect.top + Math.min(rect.height / 2, 4));
            return {
                text: ((el.getAttribute('aria-label') || el.innerText || el.value || el.getAttribute('data-testid') || el.tagName) + '').trim().slice(0, 60),
                tag: el.tagName.toLowerCase(),
                sort: el.classList.contains('sort-button'),
                select: !!el.closest('.mud-select'),
                href: el.getAttribute('href') || '',
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                hidden: !!(bar && onTop && bar.contains(onTop) && !bar.contains(el)),
            };
        }
        """;

    private sealed class FocusStop
    {
        public string Text { get; set; } = "";
        public string Tag { get; set; } = "";
        public bool Sort { get; set; }
        public bool Select { get; set; }
        public string Href { get; set; } = "";
        public bool Outline { get; set; }
        public bool Hidden { get; set; }

        public override string ToString() => $"{Tag} '{Text}'{(Outline ? "" : " NO OUTLINE")}{(Hidden ? " HIDDEN" : "")}";
    }

    private static async Task<List<FocusStop>> TabThroughAsync(IPage page, int stops)
    {
        var seen = new List<FocusStop>();
        for (var i = 0; i < stops; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var stop = await page.EvaluateAsync<FocusStop?>(FocusProbe);
            if (stop is not null)
            {
                seen.Add(stop);
            }
        }
        return seen;
    }

    [Fact]
    public async Task Keyboard_ReachesSkipLinkSortingFiltersAndExports_WithFocusAlwaysVisible()
    {
        await using var db = await fixture.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync();
        var demo = await db.Workspaces.Where(w => w.IsDemo).Select(w => w.Id).FirstAsync();
        var campaign = await db.Campaigns.Where(c => c.WorkspaceId == demo).OrderByDescending(c => c.SentAt).Select(c => c.Id).FirstAsync();

        var overview = await fixture.OpenAsync($"/w/{demo}", 1280, 800);
        var stops = await TabThroughAsync(overview, 60);
        output.WriteLine(string.Join("\n", stops));
        // The page puts focus on its title after loading (for screen readers), so Tab goes on from there, round to the top of
        // the page: the first stop there is the skip link, then the app bar.
        var skip = stops.FindIndex(s => s.Text == "Skip to the content");
        Assert.True(skip >= 0, "the skip link is a tab stop");
        Assert.Equal("Toggle navigation", stops[skip + 1].Text);
        Assert.True(await overview.EvaluateAsync<bool>("""
            () => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
                .filter(e => e.tabIndex >= 0 && !e.disabled)[0]?.classList.contains('skip-link')
            """), "the skip link is the page's first tab stop");
        Assert.Contains(stops, s => s.Sort);
        AssertVisible(stops, "Overview");

        // The skip link jumps past the app bar and the menu: the next Tab lands in the page's content.
        // (Focused directly: the page moves focus to its title once loaded, and a Tab racing with that would start
        // from the title instead of the top; that the skip link is the first stop is asserted above.)
        await overview.ReloadAsync();
        await BrowserFixture.WaitUntilInteractiveAsync(overview);
        await overview.Locator("a.skip-link").FocusAsync();
        await overview.Keyboard.PressAsync("Enter");
        await overview.Keyboard.PressAsync("Tab");
        Assert.True(await overview.EvaluateAsync<bool>("() => !!document.activeElement.closest('main')"), "after the skip link, focus is in the main content");

        // A sort header sorts on Enter and says so through aria-sort.
        var name = overview.Locator("button.sort-button[data-sort='name']");
        await name.PressAsync("Enter");
        await Microsoft.Playwright.Assertions.Expect(overview.Locator("th[aria-sort]")).ToHaveAttributeAsync("aria-sort", "ascending", new() { Timeout = 15_000 });
        Assert.Equal(1, await overview.Locator("th[aria-sort]").CountAsync());
        await overview.CloseAsync();

        var page = await fixture.OpenAsync($"/campaigns/{campaign}", 1280, 800);
        stops = await TabThroughAsync(page, 45);
        Assert.Contains(stops, s => s.Href.Contains("clicks.csv", StringComparison.Ordinal) || s.Text.Contains("Export clicks", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(stops, s => s.Text.Contains("Export recipients", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(stops, s => s.Select);
        AssertVisible(stops, "campaign page");

        // The verdict filter applies on choice: arrowing through its options leaves the address (and the table) alone.
        await page.ReloadAsync();
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        var before = page.Url;
        await page.GetByTestId("filter-verdict").FocusAsync();
        // Down opens the list; further Downs move through its options without choosing.
        foreach (var _ in Enumerable.Range(0, 3))
        {
            await page.Keyboard.PressAsync("ArrowDown");
            await page.WaitForTimeoutAsync(300);
        }
        Assert.Equal("true", await page.GetByTestId("filter-verdict").GetAttributeAsync("aria-expanded"));
        Assert.Equal(before, page.Url);
        await page.Keyboard.PressAsync("Enter");
        await Microsoft.Playwright.Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("verdict="));
        await page.CloseAsync();
    }

    private void AssertVisible(List<FocusStop> stops, string where)
    {
        foreach (var stop in stops)
        {
            output.WriteLine($"{where}: {stop}");
        }
        Assert.True(stops.Count > 10, $"Tab should move through the {where}'s controls");
        Assert.All(stops, s => Assert.True(s.Outline, $"{where}: focus on {s.Tag} '{s.Text}' has no visible outline"));
        Assert.All(stops, s => Assert.False(s.Hidden, $"{where}: focus on {s.Tag} '{s.Text}' is hidden under the app bar"));
    }
}
