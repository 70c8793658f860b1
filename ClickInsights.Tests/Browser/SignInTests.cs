using Microsoft.Playwright;

namespace ClickInsights.Tests.Browser;

/// <summary>Signing in and out in a real browser, with two tabs open.</summary>
[Collection(SignInBrowserCollection.Name)]
public sealed class SignInTests(SignInBrowserFixture fixture)
{
    [Fact]
    public async Task SignedIn_TwoTabsWork_AndSigningOutInOneSendsTheOtherToTheSignInPage()
    {
        await using var browser = await fixture.Browser.NewContextAsync();
        var first = await browser.NewPageAsync();
        first.SetDefaultTimeout(20_000);

        await first.GotoAsync(fixture.BaseUrl + "/domains");
        await first.WaitForURLAsync("**/signin?*");
        await first.GetByLabel("Email").FillAsync(SignInBrowserFixture.Email);
        await first.GetByLabel("Password").FillAsync(SignInBrowserFixture.Password);
        await first.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await first.WaitForURLAsync("**/w/*/domains");
        await BrowserFixture.WaitUntilInteractiveAsync(first);
        await Assertions.Expect(first.GetByRole(AriaRole.Heading, new() { Name = "Recipient domains" })).ToBeVisibleAsync();

        // The same browser, another tab: already signed in.
        var second = await browser.NewPageAsync();
        second.SetDefaultTimeout(20_000);
        await second.GotoAsync(fixture.BaseUrl + "/settings");
        await BrowserFixture.WaitUntilInteractiveAsync(second);
        await second.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await second.WaitForURLAsync("**/signin");

        // The first tab's open page notices within seconds and goes to the sign-in page, coming back to where it was.
        await first.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/signin\?returnUrl=%2Fw%2F\d+%2Fdomains$"), new() { Timeout = 30_000 });
        await Assertions.Expect(first.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }
}
