using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using ClickInsights.Core.Accounts;
using ClickInsights.Web;
using ClickInsights.Web.Components.Pages.Audit;
using ClickInsights.Web.Components.Pages.People;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Tests.Web;

/// <summary>The People page (admins manage who signs in) and a workspace's audit log (owners and admins read it).</summary>
[Trait("Store", "SQLite only: accounts pages above the storage seam (EF Core LINQ)")]
public sealed class PeopleAndAuditPageTests : BunitTestBase
{
    private const string Password = "rye-sourdough-42";
    private readonly BunitAuthorizationContext _auth;

    public PeopleAndAuditPageTests() => _auth = Context.AddAuthorization();

    private PeopleService People => Context.Services.GetRequiredService<PeopleService>();

    /// <summary>Signs the page's viewer in as a person made here (accounts are on once an admin exists).</summary>
    private async Task<PersonRow> SignInAsAsync(string email, Role role, int? workspace = null)
    {
        if (role != Role.Admin && !await People.AccountsOnAsync())
        {
            await People.AddAsync("first-admin@example.com", Password, Role.Admin, null);
        }
        var person = await People.AddAsync(email, Password, role, workspace);
        _auth.SetAuthorized(email);
        _auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, person.Id));
        return person;
    }

    [Fact]
    public async Task AnAdmin_AddsAPerson_ChangesTheirRole_ResetsTheirPassword_AndRemovesThem()
    {
        var bakery = await Database.CreateWorkspaceAsync("Riverside Bakery");
        var dental = await Database.CreateWorkspaceAsync("Harbor Dental");
        await SignInAsAsync("admin@example.com", Role.Admin);
        var provider = Context.Render<MudBlazor.MudDialogProvider>();
        var page = Context.Render<PeoplePage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=add-person]")));

        page.Find("input[data-testid=person-email]").Change("jo@bakery.example");
        page.Find("input[data-testid=person-password]").Change("a long enough passphrase");
        var fields = page.FindComponents<RoleFields>().First();
        await page.InvokeAsync(() => fields.Instance.WorkspaceIdChanged.InvokeAsync(bakery));
        page.Find("[data-testid=add-person] form").Submit();

        page.WaitForAssertion(() => Assert.Contains(page.FindAll("[data-testid=person-row]"), r => r.TextContent.Contains("jo@bakery.example") && r.TextContent.Contains("Riverside Bakery (viewer)")));
        var added = (await People.ListAsync()).Single(p => p.Email == "jo@bakery.example");
        Assert.Equal([(bakery, "Riverside Bakery", Role.Viewer)], added.Workspaces);

        // Made owner of the same workspace through the editor (the editor starts from their current role and workspace).
        page.FindAll("[data-testid=person-row]").Single(r => r.TextContent.Contains("jo@bakery.example")).QuerySelector("[data-testid=person-edit]")!.Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=person-editor]")));
        var editorFields = page.FindComponents<RoleFields>().Last();
        await page.InvokeAsync(() => editorFields.Instance.RoleChanged.InvokeAsync(Role.Owner));
        page.Find("[data-testid=person-set-role]").Click();
        page.WaitForAssertion(() => Assert.Contains(page.FindAll("[data-testid=person-row]"), r => r.TextContent.Contains("Riverside Bakery (owner)")));

        // A new password: too short is refused in words, a long one opens the account.
        page.FindAll("[data-testid=person-row]").Single(r => r.TextContent.Contains("jo@bakery.example")).QuerySelector("[data-testid=person-edit]")!.Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("input[data-testid=person-new-password]")));
        page.Find("input[data-testid=person-new-password]").Change("short");
        page.Find("[data-testid=person-reset]").Click();
        var snackbar = Context.Services.GetRequiredService<MudBlazor.ISnackbar>();
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message?.Contains("at least", StringComparison.OrdinalIgnoreCase) == true));
        page.Find("input[data-testid=person-new-password]").Change("another long passphrase");
        page.Find("[data-testid=person-reset]").Click();
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message?.Contains("has a new password") == true));

        // Removing asks first.
        page.Find("[data-testid=person-remove]").Click();
        provider.WaitForAssertion(() => Assert.Contains("Remove jo@bakery.example?", provider.Markup));
        provider.FindAll("button").First(b => b.TextContent.Trim() == "Remove account").Click();
        page.WaitForAssertion(() => Assert.DoesNotContain(page.FindAll("[data-testid=person-row]"), r => r.TextContent.Contains("jo@bakery.example")));

        // Each change is in the audit log: the workspace's for what concerns it.
        var audit = Context.Services.GetRequiredService<AuditLog>();
        var inBakery = await audit.ListAsync(bakery, new AuditFilter(AuditActions.People));
        Assert.Contains(inBakery, e => e.Actor == "admin@example.com" && e.Detail == "Added jo@bakery.example as a viewer of Riverside Bakery.");
        Assert.Contains(inBakery, e => e.Detail == "Made jo@bakery.example an owner of Riverside Bakery.");
        Assert.Empty(await audit.ListAsync(dental, new AuditFilter(AuditActions.People)));
    }

    [Fact]
    public async Task SomeoneWhoIsNotAnAdmin_IsToldPeopleAreForAdmins_AndSeesNoOne()
    {
        var bakery = await Database.CreateWorkspaceAsync("Riverside Bakery");
        await SignInAsAsync("owner@bakery.example", Role.Owner, bakery);

        var page = Context.Render<PeoplePage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=people-not-allowed]")));
        Assert.DoesNotContain("first-admin@example.com", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=add-person]"));
    }

    [Fact]
    public async Task WithoutAccounts_ThePeoplePageOffersTheFirstRunPage()
    {
        var page = Context.Render<PeoplePage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=people-accounts-off]")));
        Assert.Contains($"href=\"{Urls.FirstRun}\"", page.Markup);
    }

    [Fact]
    public async Task TheAuditLog_ShowsTheWorkspacesEntriesNewestFirst_FilteredByWhatAndText()
    {
        var bakery = await Database.CreateWorkspaceAsync("Riverside Bakery");
        var dental = await Database.CreateWorkspaceAsync("Harbor Dental");
        var audit = Context.Services.GetRequiredService<AuditLog>();
        await audit.RecordAsync(bakery, "ann@bakery.example", AuditActions.Export, "Clicks of “Spring Sale” as CSV.");
        await audit.RecordAsync(bakery, "sam@support.example", AuditActions.Decision, "Every click from mimecast.example is a bot.");
        await audit.RecordAsync(dental, "someone@dental.example", AuditActions.Export, "Harbor's secret export.");
        Context.Services.GetRequiredService<CurrentWorkspace>().Use(bakery);

        var page = Context.Render<AuditPage>(p => p.Add(x => x.Ws, bakery));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=audit-row]").Count));
        var rows = page.FindAll("[data-testid=audit-row]").Select(r => r.TextContent).ToList();
        Assert.Contains("sam@support.example", rows[0]);
        Assert.Contains("ann@bakery.example", rows[1]);
        Assert.DoesNotContain("Harbor", page.Markup);
        Assert.Equal($"/w/{bakery}/audit.csv", page.Find("[data-testid=audit-csv]").GetAttribute("href"));

        await page.InvokeAsync(() => page.FindComponent<MudBlazor.MudSelect<string>>().Instance.ValueChanged.InvokeAsync(AuditActions.Export));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=audit-row]")));
        Assert.Contains("Spring Sale", page.Find("[data-testid=audit-row]").TextContent);
        Assert.Equal($"/w/{bakery}/audit.csv?action=export", page.Find("[data-testid=audit-csv]").GetAttribute("href"));

        await page.InvokeAsync(() => page.FindComponent<MudBlazor.MudSelect<string>>().Instance.ValueChanged.InvokeAsync(""));
        await page.InvokeAsync(() => page.FindComponent<MudBlazor.MudTextField<string>>().Instance.ValueChanged.InvokeAsync("mimecast"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=audit-row]")));
        Assert.Contains("sam@support.example", page.Find("[data-testid=audit-row]").TextContent);

        await page.InvokeAsync(() => page.FindComponent<MudBlazor.MudTextField<string>>().Instance.ValueChanged.InvokeAsync("nothing like this"));
        page.WaitForAssertion(() => Assert.Contains("Nothing recorded matches this filter", page.Find("[data-testid=audit-empty]").TextContent));
    }

    [Theory]
    [InlineData(Role.Viewer)]
    [InlineData(Role.Support)]
    public async Task TheAuditLog_IsNotForViewersOrSupport(Role role)
    {
        var bakery = await Database.CreateWorkspaceAsync("Riverside Bakery");
        await Context.Services.GetRequiredService<AuditLog>().RecordAsync(bakery, "ann@bakery.example", AuditActions.Export, "Clicks as CSV.");
        await SignInAsAsync("someone@bakery.example", role, bakery);
        Context.Services.GetRequiredService<CurrentWorkspace>().Use(bakery);

        var page = Context.Render<AuditPage>(p => p.Add(x => x.Ws, bakery));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=audit-not-allowed]")));
        Assert.DoesNotContain("ann@bakery.example", page.Markup);
    }
}
