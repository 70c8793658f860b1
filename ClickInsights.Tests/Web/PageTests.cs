using ClickInsights.Tests.Support;
using Bunit;
using ClickInsights.Core.Data;
using ClickInsights.Core.Reports;
using ClickInsights.Web;
using ClickInsights.Web.Components.Pages;
using ClickInsights.Web.Components.Pages.Campaigns;
using ClickInsights.Web.Components.Pages.Clicks;
using ClickInsights.Web.Components.Pages.Recipients;
using ClickInsights.Web.Components.Pages.Settings;
using ClickInsights.Web.Components.Pages.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Tests.Web;

public abstract class PageTests(StoreKind store) : BunitTestBase(store)
{
    private async Task<(int Workspace, long BotClick, int Recipient)> SeedAsync()
    {
        var workspace = await Database.SeedDemoAsync();
        await using var db = Database.CreateDbContext();
        var bot = await db.ClickVerdicts.Where(v => v.Verdict == Verdict.Bot && v.CampaignId == 1).Select(v => v.EventId).FirstAsync();
        var recipient = await db.Events.Where(e => e.Id == bot).Select(e => e.RecipientId).FirstAsync();
        return (workspace, bot, recipient);
    }

    /// <summary>MudBlazor puts a field's attributes on the input itself or on its wrapper, depending on the component.</summary>
    private static AngleSharp.Dom.IElement Input(IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> page, string testId)
    {
        var element = page.Find($"[data-testid={testId}]");
        return element.TagName == "INPUT" ? element : element.QuerySelector("input") ?? throw new InvalidOperationException($"No input in {testId}.");
    }

