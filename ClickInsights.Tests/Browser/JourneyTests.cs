using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ClickInsights.Tests.Browser;

/// <summary>The journeys of an owner and a support person, in a real browser against the real app.</summary>
[Collection(BrowserCollection.Name)]
public sealed class JourneyTests(BrowserFixture fixture)
{
    private Task<IPage> OpenAsync(string path) => fixture.OpenAsync(path);

    private static async Task<int> KpiAsync(IPage page, string testId)
    {
        var text = await page.GetByTestId(testId).Locator(".kpi-value").InnerTextAsync();
        return int.Parse(Regex.Replace(text, "[^0-9]", ""), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task BotClickEvidence_OverriddenToPerson_ChangesTheCampaignNumbers()
    {
        var page = await OpenAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Fall Menu Launch" }).ClickAsync();
        // The overview has a "Clicks by people" figure too: read the campaign's only once its page is there.
        await page.WaitForURLAsync("**/campaigns/*");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Fall Menu Launch" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("kpi-clicks-by-people")).ToBeVisibleAsync();
        var before = await KpiAsync(page, "kpi-clicks-by-people");
        var campaignUrl = page.Url;

        await page.GotoAsync(campaignUrl.Split('?', '#')[0] + "?verdict=bot");
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("clicks-table").GetByRole(AriaRole.Link, new() { Name = "Evidence" }).First.ClickAsync();
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByText("Why this click is a bot")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("reasons")).ToContainTextAsync("+");
        await page.GetByTestId("mark-human").ClickAsync();
        await Assertions.Expect(page.GetByText("This click counts as a person: a person decided so")).ToBeVisibleAsync();

        await page.GotoAsync(campaignUrl);
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("kpi-clicks-by-people")).ToBeVisibleAsync();
        Assert.Equal(before + 1, await KpiAsync(page, "kpi-clicks-by-people"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task SupportPerson_FollowsADomain_FromTheList_ToItsClicksInACampaign()
    {
        var page = await OpenAsync("/domains");
        var first = page.GetByTestId("domain-table").Locator("tbody tr a").First;
        var domain = (await first.InnerTextAsync()).Trim();

        await first.ClickAsync();
        await page.WaitForURLAsync($"**/domains/{domain}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = domain, Exact = true, Level = 1 })).ToBeVisibleAsync();
        await BrowserFixture.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("domain-campaigns").Locator("tbody tr a").First.ClickAsync();

        await page.WaitForURLAsync(new Regex($@"/campaigns/\d+\?domain={Regex.Escape(domain)}"));
        await Assertions.Expect(page.GetByTestId("clicks-table")).ToBeVisibleAsync();
        var recipients = await page.GetByTestId("clicks-table").Locator("tbody tr td:nth-child(3)").AllInnerTextsAsync();
        Assert.NotEmpty(recipients);
        Assert.All(recipients, r => Assert.EndsWith("@" + domain, r.Trim(), StringComparison.Ordinal));
        await page.CloseAsync();
    }

    [Fact]
    public async Task ChangingAThreshold_ShowsThePreview()
    {
        var page = await OpenAsync("/settings");
        var field = page.GetByTestId("setting-BotThreshold");
        var input = await field.EvaluateAsync<bool>("e => e.tagName === 'INPUT'") ? field : field.Locator("input");

        await input.FillAsync("95");
        await input.PressAsync("Tab");

        await Assertions.Expect(page.GetByTestId("preview-sentence")).ToContainTextAsync("would go from", new() { Timeout = 30_000 });
        await page.CloseAsync();
    }

    [Fact]
    public async Task FilteredClicksTable_SurvivesAReload()
    {
        var page = await OpenAsync("/campaigns/1?verdict=human");
        await Assertions.Expect(page.GetByTestId("clicks-table")).ToBeVisibleAsync();
        var firstRows = await page.GetByTestId("clicks-table").Locator("tbody tr").AllInnerTextsAsync();
        Assert.NotEmpty(firstRows);
        Assert.All(firstRows, row => Assert.Contains("person", row));
        var recipients = page.GetByTestId("clicks-table").Locator("tbody tr td:nth-child(3)");
        var first = await recipients.AllInnerTextsAsync();

        await page.ReloadAsync();
        await BrowserFixture.WaitUntilInteractiveAsync(page);

        await Assertions.Expect(page.GetByTestId("clicks-table")).ToBeVisibleAsync();
        Assert.Contains("verdict=human", page.Url);
        Assert.Equal(first, await recipients.AllInnerTextsAsync());
        var reloaded = await page.GetByTestId("clicks-table").Locator("tbody tr").AllInnerTextsAsync();
        Assert.All(reloaded, row => Assert.Contains("person", row));
        await page.CloseAsync();
    }
}
