using Microsoft.Playwright;

namespace ClickInsights.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ThemeBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task DarkThemeToggle_DarkensThePage_AndPhoneWidthKeepsTheHeadline()
    {
        var page = await fixture.OpenAsync("/", 1280, 800);
        var light = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

        await page.GetByLabel("Toggle dark theme").ClickAsync();

        await Assertions.Expect(page.Locator("body")).Not.ToHaveCSSAsync("background-color", light);
        var dark = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.NotEqual(light, dark);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "clickinsights-dark.png") });

        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(page.GetByTestId("headline")).ToBeVisibleAsync();
        await page.CloseAsync();
    }
}
