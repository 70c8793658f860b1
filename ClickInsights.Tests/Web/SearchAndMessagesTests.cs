using System.Text;
using Bunit;
using ClickInsights.Core.Data;
using ClickInsights.Core.Reports;
using ClickInsights.Tests.Support;
using ClickInsights.Web.Components.Pages.Recipients;
using ClickInsights.Web.Components.Pages.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Tests.Web;

/// <summary>
/// What a support person finds: the search over a workspace (each kind, with the pages' figures, never another
/// workspace's data) and one recipient's messages, campaign by campaign, every click with its verdict.
/// </summary>
public abstract class SearchAndMessagesTests(StoreKind store) : BunitTestBase(store)
{
    /// <summary>A second workspace with a recipient at a demo domain, a campaign and a link of its own.</summary>
    private async Task<int> OtherWorkspaceAsync()
    {
        var other = await Database.CreateWorkspaceAsync("Other customer");
        const string Events = """
            [{"email":"zed@harbordental.com","timestamp":1788271201,"event":"delivered","sg_event_id":"o1","sg_message_id":"m1","singlesend_id":"spring-1","singlesend_name":"Spring Sale"},
             {"email":"zed@harbordental.com","timestamp":1788281201,"event":"click","sg_event_id":"o2","sg_message_id":"m1","url":"https://other.example/sourdough-offer","ip":"73.1.2.3","useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36","singlesend_id":"spring-1","singlesend_name":"Spring Sale"}]
            """;
        await Database.Importer.ImportAsync(other, new MemoryStream(Encoding.UTF8.GetBytes(Events)), "other.json");
        return other;
    }

    [SkippableFact]
    public async Task Search_FindsEachKind_WithThePagesFigures_AndKeepsToTheWorkspace()
    {
        var demo = await Database.SeedDemoAsync();
        var other = await OtherWorkspaceAsync();
        var search = Context.Services.GetRequiredService<WorkspaceSearch>();
        var domains = Context.Services.GetRequiredService<DomainReport>();
        var campaigns = await Context.Services.GetRequiredService<ReportService>().CampaignsAsync(demo);

        // An address: found whole or in part, in any case; its clicks are its own.
        var address = await search.SearchAsync(demo, "BEN.WARD@harbordental.com");
        var ben = Assert.Single(address.Recipients);
        Assert.Equal("ben.ward@harbordental.com", ben.Email);
        var timeline = (await Context.Services.GetRequiredService<ClickReports>().TimelineAsync(ben.RecipientId))!;
        Assert.Equal(timeline.Events.Count(e => e.Verdict is not null), ben.Clicks);
        Assert.Equal(timeline.Events.Count(e => e.Verdict == Verdict.Bot), ben.BotClicks);

        // A domain: with the Domains list's figures; another workspace's recipient at the same domain is not found.
        var domain = await search.SearchAsync(demo, "harbordental");
        var hit = Assert.Single(domain.Domains);
        var row = (await domains.DomainsAsync(demo)).Single(d => d.Domain == "harbordental.com");
        Assert.Equal((row.Recipients, row.Clicks, row.HumanClicks, row.BotClicks), (hit.Recipients, hit.Clicks, hit.HumanClicks, hit.BotClicks));
        Assert.DoesNotContain(domain.Recipients, r => r.Email.StartsWith("zed@", StringComparison.Ordinal));
        Assert.All(domain.Recipients, r => Assert.EndsWith("@harbordental.com", r.Email, StringComparison.Ordinal));

        // A campaign: by its name, or by its id at the provider; with its people and delivered figures.
        var byName = Assert.Single((await search.SearchAsync(demo, "thank you")).Campaigns);
        Assert.Equal(campaigns.Single(c => c.Name == "Year-End Thank You"), byName);
        await using (var db = Database.CreateDbContext())
        {
            var externalId = await db.Campaigns.Where(c => c.Id == byName.Id).Select(c => c.ExternalId).SingleAsync();
            Assert.Equal(byName.Id, Assert.Single((await search.SearchAsync(demo, externalId)).Campaigns).Id);
        }

        // A link: each campaign's link with that campaign's clicks on it.
        var links = (await search.SearchAsync(demo, "sourdough")).Links;
        Assert.True(links.Count > 1);
        Assert.All(links, l => Assert.Contains("sourdough", l.Url, StringComparison.Ordinal));
        Assert.DoesNotContain(links, l => l.Url.Contains("other.example", StringComparison.Ordinal));
        var detail = (await Context.Services.GetRequiredService<ReportService>().CampaignAsync(links[0].CampaignId))!;
        var link = detail.Links.Single(l => l.LinkId == links[0].LinkId);
        Assert.Equal((link.RawClicks, link.HumanClicks, link.BotClicks), (links[0].Clicks, links[0].HumanClicks, links[0].BotClicks));

        // Each workspace finds only its own; wildcards of the database are plain characters.
        Assert.True((await search.SearchAsync(demo, "Spring Sale")).IsEmpty);
        Assert.Equal("Spring Sale", Assert.Single((await search.SearchAsync(other, "spring")).Campaigns).Name);
        Assert.Equal("zed@harbordental.com", Assert.Single((await search.SearchAsync(other, "harbordental")).Recipients).Email);
        Assert.True((await search.SearchAsync(demo, "%")).IsEmpty);
        Assert.True((await search.SearchAsync(demo, "%%")).IsEmpty);
        Assert.True((await search.SearchAsync(demo, "b_n.ward")).IsEmpty);
        Assert.True((await search.SearchAsync(demo, "   ")).IsEmpty);
    }

