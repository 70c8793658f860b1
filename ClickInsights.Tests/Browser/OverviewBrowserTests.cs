using Microsoft.Playwright;

namespace ClickInsights.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class OverviewBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Overview_ShowsDemoCampaigns_AndOpensACampaign()
    {
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });

        await page.GotoAsync(fixture.BaseUrl + "/");
        await Assertions.Expect(page.GetByText("September Newsletter")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("headline")).ToContainTextAsync("were people");

        await page.GetByRole(AriaRole.Link, new() { Name = "September Newsletter" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Clicks per link: reported vs. by people")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("svg").First).ToBeVisibleAsync();
        await page.CloseAsync();
    }
}