    [SkippableFact]
    public async Task ClickEvidence_ShowsReasonsScoreAndVersion()
    {
        var (_, bot, _) = await SeedAsync();

        var page = Context.Render<ClickEvidence>(p => p.Add(c => c.EventId, bot));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("Why this click is a bot", page.Markup);
            Assert.NotEmpty(page.FindAll("[data-testid=reasons] tbody tr"));
            Assert.Contains("classifier 2.", page.Markup);
            Assert.Contains("From 70 a click is a bot, from 40 a suspect (this workspace's settings)", page.Markup);
        });
    }

    [SkippableFact]
    public async Task ClickEvidence_QuotesTheWorkspacesThresholds_AndSaysWhenTheyChangedSince()
    {
        var (workspace, bot, _) = await SeedAsync();
        await using (var db = Database.CreateDbContext())
        {
            var stored = await db.Workspaces.SingleAsync(w => w.Id == workspace);
            stored.ClassifierSettingsJson = System.Text.Json.JsonSerializer.Serialize(ClickInsights.Core.Classification.ClassifierSettings.Default with { BotThreshold = 60, SuspectThreshold = 30 });
            await db.SaveChangesAsync();
        }

        var page = Context.Render<ClickEvidence>(p => p.Add(c => c.EventId, bot));

        page.WaitForAssertion(() => Assert.Contains("From 60 a click is a bot, from 30 a suspect (this workspace's settings, changed since this click was judged)", page.Markup));
    }

    [SkippableFact]
    public async Task ClickEvidence_MarkHuman_ChangesTheVerdict()
    {
        var (_, bot, _) = await SeedAsync();
        var page = Context.Render<ClickEvidence>(p => p.Add(c => c.EventId, bot));
        page.WaitForAssertion(() => Assert.Contains("Why this click is a bot", page.Markup));

        page.Find("[data-testid=mark-human]").Click();

        // Said as a decision over the evidence, not as if the evidence made it a person.
        page.WaitForAssertion(() => Assert.Contains("This click counts as a person: a person decided so", page.Markup));
        Assert.DoesNotContain("Why this click is a person", page.Markup);
        var decided = page.Find("[data-testid=decided]").TextContent;
        Assert.Contains("This click: a person", decided);
        Assert.Contains("by local user", decided);
        Assert.Contains("pointed the other way", decided);
        Assert.Matches(@"on its own it scores (7\d|8\d|9\d|100), which makes a bot", decided);
        Assert.Contains("Score of the evidence", page.Markup);
        await using var db = Database.CreateDbContext();
        Assert.Equal(Verdict.Human, (await db.ClickVerdicts.SingleAsync(v => v.EventId == bot)).Verdict);
    }

    [SkippableFact]
    public void ClickEvidence_UnknownClick_SaysSo()
    {
        var page = Context.Render<ClickEvidence>(p => p.Add(c => c.EventId, 424242));

        page.WaitForAssertion(() => Assert.Contains("There is no click number 424242", page.Markup));
    }

    [SkippableFact]
    public async Task RecipientTimeline_ListsEventsAcrossCampaigns()
    {
        var (_, _, recipient) = await SeedAsync();

        var page = Context.Render<RecipientTimelinePage>(p => p.Add(c => c.Id, recipient));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("delivered", page.Markup);
            Assert.Contains("clicked", page.Markup);
            Assert.True(page.FindAll("[data-testid=timeline] tbody tr").Count >= 3);
        });
        // A bot click's row names its strongest reason and links the rest to the click's evidence, instead of
        // printing every sentence (which made one row half a screen tall); the sentences are in the cell's tooltip.
        var more = page.FindAll("[data-testid=timeline] tbody td a").Where(a => a.TextContent.Contains("more", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(more);
        Assert.All(more, a => Assert.StartsWith("/clicks/", a.GetAttribute("href")));
        var cell = more[0].Closest("td")!;
        Assert.True(cell.TextContent.Trim().Length < 80, cell.TextContent);
        Assert.Contains("after", cell.GetAttribute("title"));
    }

    [SkippableFact]
    public async Task RecipientTimeline_AddsUpTheClicksByVerdict()
    {
        var (_, _, recipient) = await SeedAsync();
        int clicks, bots, human;
        await using (var db = Database.CreateDbContext())
        {
            var verdicts = await (from e in db.Events where e.RecipientId == recipient join v in db.ClickVerdicts on e.Id equals v.EventId select v.Verdict).ToListAsync();
            (clicks, bots, human) = (verdicts.Count, verdicts.Count(v => v == Verdict.Bot), verdicts.Count(v => v == Verdict.Human));
        }

        var page = Context.Render<RecipientTimelinePage>(p => p.Add(c => c.Id, recipient));

        page.WaitForAssertion(() =>
        {
            var totals = page.Find("[data-testid=recipient-totals]").TextContent;
            Assert.Contains($"{clicks} clicks in", totals);
            Assert.Equal(human > 0, totals.Contains($"{human} by {(human == 1 ? "a person" : "people")}", StringComparison.Ordinal));
            Assert.Equal(bots > 0, totals.Contains($"{bots} by {(bots == 1 ? "a scanner" : "scanners")}", StringComparison.Ordinal));
        });
        Assert.True(bots > 0);
    }

    [SkippableFact]
    public async Task RecipientTimeline_DecisionForEveryClick_AsksFirst_AndCancelChangesNothing()
    {
        var (_, _, recipient) = await SeedAsync();
        var page = Context.Render(builder =>
        {
            builder.OpenComponent<MudBlazor.MudDialogProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<RecipientTimelinePage>(1);
            builder.AddAttribute(2, nameof(RecipientTimelinePage.Id), recipient);
            builder.CloseComponent();
        });
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=timeline] tbody tr")));

        page.FindAll("button").First(b => b.TextContent.Trim() == "Mark as a bot").Click();

        page.WaitForAssertion(() => Assert.Contains("in every campaign of this workspace, now and after new imports", page.Markup));
        page.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click();
        page.WaitForAssertion(() => Assert.DoesNotContain("now and after new imports", page.Markup));
        await using var db = Database.CreateDbContext();
        Assert.False(await db.Overrides.AnyAsync());
    }

    [SkippableFact]
    public void RecipientTimeline_Unknown_SaysSo()
    {
        var page = Context.Render<RecipientTimelinePage>(p => p.Add(c => c.Id, 99999));

        page.WaitForAssertion(() => Assert.Contains("There is no recipient number 99999", page.Markup));
    }

    [SkippableFact]
    public async Task CampaignPage_FilterByVerdict_ShowsOnlyThoseClicks()
    {
        await SeedAsync();
        var navigation = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("/campaigns/1?verdict=human");

        var page = Context.Render<CampaignPage>(p => p.Add(c => c.Id, 1));

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll("[data-testid=clicks-table] tbody tr");
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.Contains("person", r.TextContent));
        });
    }

    [SkippableFact]
    public async Task CampaignPage_FilteredByDomain_LeadsToTheDomainInEveryCampaign()
    {
        await SeedAsync();
        var navigation = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("/campaigns/1?domain=MillerHVAC.com");

        var page = Context.Render<CampaignPage>(p => p.Add(c => c.Id, 1));

        page.WaitForAssertion(() => Assert.Equal("/domains/millerhvac.com", page.Find("[data-testid=domain-page-link]").GetAttribute("href")));
    }

    [SkippableFact]
    public async Task CampaignPage_ReasonLink_ListsOnlyClicksNotCountedAsPeople()
    {
        await SeedAsync();
        var page = Context.Render<CampaignPage>(p => p.Add(c => c.Id, 1));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("a[href*='reason=']")));
        var link = page.FindAll("a[href*='reason=']")[0].GetAttribute("href")!;
        Assert.Contains("verdict=" + Urls.NotHuman, link);

        var navigation = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo(link);
        var filtered = Context.Render<CampaignPage>(p => p.Add(c => c.Id, 1));

        filtered.WaitForAssertion(() =>
        {
            var rows = filtered.FindAll("[data-testid=clicks-table] tbody tr");
            Assert.NotEmpty(rows);
            Assert.DoesNotContain(rows, r => r.TextContent.Contains("person"));
        });
    }

    [SkippableTheory]
    [InlineData("5")]
    [InlineData("1")]
    [InlineData("robot")]
    public void UnknownVerdictInTheAddress_IsNoFilter(string text) => Assert.Null(Urls.ParseVerdict(text));

    [SkippableFact]
    public async Task RecipientTimeline_DecisionForTheRecipient_CanBeUndone()
    {
        var (workspace, _, recipient) = await SeedAsync();
        string email;
        await using (var db = Database.CreateDbContext())
        {
            email = await db.Recipients.Where(r => r.Id == recipient).Select(r => r.Email).SingleAsync();
        }
        await Context.Services.GetRequiredService<ClickInsights.Core.Classification.OverrideService>().SetAsync(workspace, OverrideScope.Recipient, email, Verdict.Human);

        var page = Context.Render<RecipientTimelinePage>(p => p.Add(c => c.Id, recipient));
        page.WaitForAssertion(() => Assert.Contains("you counted every click as a person", page.Markup));
        page.Find("[data-testid=undo-recipient]").Click();

        page.WaitForAssertion(() => Assert.DoesNotContain("you counted every click", page.Markup), TimeSpan.FromSeconds(20));
        await using var after = Database.CreateDbContext();
        Assert.False(await after.Overrides.AnyAsync());
    }

    [SkippableFact]
    public async Task ClickEvidence_DecisionForAWholeDomain_AsksFirst_AndCancelChangesNothing()
    {
        var (_, bot, _) = await SeedAsync();
        var page = Context.Render(builder =>
        {
            builder.OpenComponent<MudBlazor.MudDialogProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<ClickEvidence>(1);
            builder.AddAttribute(2, nameof(ClickEvidence.EventId), bot);
            builder.CloseComponent();
        });
        page.WaitForAssertion(() => Assert.Contains("Why this click is a bot", page.Markup));

        page.FindAll("button").First(b => b.TextContent.Contains("All clicks from")).Click();

        page.WaitForAssertion(() => Assert.Contains("including people there who really clicked", page.Markup));
        page.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click();
        page.WaitForAssertion(() => Assert.DoesNotContain("including people there who really clicked", page.Markup));
        await using var db = Database.CreateDbContext();
        Assert.False(await db.Overrides.AnyAsync());
    }

    [SkippableFact]
    public async Task CampaignPage_MoreReasons_LeadToTheClicksEvidence()
    {
        await SeedAsync();
        var page = Context.Render<CampaignPage>(p => p.Add(c => c.Id, 1));

        page.WaitForAssertion(() => Assert.Contains(page.FindAll("[data-testid=clicks-table] a"), a => a.TextContent.Contains("more") && a.GetAttribute("href")!.StartsWith("/clicks/", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public async Task Settings_ListsTheWorkspacesDecisions_AndEachCanBeUndone()
    {
        var (workspace, bot, _) = await SeedAsync();
        var overrides = Context.Services.GetRequiredService<ClickInsights.Core.Classification.OverrideService>();
        await overrides.SetAsync(workspace, OverrideScope.Domain, "millerhvac.com", Verdict.Bot);
        await overrides.SetAsync(workspace, OverrideScope.Click, bot.ToString(System.Globalization.CultureInfo.InvariantCulture), Verdict.Human, "my own test click");

        var page = Context.Render<SettingsPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=decision]").Count));
        Assert.Contains("Every click from millerhvac.com: a bot", page.Find("[data-testid=decisions]").TextContent);
        Assert.Contains("This click: a person (my own test click)", page.Find("[data-testid=decisions]").TextContent);
        page.FindAll("[data-testid=decision]").Single(r => r.TextContent.Contains("millerhvac.com")).QuerySelector("button")!.Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=decision]")), TimeSpan.FromSeconds(20));
        await using var db = Database.CreateDbContext();
        Assert.Equal(OverrideScope.Click, (await db.Overrides.SingleAsync()).Scope);
    }

    [SkippableFact]
    public async Task Settings_MakesAnApiToken_ShownOnce_AndAddsAWebhookAddress()
    {
        var (workspace, _, _) = await SeedAsync();
        var page = Context.Render<SettingsPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=api-tokens-empty]"));

        await page.InvokeAsync(() => Input(page, "token-name").Change("CRM lead scores"));
        await page.InvokeAsync(() => page.Find("[data-testid=make-token]").Click());

        page.WaitForAssertion(() => Assert.StartsWith("ci_", page.Find("[data-testid=token-secret]").TextContent));
        var secret = page.Find("[data-testid=token-secret]").TextContent;
        var row = page.Find("[data-testid=api-token-row]").TextContent;
        Assert.Contains("CRM lead scores", row);
        Assert.Contains("read only", row);
        // The list shows the token's start only; the whole token is never stored.
        Assert.DoesNotContain(secret, row);
        Assert.NotNull(await Context.Services.GetRequiredService<ClickInsights.Core.Api.ApiTokenService>().FindAsync(secret));
        await using (var db = Database.CreateDbContext())
        {
            Assert.DoesNotContain(secret, (await db.ApiTokens.SingleAsync()).TokenHash);
            Assert.Equal(workspace, (await db.ApiTokens.SingleAsync()).WorkspaceId);
        }

        await page.InvokeAsync(() => Input(page, "webhook-url").Change("ftp://crm.example.com/hook"));
        await page.InvokeAsync(() => page.Find("[data-testid=add-webhook]").Click());
        await page.InvokeAsync(() => Input(page, "webhook-url").Change("https://crm.example.com/hooks/clickinsights"));
        await page.InvokeAsync(() => page.Find("[data-testid=add-webhook]").Click());

        page.WaitForAssertion(() => Assert.Contains("whsec_", page.Find("[data-testid=webhook-secret]").TextContent));
        Assert.Single(page.FindAll("[data-testid=webhook-row]"));
        Assert.Contains("https://crm.example.com/hooks/clickinsights", page.Find("[data-testid=webhook-row]").TextContent);
    }

    [SkippableFact]
    public async Task Settings_ChangingAThreshold_ShowsAPreview()
    {
        await SeedAsync();
        var page = Context.Render<SettingsPage>();
        page.WaitForAssertion(() => Assert.Contains("What saving would change", page.Markup));

        Input(page, "setting-BotThreshold").Change("95");

        page.WaitForAssertion(() => Assert.Contains("would go from", page.Find("[data-testid=preview]").TextContent), TimeSpan.FromSeconds(20));
        // The preview covers what saving recomputes, and says which clicks move where.
        Assert.Contains("this preview covers all 6 campaigns", page.Find("[data-testid=preview-coverage]").TextContent);
        Assert.Contains("from bot to suspect", page.Find("[data-testid=preview-moves]").TextContent);
    }

    [SkippableFact]
    public async Task Settings_Saved_RecomputesInTheBackground_WithItsProgress_AndSaysWhenDone()
    {
        var (workspace, _, _) = await SeedAsync();
        RunJobs();
        var page = Context.Render<SettingsPage>();
        page.WaitForAssertion(() => Assert.Contains("What saving would change", page.Markup));
        Input(page, "setting-BotThreshold").Change("95");
        page.WaitForAssertion(() => Assert.Contains("would go from", page.Find("[data-testid=preview]").TextContent), TimeSpan.FromSeconds(20));

        await page.InvokeAsync(() => page.Find("[data-testid=save-settings]").Click());

        var snackbar = Context.Services.GetRequiredService<MudBlazor.ISnackbar>();
        page.WaitForAssertion(() => Assert.Contains("Every campaign was recomputed with the saved settings.", string.Concat(snackbar.ShownSnackbars.Select(b => b.Message))), TimeSpan.FromSeconds(30));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=recompute-progress]")));
        await using var db = Database.CreateDbContext();
        var job = await db.Jobs.SingleAsync(j => j.Kind == ClickInsights.Core.Jobs.JobKinds.Recompute);
        Assert.Equal((workspace, ClickInsights.Core.Data.JobState.Done), (job.WorkspaceId, job.State));
        Assert.Matches(@"^Recomputed \d+ campaigns? with the new settings\.$", job.Result);
        Assert.Contains("95", (await db.Workspaces.SingleAsync(w => w.Id == workspace)).ClassifierSettingsJson);
    }

    [SkippableFact]
    public async Task Settings_CatalogueSaved_KeepsTheWeightsBeingEdited()
    {
        await SeedAsync();
        var page = Context.Render<SettingsPage>();
        page.WaitForAssertion(() => Assert.Contains("What saving would change", page.Markup));
        Input(page, "setting-BotThreshold").Change("95");

        // Each element is found and used on the renderer's own thread: the preview the threshold started re-renders the
        // page meanwhile, and an element found before that render has lost its handler (bUnit's advice for this race).
        var editor = page.FindComponent<CatalogueEditor>();
        await page.InvokeAsync(() => editor.FindComponents<MudBlazor.MudTextField<string>>()[0].Find("input").Change("203.0.113.0/24"));
        await page.InvokeAsync(() => editor.FindComponents<MudBlazor.MudTextField<string>>()[1].Find("input").Change("Our own test network"));
        await page.InvokeAsync(() => editor.FindComponents<MudBlazor.MudTextField<string>>()[2].Find("input").Change("our IT"));
        await page.InvokeAsync(() => editor.FindAll("button").First(b => b.TextContent.Trim() == "Add").Click());

        page.WaitForAssertion(() => Assert.Contains("Catalogue saved", page.Markup + string.Concat(Context.Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars.Select(b => b.Message))), TimeSpan.FromSeconds(20));
        // The edit is still there, unsaved: "Save and recompute" can be pressed.
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=save-settings]").HasAttribute("disabled")), TimeSpan.FromSeconds(20));
    }

    [SkippableFact]
    public async Task Settings_InvalidThresholds_AreRefused()
    {
        await SeedAsync();
        var page = Context.Render<SettingsPage>();
        page.WaitForAssertion(() => Assert.Contains("What saving would change", page.Markup));

        Input(page, "setting-SuspectThreshold").Change("80");

        page.WaitForAssertion(() => Assert.Contains("must be below the bot threshold", page.Markup));
    }

    [SkippableFact]
    public async Task Workspaces_ListsAndCreates()
    {
        await SeedAsync();
        var page = Context.Render<WorkspacesPage>();
        page.WaitForAssertion(() => Assert.Contains("Riverside Bakery (demo)", page.Markup));

        Input(page, "new-workspace").Change("Acme Plumbing");
        page.Find("form").Submit();

        // The new workspace opens on its Import page, its number in the address.
        var navigation = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        page.WaitForAssertion(() => Assert.Matches(@"/w/\d+/import$", navigation.Uri));
        await using var db = Database.CreateDbContext();
        var created = await db.Workspaces.SingleAsync(w => w.Name == "Acme Plumbing");
        Assert.EndsWith($"/w/{created.Id}/import", navigation.Uri);
    }

    [SkippableFact]
    public void Workspaces_Empty_InvitesToCreate()
    {
        var page = Context.Render<WorkspacesPage>();

        page.WaitForAssertion(() => Assert.Contains("No workspaces yet", page.Markup));
    }
}

