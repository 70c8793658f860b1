using System.Text;
using ClickInsights.Tests.Support;
using Microsoft.Playwright;

namespace ClickInsights.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ImportBrowserTests(BrowserFixture fixture)
{
    private const string CampaignName = "Spring Launch (browser test)";

    [Fact]
    public async Task ImportPage_UploadsSendGridFile_ShowsProgressAndSummary_ThenTheCampaignIsOnTheOverview()
    {
        var json = Encoding.UTF8.GetString(Samples.DemoSendGridFile(new() { Contacts = 3_000, Campaigns = 1, Seed = 41 }))
            .Replace("\"singlesend_name\":\"September Newsletter\"", $"\"singlesend_name\":\"{CampaignName}\"", StringComparison.Ordinal);
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });

        await page.GotoAsync(fixture.BaseUrl + "/import");
        // The input works once the page is live (after prerendering).
        await Assertions.Expect(page.Locator("[data-testid=drop-zone][data-ready]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        // Progress can pass quickly; remember whether the progress panel was ever shown.
        await page.EvaluateAsync("""
            () => {
              window.__sawProgress = false;
              new MutationObserver(() => {
                if (document.querySelector('[data-testid=import-progress] [data-testid=progress-bar]')) window.__sawProgress = true;
              }).observe(document.body, { childList: true, subtree: true });
            }
            """);
        await page.GetByTestId("file-input").SetInputFilesAsync(new FilePayload
        {
            Name = "spring-launch-events.json",
            MimeType = "application/json",
            Buffer = Encoding.UTF8.GetBytes(json),
        });

        var ready = page.GetByTestId("import-ready");
        await Assertions.Expect(ready).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(ready).ToContainTextAsync("SendGrid Event Webhook JSON");
        await Assertions.Expect(ready).ToContainTextAsync(CampaignName);

        await page.GetByTestId("start-import").ClickAsync();
        var summary = page.GetByTestId("import-summary");
        await Assertions.Expect(summary).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sawProgress"), "the progress bar was never shown");
        await Assertions.Expect(summary).ToContainTextAsync("Import finished");
        await Assertions.Expect(page.GetByTestId("summary-campaigns")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("import-history")).ToContainTextAsync("spring-launch-events.json");

        await page.GetByTestId("see-campaigns").ClickAsync();
        await Assertions.Expect(page.GetByText(CampaignName).First).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.CloseAsync();
    }
}
