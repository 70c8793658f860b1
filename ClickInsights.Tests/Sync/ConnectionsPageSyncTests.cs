using System.Security.Cryptography;
using Bunit;
using ClickInsights.Core.Providers;
using ClickInsights.Tests.Web;
using ClickInsights.Web.Sync;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ConnectionsPage = ClickInsights.Web.Components.Pages.Connections.Connections;

namespace ClickInsights.Tests.Sync;

/// <summary>The Connections page's states, with the real connection services over a test database.</summary>
public sealed class ConnectionsPageSyncTests : BunitTestBase
{
    public ConnectionsPageSyncTests()
    {
        Context.Services.AddLogging();
        Context.Services.AddSingleton<ISecretProtector>(new DataProtectionSecretProtector(new EphemeralDataProtectionProvider()));
        Context.Services.AddProviderSync();
        Context.Services.AddSingleton<ClickInsights.Web.Notices>();
    }

    private IRenderedComponent<ConnectionsPage> RenderPage() =>
        Context.Render<ConnectionsPage>(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<ConnectionsPage>(2);
            builder.CloseComponent();
        });

    private Task<int> AddAsync(int workspace, string provider, string name, Dictionary<string, string>? settings = null, Dictionary<string, string>? secrets = null) =>
        Context.Services.GetRequiredService<ConnectionService>().AddAsync(new ConnectionDraft(workspace, provider, name)
        {
            Settings = settings ?? [],
            Secrets = secrets ?? [],
        });

    [Fact]
    public void WithoutWorkspace_SaysToCreateOneFirst()
    {
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("There is no workspace yet", page.Find("[data-testid=no-workspace]").TextContent));
    }

    [Fact]
    public async Task WithoutConnections_ShowsTheEmptyState_AndTheFormOnRequest()
    {
        await Database.CreateWorkspaceAsync("Riverside Bakery");

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("No connections yet", page.Find("[data-testid=empty-state]").TextContent));
        Assert.Contains("Riverside Bakery", page.Markup);
        page.Find("[data-testid=start-adding] ").Click();
        page.WaitForAssertion(() => Assert.Contains("Connect an email provider", page.Find("[data-testid=add-connection]").TextContent));
        // Constant Contact first: the redirect address to register in the user's app is shown.
        Assert.Contains("/connections/constantcontact/callback", page.Markup);
        Assert.Contains("Save and sign in to Constant Contact", page.Find("[data-testid=save-connection]").TextContent);
        page.Find("[data-testid=save-connection]").Click();
        page.WaitForAssertion(() => Assert.Contains("Enter both the API key and the client secret", page.Find("[data-testid=add-error]").TextContent));
    }

    [Fact]
    public async Task ConnectionThatFailed_ShowsTheErrorInPlainWords_AndNoSecret()
    {
        var workspace = await Database.CreateWorkspaceAsync();
        var id = await AddAsync(workspace, ProviderNames.Mailchimp, "Newsletter account", secrets: new() { [SecretNames.ApiKey] = "abcdef0123456789-us14" });
        await using (var db = Database.CreateDbContext())
        {
            await db.Connections.Where(c => c.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.LastError, "Mailchimp did not accept the API key (it may have been deleted or mistyped).")
                .SetProperty(c => c.LastErrorAt, DateTime.UtcNow)
                .SetProperty(c => c.LastSyncAt, DateTime.UtcNow.AddHours(-3))
                .SetProperty(c => c.LastSyncSummary, "Fetched 120 new events (31 clicks) in 2 campaigns."));
        }

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("Needs attention", page.Find("[data-testid=connection-health]").TextContent));
        Assert.Contains("Mailchimp did not accept the API key", page.Find("[data-testid=connection-error]").TextContent);
        Assert.Contains("3 hours ago", page.Find("[data-testid=last-sync]").TextContent);
        Assert.Contains("Fetched 120 new events (31 clicks) in 2 campaigns.", page.Find("[data-testid=last-summary]").TextContent);
        Assert.Contains("API key (stored encrypted, never shown again)", page.Markup);
        Assert.DoesNotContain("abcdef0123456789", page.Markup);
        Assert.NotNull(page.Find("[data-testid=sync-now]"));
        Assert.Empty(page.FindAll("[data-testid=sign-in]"));
    }

    [Fact]
    public async Task ConstantContactNotSignedIn_OffersToSignIn()
    {
        var workspace = await Database.CreateWorkspaceAsync();
        await AddAsync(workspace, ProviderNames.ConstantContact, "Constant Contact",
            settings: new() { [SettingNames.ClientId] = "app" }, secrets: new() { [SecretNames.ClientSecret] = "secret" });

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("Not signed in", page.Find("[data-testid=connection-health]").TextContent));
        Assert.Contains("Sign in to Constant Contact", page.Find("[data-testid=sign-in]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=sync-now]"));
    }

    [Fact]
    public async Task Brevo_Added_ShowsItsWebhookAddressWithAPassword_Once()
    {
        var workspace = await Database.CreateWorkspaceAsync();
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo("/connections?add=brevo");

        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Contains("Brevo sends the events of its transactional emails", page.Find("[data-testid=add-connection]").TextContent));
        Assert.Equal("Save", page.Find("[data-testid=save-connection]").TextContent.Trim());
        page.Find("[data-testid=save-connection]").Click();

        page.WaitForAssertion(() => Assert.Matches(@"http://brevo:[0-9a-f]{32}@localhost/webhooks/brevo/[0-9a-f]{32}$", page.Find("[data-testid=show-once] code").TextContent));
        var stored = (await Context.Services.GetRequiredService<ConnectionService>().ListAsync(workspace)).Single();
        Assert.Equal((ProviderNames.Brevo, true, false), (stored.Provider, stored.ReceivesWebhooks, stored.CanPull));
        page.WaitForAssertion(() => Assert.Equal($"http://brevo:PASSWORD@localhost/webhooks/brevo/{stored.WebhookKey}", page.Find("[data-testid=webhook-url]").TextContent));
    }

    [Fact]
    public async Task SendGrid_ShowsTheWebhookAddressToPaste()
    {
        var workspace = await Database.CreateWorkspaceAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = await AddAsync(workspace, ProviderNames.SendGrid, "SendGrid", settings: new() { [SettingNames.PublicKey] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()) });

        var webhookKey = (await Context.Services.GetRequiredService<ConnectionService>().GetAsync(id))!.WebhookKey;

        var page = RenderPage();

        // The address carries the connection's random key, not its number.
        Assert.Matches("^[0-9a-f]{32}$", webhookKey);
        page.WaitForAssertion(() => Assert.Equal($"http://localhost/webhooks/sendgrid/{webhookKey}", page.Find("[data-testid=webhook-url]").TextContent));
        Assert.Contains("Nothing received yet", page.Find("[data-testid=last-sync]").TextContent);
    }

    [Fact]
    public async Task SignInProblemFromTheCallback_IsShown()
    {
        await Database.CreateWorkspaceAsync();
        var notice = Context.Services.GetRequiredService<ClickInsights.Web.Notices>().Keep("You did not allow ClickInsights.");
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo("/connections?problem=" + notice);

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("You did not allow ClickInsights.", page.Find("[data-testid=notice-problem]").TextContent));
    }

    [Fact]
    public async Task TextInTheAddress_IsNeverShownAsAMessage()
    {
        await Database.CreateWorkspaceAsync();
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo("/connections?problem=Your%20account%20is%20locked.%20Call%20%2B1%20555%200100.");

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=connections-page], h1, h4")));
        Assert.Empty(page.FindAll("[data-testid=notice-problem]"));
        Assert.DoesNotContain("Call +1 555", page.Markup);
    }

    [Fact]
    public async Task Remove_AsksFirst_AndKeepsTheConnectionUnlessConfirmed()
    {
        var workspace = await Database.CreateWorkspaceAsync();
        await AddAsync(workspace, ProviderNames.Mailchimp, "Newsletter account", secrets: new() { [SecretNames.ApiKey] = "abcdef0123456789-us14" });
        var dialogs = Context.Render<MudDialogProvider>();
        Context.Render<MudPopoverProvider>();
        var page = Context.Render<ConnectionsPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=connection-card]")));

        page.Find("[data-testid=remove-connection]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Remove “Newsletter account”?", dialogs.Markup));
        Assert.Contains("The campaigns and clicks already fetched stay.", dialogs.Markup);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Keep it").Click();
        dialogs.WaitForAssertion(() => Assert.DoesNotContain("Remove “Newsletter account”?", dialogs.Markup));
        Assert.Single(page.FindAll("[data-testid=connection-card]"));

        page.Find("[data-testid=remove-connection]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Remove “Newsletter account”?", dialogs.Markup));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Remove").Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=empty-state]")));
        await using var db = Database.CreateDbContext();
        Assert.Empty(db.Connections);
    }
}
