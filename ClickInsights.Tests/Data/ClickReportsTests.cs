using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Reports;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Data;

/// <summary>The per-click views read from stored rollups; they must agree with the events themselves.</summary>
public abstract class ClickReportsTests(StoreKind store) : IAsyncLifetime
{
    private readonly TestDatabase _database = new(store);
    private ClickReports _reports = null!;

    public async Task InitializeAsync()
    {
        await _database.SeedDemoAsync();
        _reports = new ClickReports(_database, ScannerCatalogue.Default);
    }

    public static TheoryData<string?, string?, string?, bool> Filters => new()
    {
        { null, null, null, false },
        { "bot", null, null, false },
        { "human", "gmail.com", null, false },
        { null, "harbordental.com", null, false },
        { "bot", null, "burst", false },
        { "suspect", null, "domain_pattern", false },
        { null, null, "early_click", false },
        { null, null, null, true },
        { "human", null, null, true },
        { "bot", "harbordental.com", null, true },
    };

    [SkippableFact]
    public async Task ClicksTable_ShowsTheReasonThatWeighedMostFirst()
    {
        var page = await _reports.ClicksAsync(1, new ClickFilter(PageSize: 200));

        var checkedClicks = 0;
        foreach (var click in page.Items.Where(c => c.ReasonCodes.Count > 1))
        {
            var evidence = (await _reports.EvidenceAsync(click.EventId))!;
            var strongest = click.Verdict == Verdict.Human ? evidence.Reasons.Min(r => r.Weight) : evidence.Reasons.Max(r => r.Weight);
            Assert.Equal(strongest, evidence.Reasons.First(r => r.Code == click.ReasonCodes[0]).Weight);
            Assert.Equal(evidence.Reasons.Count, click.ReasonCodes.Count);
            checkedClicks++;
        }
        Assert.True(checkedClicks > 10);
    }

    [SkippableTheory]
    [MemberData(nameof(Filters))]
    public async Task ClicksTotal_MatchesTheEvents(string? verdict, string? domain, string? reason, bool firstLink)
    {
        await using var db = _database.CreateDbContext();
        int? link = firstLink ? await db.CampaignLinks.Where(l => l.CampaignId == 1).OrderBy(l => l.Id).Select(l => l.Id).FirstAsync() : null;
        var filter = new ClickFilter(Enum.TryParse<Verdict>(verdict, true, out var v) ? v : null, reason, domain, link, PageSize: 500);

        var page = await _reports.ClicksAsync(1, filter);

        var expected = await (
            from e in db.Events
            where e.CampaignId == 1 && e.Type == EventType.Click
            join cv in db.ClickVerdicts on e.Id equals cv.EventId
            join s in db.CampaignReasonSets on new { cv.CampaignId, Index = cv.ReasonSet } equals new { s.CampaignId, s.Index }
            join r in db.Recipients on e.RecipientId equals r.Id
            where (filter.Verdict == null || cv.Verdict == filter.Verdict)
                  && (domain == null || r.Domain == domain)
                  && (reason == null || s.Codes.Contains(reason))
                  && (link == null || e.LinkId == link)
            select e.Id).CountAsync();
        Assert.Equal(expected, page.Total);
        Assert.Equal(Math.Min(expected, 500), page.Items.Count);
    }

    [SkippableFact]
    public async Task ReasonsOfTheCampaign_OpenAListOfAsManyClicks_NoneOfThemPeople()
    {
        var detail = await new ReportService(_database).CampaignAsync(1);
        Assert.NotEmpty(detail!.Reasons);

        foreach (var reason in detail.Reasons)
        {
            var page = await _reports.ClicksAsync(1, new ClickFilter(Reason: reason.Code, NotHuman: true, PageSize: 5000));

            Assert.Equal(reason.Clicks, page.Total);
            Assert.Equal(reason.Clicks, page.Items.Count);
            Assert.DoesNotContain(page.Items, c => c.Verdict == Verdict.Human);
        }
    }

    [SkippableFact]
    public async Task DomainFilter_IgnoresCaseAndSpaces()
    {
        var lower = await _reports.ClicksAsync(1, new ClickFilter(Domain: "harbordental.com"));
        var typed = await _reports.ClicksAsync(1, new ClickFilter(Domain: " HarborDental.com "));

        Assert.True(lower.Total > 0);
        Assert.Equal(lower.Total, typed.Total);
        Assert.Equal(lower.Items.Select(c => c.EventId), typed.Items.Select(c => c.EventId));
    }

    [SkippableFact]
    public async Task DelayHistogram_CountsEveryClickOnce()
    {
        await using var db = _database.CreateDbContext();
        var buckets = await _reports.DelayHistogramAsync(1);

        Assert.Equal(await db.ClickVerdicts.CountAsync(v => v.CampaignId == 1), buckets.Sum(b => b.Human + b.Suspect + b.Bot));
        Assert.Equal(await db.ClickVerdicts.CountAsync(v => v.CampaignId == 1 && v.Verdict == Verdict.Human), buckets.Sum(b => b.Human));
        // Scanners come early, people late.
        Assert.True(buckets.Take(4).Sum(b => b.Bot) > buckets.Skip(4).Sum(b => b.Bot));
        Assert.True(buckets.Skip(4).Sum(b => b.Human) > buckets.Take(4).Sum(b => b.Human));
    }

    [SkippableFact]
    public async Task UnsubscribesInBursts_AreThoseNextToBotClicks()
    {
        var rows = await _reports.UnsubscribesInBurstsAsync(2);

        Assert.All(rows, r => Assert.True(r.BotClicksNearby > 0));
    }

    public Task DisposeAsync()
    {
        _database.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary><see cref="ClickReportsTests"/> on SQLite.</summary>
public sealed class ClickReportsTestsOnSqlite() : ClickReportsTests(StoreKind.Sqlite);

/// <summary><see cref="ClickReportsTests"/> on PostgreSQL.</summary>
public sealed class ClickReportsTestsOnPostgreSql() : ClickReportsTests(StoreKind.PostgreSql);
