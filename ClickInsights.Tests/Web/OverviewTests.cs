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
            var headline = page.Find("[data-testid=headline]").TextContent;
            Assert.Matches(@"Of [\d,]+ clicks on your last campaign, [\d,]+ were people\.", System.Text.RegularExpressions.Regex.Replace(headline, @"\s+", " "));
        });
        Assert.Equal(6, page.FindAll("[data-testid=campaign-table] tbody tr").Count);
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
            Assert.Contains("Click rates cannot be worked out", headline);
            Assert.DoesNotContain("0.0%", headline);
        });
        Assert.Contains("unknown", page.Find("[data-testid=campaign-table] tbody tr").TextContent);
    }

    [SkippableFact]
    public void Overview_WithoutWorkspace_ExplainsHowToStart()
    {
        var page = Context.Render<Overview>();

        page.WaitForAssertion(() => Assert.Contains("no campaigns in this workspace yet", page.Markup));
    }

    [SkippableFact]
    public async Task CampaignPage_ShowsFiguresAndReasons()
    {
        await Database.SeedDemoAsync();

        var page = Context.Render<CampaignPage>(p => p.Add(c => c.Id, 1));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("September Newsletter", page.Markup);
            Assert.Contains("Real click rate", page.Markup);
            Assert.Contains("Several links within seconds", page.Markup);
        });
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
