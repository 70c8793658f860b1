using ClickInsights.Tests.Support;
using Bunit;
using ClickInsights.Core.Data;
using ClickInsights.Core.Reports;
using ClickInsights.Web.Components.Pages.Domains;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Tests.Web;

/// <summary>One recipient domain across the workspace's campaigns: the figures, its clickers, and a decision for all of it.</summary>
public abstract class DomainPageTests(StoreKind store) : BunitTestBase(store)
{
    private const string Scanned = "harbordental.com";

    private IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> Render(string domain) =>
        Context.Render(builder =>
        {
            builder.OpenComponent<MudBlazor.MudDialogProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<DomainPage>(1);
            builder.AddAttribute(2, nameof(DomainPage.Domain), domain);
            builder.CloseComponent();
        });

    [SkippableFact]
    public async Task Report_AddsUpToTheDomainsRowOnTheDomainsPage()
    {
        var workspace = await Database.SeedDemoAsync();
        var report = Context.Services.GetRequiredService<DomainReport>();

        var row = (await report.DomainsAsync(workspace)).Single(r => r.Domain == Scanned);
        var detail = await report.DomainAsync(workspace, "  HarborDental.com ");

        Assert.NotNull(detail);
        Assert.Equal(row.Recipients, detail.Recipients);
        Assert.Equal(row.Clicks, detail.Clicks);
        Assert.Equal(row.BotClicks, detail.BotClicks);
        Assert.Equal(row.HumanClicks, detail.HumanClicks);
        // Clicks recipient by recipient (from the events) agree with the campaigns' stored breakdowns.
        Assert.Equal(detail.Clicks, detail.Clickers.Sum(c => c.Clicks));
        Assert.Equal(detail.BotClicks, detail.Clickers.Sum(c => c.BotClicks));
        Assert.True(detail.Campaigns.Count > 1);
        // Recipients who clicked as a person at least once, across campaigns: fewer than those the provider reports.
        Assert.Equal(detail.Clickers.Count(c => c.HumanClicks > 0), detail.HumanClickersTotal);
        Assert.True(detail.HumanClickersTotal < detail.ClickersTotal);
        Assert.Null(await report.DomainAsync(workspace, "nobody-here.example"));
    }

    [SkippableFact]
    public async Task ShowsEachCampaignAndWhoClicked_WithLinksToThem()
    {
        await Database.SeedDemoAsync();

        var page = Render(Scanned);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=domain-campaigns] tbody tr")));
        var campaignLink = page.Find("[data-testid=domain-campaigns] tbody tr a").GetAttribute("href")!;
        Assert.Matches(@"^/campaigns/\d+\?domain=harbordental\.com#clicks$", campaignLink);
        var recipientLink = page.Find("[data-testid=domain-clickers] tbody tr a");
        Assert.StartsWith("/recipients/", recipientLink.GetAttribute("href"), StringComparison.Ordinal);
        Assert.EndsWith("@harbordental.com", recipientLink.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("Recipients here", page.Markup);
        Assert.Contains("not looked up yet", page.Find("[data-testid=domain-gateway]").TextContent, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task UnknownDomain_SaysNoRecipientIsThere()
    {
        await Database.SeedDemoAsync();

        var page = Render("nobody-here.example");

        page.WaitForAssertion(() => Assert.Contains("No recipient of this workspace is at nobody-here.example", page.Find("[data-testid=empty]").TextContent));
    }

    [SkippableFact]
    public async Task DecisionForTheDomain_AsksFirst_ThenCountsEveryClickAsABot_AndCanBeUndone()
    {
        await Database.SeedDemoAsync();
        var page = Render(Scanned);
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=mark-domain-bot]")));

        page.Find("[data-testid=mark-domain-bot]").Click();
        page.WaitForAssertion(() => Assert.Contains("including people there who really clicked", page.Markup));
        page.FindAll("button").First(b => b.TextContent.Trim() == "Yes, decide for all").Click();

        page.WaitForAssertion(() => Assert.Contains("you counted every click from here as a bot", page.Find("[data-testid=domain-decision]").TextContent), TimeSpan.FromSeconds(30));
        await using (var db = Database.CreateDbContext())
        {
            var decision = await db.Overrides.SingleAsync();
            Assert.Equal((OverrideScope.Domain, Scanned, Verdict.Bot), (decision.Scope, decision.Key, decision.Verdict));
        }
        var report = await Context.Services.GetRequiredService<DomainReport>().DomainAsync(1, Scanned);
        Assert.Equal(0, report!.HumanClicks);
        Assert.Equal(report.Clicks, report.BotClicks);

        page.Find("[data-testid=undo-domain]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=domain-decision]")), TimeSpan.FromSeconds(30));
        await using var after = Database.CreateDbContext();
        Assert.False(await after.Overrides.AnyAsync());
    }
}

/// <summary><see cref="DomainPageTests"/> on SQLite.</summary>
public sealed class DomainPageTestsOnSqlite() : DomainPageTests(StoreKind.Sqlite);

/// <summary><see cref="DomainPageTests"/> on PostgreSQL.</summary>
public sealed class DomainPageTestsOnPostgreSql() : DomainPageTests(StoreKind.PostgreSql);