/// <summary>Pages over a database that fails: each says so in plain words instead of breaking.</summary>
public sealed class PageErrorTests : IAsyncLifetime
{
    private readonly BunitContext _context = new();

    public PageErrorTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddSingleton<MudBlazor.ISnackbar, MudBlazor.SnackbarService>();
        MudBlazor.Services.ServiceCollectionExtensions.AddMudServices(_context.Services);
        var broken = new BrokenDatabase();
        _context.Services.AddSingleton<IDbContextFactory<ClickInsightsDbContext>>(broken);
        _context.Services.AddSingleton(new ReportService(broken));
        _context.Services.AddSingleton(new CampaignNames(broken));
        _context.Services.AddSingleton(new DomainReport(broken));
        _context.Services.AddSingleton<ClickInsights.Core.WorkspaceActivity>();
        _context.Services.AddSingleton(new ClickReports(broken, ClickInsights.Core.Classification.ScannerCatalogue.Default));
        var classification = new ClickInsights.Core.Classification.ClassificationService(broken, ClickInsights.Core.Classification.ScannerCatalogue.Default, TimeProvider.System);
        _context.Services.AddSingleton(new ClickInsights.Core.Classification.OverrideService(broken, classification, TimeProvider.System));
        _context.Services.AddSingleton(new CampaignSends(broken, classification));
        _context.Services.AddScoped<ClickInsights.Web.CurrentWorkspace>();
        _context.Services.AddSingleton(TimeProvider.System);
        ClickInsights.Core.Accounts.AccountsServiceCollectionExtensions.AddAccounts(_context.Services);
        _context.Services.AddScoped<ClickInsights.Web.Viewer>();
    }

    [Fact]
    public void Overview_DatabaseFails_ShowsError()
    {
        var page = _context.Render<Overview>();
        page.WaitForAssertion(() => Assert.Contains("could not be loaded", page.Markup));
    }

    [Fact]
    public void Campaign_DatabaseFails_ShowsError()
    {
        var page = _context.Render<CampaignPage>(p => p.Add(c => c.Id, 1));
        page.WaitForAssertion(() => Assert.Contains("could not be loaded", page.Markup));
    }

    [Fact]
    public void ClickEvidence_DatabaseFails_ShowsError()
    {
        var page = _context.Render<ClickEvidence>(p => p.Add(c => c.EventId, 1));
        page.WaitForAssertion(() => Assert.Contains("could not be loaded", page.Markup));
    }

    [Fact]
    public void Timeline_DatabaseFails_ShowsError()
    {
        var page = _context.Render<RecipientTimelinePage>(p => p.Add(c => c.Id, 1));
        page.WaitForAssertion(() => Assert.Contains("could not be loaded", page.Markup));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private sealed class BrokenDatabase : IDbContextFactory<ClickInsightsDbContext>
    {
        public ClickInsightsDbContext CreateDbContext() => throw new InvalidOperationException("the database file cannot be opened");
    }
}

/// <summary><see cref="PageTests"/> on SQLite.</summary>
public sealed class PageTestsOnSqlite() : PageTests(StoreKind.Sqlite);

/// <summary><see cref="PageTests"/> on PostgreSQL.</summary>
public sealed class PageTestsOnPostgreSql() : PageTests(StoreKind.PostgreSql);
