using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ClickInsights.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class WorkspaceBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task ChosenWorkspace_IsStillShown_AfterAReload()
    {
        var page = await fixture.OpenAsync("/workspaces");
        try
        {
            await page.Locator("[data-testid=new-workspace] input, input[data-testid=new-workspace]").FillAsync("Reload Test Shop");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            // A new workspace is opened at once: the browser remembers it.
            await page.WaitForFunctionAsync("() => document.cookie.includes('clickinsights-workspace=')");

            await page.GotoAsync(fixture.BaseUrl + "/import");
            await BrowserFixture.WaitUntilInteractiveAsync(page);

            await Assertions.Expect(page.GetByText("Files go into Reload Test Shop")).ToBeVisibleAsync();
        }
        finally
        {
            // The other tests expect the demo workspace to be the first one.
            await page.CloseAsync();
            var workspaces = fixture.Services.GetRequiredService<ClickInsights.Core.Workspaces.WorkspaceService>();
            foreach (var w in (await workspaces.ListAsync()).Where(w => w.Name == "Reload Test Shop"))
            {
                await workspaces.DeleteAsync(w.Id);
            }
        }
    }
}
