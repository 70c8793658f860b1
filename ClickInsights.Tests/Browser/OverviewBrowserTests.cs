using Microsoft.Playwright;

namespace ClickInsights.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class OverviewBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Overview_ShowsDemoCampaigns_AndOpensACampaign()
    {
        var page = await fixture.OpenAsync("/", 1280, 800);

        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "September Newsletter" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("headline")).ToContainTextAsync("people clicked your last campaign");

        await page.GetByRole(AriaRole.Link, new() { Name = "September Newsletter" }).ClickAsync();
        try
        {
            await Assertions.Expect(page.GetByText("Clicks per link: reported vs. by people")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        }
        catch (PlaywrightException)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "overview-browser-failure.png"), FullPage = true });
            throw;
        }
        await Assertions.Expect(page.Locator("svg").First).ToBeVisibleAsync();
        await page.CloseAsync();
    }
}