    [SkippableFact]
    public async Task SearchPage_GroupsResultsByKind_WithLinksToShare()
    {
        var demo = await Database.SeedDemoAsync();

        var navigation = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"/w/{demo}/search?q=harbordental");
        var page = Context.Render<SearchPage>(p => p.Add(c => c.Ws, demo));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=found-domains] a[data-result]")));
        Assert.Equal($"/w/{demo}/domains/harbordental.com", page.Find("[data-testid=found-domains] a[data-result]").GetAttribute("href"));
        var recipients = page.FindAll("[data-testid=found-recipients] a[data-result]");
        Assert.NotEmpty(recipients);
        Assert.All(recipients, a => Assert.Matches(@"^/recipients/\d+$", a.GetAttribute("href")));
        Assert.Contains("clicks", page.Find("[data-testid=found-recipients] li").TextContent);
        Assert.Contains("harbordental", page.Find("[data-testid=search-count]").TextContent);

        navigation.NavigateTo($"/w/{demo}/search?q=nothing-like-this");
        var none = Context.Render<SearchPage>(p => p.Add(c => c.Ws, demo));
        none.WaitForAssertion(() => Assert.Contains("Nothing in this workspace matches", none.Find("[data-testid=search-none]").TextContent));
    }

    [SkippableFact]
    public async Task RecipientMessages_ListEachCampaignsEventsInOrder_EveryClickWithItsVerdictAndTimeAfterDelivery()
    {
        var demo = await Database.SeedDemoAsync();
        int recipient;
        await using (var db = Database.CreateDbContext())
        {
            // Someone whose clicks include a person's and a scanner's.
            recipient = await (
                from e in db.Events
                join v in db.ClickVerdicts on e.Id equals v.EventId
                group v.Verdict by e.RecipientId into g
                where g.Any(x => x == Verdict.Human) && g.Any(x => x == Verdict.Bot)
                select g.Key).FirstAsync();
        }
        var timeline = (await Context.Services.GetRequiredService<ClickReports>().TimelineAsync(recipient))!;

        var page = Context.Render<RecipientTimelinePage>(p => p.Add(c => c.Id, recipient));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=message]")));
        var messages = page.FindAll("[data-testid=message]");
        Assert.Equal(timeline.Events.Select(e => e.CampaignId).Distinct().Count(), messages.Count);
        var rows = page.FindAll("[data-testid=timeline] tbody tr");
        Assert.Equal(timeline.Events.Count, rows.Count);
        foreach (var message in messages)
        {
            // Within a campaign: oldest first, as the provider's activity feed lists them.
            var times = message.QuerySelectorAll("tbody tr td[data-testid=event-time]").Select(td => DateTime.Parse(td.TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(times.Order(), times);
        }
        var clicks = rows.Where(r => r.GetAttribute("data-event") == "clicked").ToList();
        Assert.Equal(timeline.Events.Count(e => e.Type == EventType.Click), clicks.Count);
        Assert.All(clicks, r => Assert.NotNull(r.QuerySelector("a[href^='/clicks/']")));
        Assert.All(clicks, r => Assert.Matches(@"^(\+.+|.+ before delivery)$", r.QuerySelector("[data-testid=after-delivery]")!.TextContent.Trim()));
        Assert.Contains(clicks, r => r.TextContent.Contains("person", StringComparison.Ordinal));
        Assert.Contains(clicks, r => r.TextContent.Contains("bot", StringComparison.Ordinal));
        Assert.All(page.FindAll("[data-testid=message-summary]"), s => Assert.Contains("sent", s.TextContent));
    }
}

/// <summary><see cref="SearchAndMessagesTests"/> on SQLite.</summary>
public sealed class SearchAndMessagesTestsOnSqlite() : SearchAndMessagesTests(StoreKind.Sqlite);

/// <summary><see cref="SearchAndMessagesTests"/> on PostgreSQL.</summary>
public sealed class SearchAndMessagesTestsOnPostgreSql() : SearchAndMessagesTests(StoreKind.PostgreSql);
