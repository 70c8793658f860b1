using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using ClickInsights.Tests.Support;
using Bunit;
using ClickInsights.Web.Components.Pages;
using ClickInsights.Web.Components.Pages.Campaigns;

namespace ClickInsights.Tests.Web;

public abstract class OverviewTests(StoreKind store) : BunitTestBase(store)
{
    [SkippableFact]
    public async Task Overview_WithDemoWorkspace_ListsCampaignsAndHeadline()
    {
        await Database.SeedDemoAsync();

        var page = Context.Render<Overview>();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("September Newsletter", page.Markup);
            Assert.Contains("Year-End Thank You", page.Markup);
            var headline = System.Text.RegularExpressions.Regex.Replace(page.Find("[data-testid=headline]").TextContent, @"\s+", " ");
            // People first, against the delivered base, and the two rates agree with the counts they stand on.
            var people = System.Text.RegularExpressions.Regex.Match(headline, @"([\d,]+) people clicked your last campaign, “Year-End Thank You”: ([\d.]+)% of ([\d,]+) delivered\.");
            Assert.True(people.Success, headline);
            var reported = System.Text.RegularExpressions.Regex.Match(headline, @"Your provider reports ([\d,]+) who clicked \(([\d.]+)%\)");
            Assert.True(reported.Success, headline);
            var delivered = Number(people.Groups[3].Value);
            Assert.Equal(Math.Round(100.0 * Number(people.Groups[1].Value) / delivered, 1), double.Parse(people.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Math.Round(100.0 * Number(reported.Groups[1].Value) / delivered, 1), double.Parse(reported.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            // Clicks come second, in a sentence of their own.
            Assert.Matches(@"Counted in clicks: [\d,]+ clicks reported, [\d,]+ by people, [\d,]+ by scanners", headline);
        });
        Assert.Equal(6, page.FindAll("[data-testid=campaign-table] tbody tr").Count);
    }

    [SkippableFact]
    public async Task Overview_ReadsItsFiguresAgain_WhenWorkInTheWorkspaceEnds()
    {
        var workspace = await Database.SeedDemoAsync();
        var activity = Context.Services.GetRequiredService<ClickInsights.Core.WorkspaceActivity>();
        var page = Context.Render<Overview>();
        page.WaitForAssertion(() => Assert.Contains("Year-End Thank You", page.Markup));

        // Work changes a figure while it runs (here: a campaign's name), and ends: the page shows the new figures.
        using (activity.Start(workspace, "someone", "Recomputing"))
        {
            await using var db = Database.CreateDbContext();
            var last = await db.Campaigns.SingleAsync(c => c.Name == "Year-End Thank You");
            last.Name = "Year-End Thanks, recomputed";
            await db.SaveChangesAsync();
        }

        page.WaitForAssertion(() => Assert.Contains("Year-End Thanks, recomputed", page.Markup));
    }

    [SkippableFact]
    public async Task CampaignPagesAndReport_ReadTheirFiguresAgain_WhenAnotherInstancesWorkEnds_ButNotAnotherWorkspaces()
    {
        var workspace = await Database.SeedDemoAsync();
        var other = await Database.CreateWorkspaceAsync("Other shop");
        var activity = Context.Services.GetRequiredService<ClickInsights.Core.WorkspaceActivity>();
        int last;
        await using (var db = Database.CreateDbContext())
        {
            last = await db.Campaigns.Where(c => c.Name == "Year-End Thank You").Select(c => c.Id).SingleAsync();
        }
        Context.Services.GetRequiredService<ClickInsights.Web.CurrentWorkspace>().Use(workspace);
        var campaign = Context.Render<CampaignPage>(p => p.Add(c => c.Id, last));
        var list = Context.Render<CampaignList>();
        var report = Context.Render<ClickInsights.Web.Components.Shared.WorkspaceReportView>(p => p.Add(c => c.WorkspaceId, workspace));
        campaign.WaitForAssertion(() => Assert.Contains("Year-End Thank You", campaign.Markup));
        list.WaitForAssertion(() => Assert.Contains("Year-End Thank You", list.Markup));
        report.WaitForAssertion(() => Assert.Contains("Year-End Thank You", report.Markup));
        await using (var db = Database.CreateDbContext())
        {
            (await db.Campaigns.SingleAsync(c => c.Id == last)).Name = "Year-End Thanks, recomputed";
            await db.SaveChangesAsync();
        }
        ClickInsights.Core.Activity Work(int id) => new(Guid.NewGuid(), id, "bob@example.test", "Classifying the events that just arrived", null, null, DateTime.UtcNow, "classify");

        // Work in another workspace ends: these pages keep what they show.
        activity.ApplyRemote(new ClickInsights.Core.ActivityChange(Work(other), Ended: true));
        await Task.Delay(500);
        Assert.DoesNotContain("recomputed", campaign.Markup + list.Markup + report.Markup);

        // Another instance's quick job in this workspace ends (its start was never heard): every page reads its figures again.
        activity.ApplyRemote(new ClickInsights.Core.ActivityChange(Work(workspace), Ended: true));
        campaign.WaitForAssertion(() => Assert.Contains("Year-End Thanks, recomputed", campaign.Markup));
        list.WaitForAssertion(() => Assert.Contains("Year-End Thanks, recomputed", list.Markup));
        report.WaitForAssertion(() => Assert.Contains("Year-End Thanks, recomputed", report.Markup));
    }

    [SkippableFact]
    public async Task Overview_SourceWithoutDeliveries_SaysRatesCannotBeWorkedOut()
    {
        // Postmark gives clicks only: how many emails were delivered is unknown, so no rate is 0 %.
        var workspace = await Database.CreateWorkspaceAsync();
        await Database.Importer.ImportAsync(workspace, Support.Samples.Utf8(Support.ProviderSamples.PostmarkClickWebhook), "postmark.json");

        var page = Context.Render<Overview>();

        page.WaitForAssertion(() =>
        {
            var headline = page.Find("[data-testid=headline]").TextContent;
            Assert.Contains("The rates are unknown", headline);
            Assert.DoesNotContain("0.0%", headline);
        });
        Assert.Contains("unknown", page.Find("[data-testid=campaign-table] tbody tr").TextContent);
    }

    private static int Number(string text) => int.Parse(text.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);

    [SkippableFact]
    public void Overview_WithoutWorkspace_ExplainsHowToStart()
    {
        var page = Context.Render<Overview>();

        page.WaitForAssertion(() => Assert.Contains("no campaigns in this workspace yet", page.Markup));
        // Its two first steps, each a button.
        Assert.Contains("Import a file", page.Find("[data-testid=first-step-import]").TextContent);
        Assert.Contains("Connect a provider", page.Find("[data-testid=first-step-connect]").TextContent);
    }

    [SkippableFact]
    public async Task CampaignPage_ShowsFiguresAndReasons()
    {
        await Database.SeedDemoAsync();

        var page = Context.Render<CampaignPage>(p => p.Add(c => c.Id, 1));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("September Newsletter", page.Markup);
            Assert.Contains("People who clicked", page.Markup);
            Assert.Contains("the real click rate", page.Markup);
            Assert.Contains("Several links within seconds", page.Markup);
        });
    }

    [SkippableFact]
    public async Task CampaignPage_RenamesTheCampaign_RefusingAnEmptyName()
    {
        await Database.SeedDemoAsync();

        var page = Context.Render<CampaignPage>(p => p.Add(c => c.Id, 1));
        page.WaitForAssertion(() => page.Find("[data-testid=rename]"));
        page.Find("[data-testid=rename] button, button[data-testid=rename]").Click();
        page.WaitForElement("[data-testid=rename-input] input, input[data-testid=rename-input]").Input("   ");
        page.Find("[data-testid=rename-save]").Click();
        page.WaitForAssertion(() => Assert.Contains("Type a name for the campaign.", page.Markup));

        page.Find("[data-testid=rename-input] input, input[data-testid=rename-input]").Input("Autumn newsletter");
        page.Find("[data-testid=rename-save]").Click();

        page.WaitForAssertion(() => Assert.Equal("Autumn newsletter", page.Find("h1").TextContent.Trim()));
        await using var db = Database.CreateDbContext();
        Assert.Equal("Autumn newsletter", (await db.Campaigns.FindAsync(1))!.Name);
    }

    [SkippableFact]
    public async Task CampaignPage_OfClicksOnly_SaysWhyThereIsNoRate_AndWorksItOutFromTheDeliveredCountEntered()
    {
        var workspace = await Database.CreateWorkspaceAsync();
        await Database.Importer.ImportAsync(workspace, Support.Samples.Utf8(Support.ProviderSamples.PostmarkClickWebhook), "postmark.json");
        await using var db = Database.CreateDbContext();
        var id = db.Campaigns.Single().Id;

        var page = Context.Render<CampaignPage>(p => p.Add(c => c.Id, id));
        page.WaitForAssertion(() => Assert.Contains("Why there are no click rates", page.Markup));
        page.WaitForElement("[data-testid=delivered-by-hand] input, input[data-testid=delivered-by-hand]").Change("250");
        page.Find("[data-testid=save-sends]").Click();

        page.WaitForAssertion(() => Assert.Contains("250 delivered was entered by hand", page.Markup));
        Assert.Contains("of 250 delivered: the real click rate", page.Markup);
    }

    [SkippableFact]
    public void CampaignPage_UnknownCampaign_SaysSo()
    {
        var page = Context.Render<CampaignPage>(p => p.Add(c => c.Id, 999));

        page.WaitForAssertion(() => Assert.Contains("There is no campaign with number 999", page.Markup));
    }
}

/// <summary><see cref="OverviewTests"/> on SQLite.</summary>
public sealed class OverviewTestsOnSqlite() : OverviewTests(StoreKind.Sqlite);

/// <summary><see cref="OverviewTests"/> on PostgreSQL.</summary>
public sealed class OverviewTestsOnPostgreSql() : OverviewTests(StoreKind.PostgreSql);
