using ClickInsights.Core.Authentication;
using ClickInsights.Core.Data;
using ClickInsights.Core.Reports;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Authentication;

public abstract class DomainReportTests(StoreKind store)
{
    [SkippableFact]
    public async Task Domains_DemoWorkspace_MatchesEventsAndShowsGatewaysOffline()
    {
        using var database = new TestDatabase(store);
        var workspaceId = await database.SeedDemoAsync();
        using var silent = new SilentDnsServer(); // no network: the demo must not need one
        var runner = GatewayTests.Runner(database, Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(100)));
        await runner.LookUpAsync(workspaceId);

        var rows = await new DomainReport(database).DomainsAsync(workspaceId);

        await using var db = database.CreateDbContext();
        var clicks = await (
            from e in db.Events
            where e.WorkspaceId == workspaceId && e.Type == EventType.Click
            join r in db.Recipients on e.RecipientId equals r.Id
            join v in db.ClickVerdicts on e.Id equals v.EventId into vs
            from v in vs.DefaultIfEmpty()
            select new { r.Domain, e.RecipientId, e.CampaignId, Verdict = (Verdict?)v.Verdict }).ToListAsync();
        var recipients = await db.Recipients.Where(r => r.WorkspaceId == workspaceId).GroupBy(r => r.Domain).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();

        Assert.Equal(recipients.Count, rows.Count);
        foreach (var row in rows)
        {
            var mine = clicks.Where(c => c.Domain == row.Domain).ToList();
            Assert.Equal(recipients.Single(r => r.Key == row.Domain).Count, row.Recipients);
            Assert.Equal(mine.Count, row.Clicks);
            Assert.Equal(mine.Count(c => c.Verdict == Verdict.Bot), row.BotClicks);
            Assert.Equal(mine.Count(c => c.Verdict == Verdict.Human), row.HumanClicks);
            // Clickers are counted per campaign and added up over campaigns (from the stored breakdowns).
            Assert.Equal(mine.Select(c => (c.CampaignId, c.RecipientId)).Distinct().Count(), row.RawClickers);
            Assert.Equal(mine.Where(c => c.Verdict == Verdict.Human).Select(c => (c.CampaignId, c.RecipientId)).Distinct().Count(), row.HumanClickers);
            Assert.Null(row.GatewayError);
            Assert.NotNull(row.GatewayCheckedAt);
        }
        Assert.Equal(rows.OrderByDescending(r => r.BotClicks).Select(r => r.BotClicks), rows.Select(r => r.BotClicks));
        Assert.Equal("Microsoft 365", rows.Single(r => r.Domain == "harbordental.com").Gateway);
        Assert.Equal("Proofpoint", rows.Single(r => r.Domain == "summitaccounting.com").Gateway);
        Assert.Equal("Barracuda", rows.Single(r => r.Domain == "lakesiderealty.com").Gateway);
        Assert.True(rows[0].BotShare > 0.5, "the demo's top domain is a Safe Links domain");
    }

    [SkippableFact]
    public async Task Domains_BeforeAnyLookup_ShowGatewayPending()
    {
        using var database = new TestDatabase(store);
        var workspaceId = await database.CreateWorkspaceAsync();
        await using (var db = database.CreateDbContext())
        {
            db.Recipients.Add(new Recipient { WorkspaceId = workspaceId, Email = "a@x.test", Domain = "x.test" });
            await db.SaveChangesAsync();
        }

        var row = Assert.Single(await new DomainReport(database).DomainsAsync(workspaceId));

        Assert.True(row.GatewayPending);
        Assert.Equal((1, 0, 0, 0.0), (row.Recipients, row.Clicks, row.RawClickers, row.BotShare));
    }
}

public abstract class AuthImpactReportTests(StoreKind store)
{
    private static readonly DateTime Passed = new(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    [SkippableFact]
    public async Task Impact_NotPassedYet_SaysSo()
    {
        using var database = new TestDatabase(store);
        var workspaceId = await database.CreateWorkspaceAsync();
        await AddCampaignsAsync(database, workspaceId, (Passed.AddDays(-10), 100, 60));

        var impact = await new AuthImpactReport(database).ForWorkspaceAsync(workspaceId);

        Assert.Null(impact.PassedAt);
        Assert.False(impact.EnoughData);
        Assert.Contains("has not passed", impact.Summary);
        Assert.Equal(1, impact.Before.Campaigns);
    }

    [SkippableFact]
    public async Task Impact_TooFewCampaignsAfter_SaysTooLittleDataWithCounts()
    {
        using var database = new TestDatabase(store);
        var workspaceId = await database.CreateWorkspaceAsync(passedAt: Passed);
        await AddCampaignsAsync(database, workspaceId,
            (Passed.AddDays(-30), 100, 60), (Passed.AddDays(-10), 100, 50), (Passed.AddDays(5), 100, 20), (null, 50, 50));

        var impact = await new AuthImpactReport(database).ForWorkspaceAsync(workspaceId);

        Assert.False(impact.EnoughData);
        Assert.Contains("Too little data", impact.Summary);
        Assert.Contains("2 campaigns were sent before it and 1 campaign after", impact.Summary);
        Assert.Equal(1, impact.Undated);
    }

    [SkippableFact]
    public async Task Impact_EnoughOnBothSides_ComparesBotShares()
    {
        using var database = new TestDatabase(store);
        var workspaceId = await database.CreateWorkspaceAsync(passedAt: Passed);
        await AddCampaignsAsync(database, workspaceId,
            (Passed.AddDays(-30), 100, 60), (Passed.AddDays(-10), 100, 40), (Passed, 100, 20), (Passed.AddDays(7), 100, 30));

        var impact = await new AuthImpactReport(database).ForWorkspaceAsync(workspaceId);

        Assert.True(impact.EnoughData);
        Assert.Equal((2, 200, 100), (impact.Before.Campaigns, impact.Before.Clicks, impact.Before.BotClicks));
        Assert.Equal((2, 200, 50), (impact.After.Campaigns, impact.After.Clicks, impact.After.BotClicks));
        Assert.Contains("25% of clicks were scanners", impact.Summary);
        Assert.Contains("against 50% before", impact.Summary);
        Assert.Contains("25 percentage points lower", impact.Summary);
    }

    internal static async Task AddCampaignsAsync(TestDatabase database, int workspaceId, params (DateTime? SentAt, int Clicks, int BotClicks)[] campaigns)
    {
        await using var db = database.CreateDbContext();
        var i = 0;
        foreach (var (sentAt, clicks, bots) in campaigns)
        {
            var campaign = new Campaign { WorkspaceId = workspaceId, Source = "test", ExternalId = $"c{i}", Name = $"Campaign {i++}", SentAt = sentAt };
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            db.CampaignSummaries.Add(new CampaignSummary { CampaignId = campaign.Id, Clicks = clicks, BotClicks = bots, HumanClicks = clicks - bots, Delivered = 100 });
        }
        await db.SaveChangesAsync();
    }
}

public sealed class AuthenticationServiceTests(SenderZone zone) : IClassFixture<SenderZone>
{
    [Fact]
    public async Task Save_NormalisesInput_AndRejectsNonsense()
    {
        using var database = new TestDatabase();
        var workspaceId = await database.CreateWorkspaceAsync();
        var service = new AuthenticationService(database, zone.Checker(), TimeProvider.System);

        Assert.Null(await service.SaveSettingsAsync(workspaceId, "https://www.Good.test/", "SendGrid", " S1._domainkey.good.test "));
        var state = await service.LoadAsync(workspaceId);
        Assert.Equal(("good.test", "sendgrid", "s1"), (state!.SendingDomain, state.Provider, state.Selector));

        Assert.Contains("not a domain name", await service.SaveSettingsAsync(workspaceId, "not a domain", "sendgrid", null));
        Assert.Contains("not a provider", await service.SaveSettingsAsync(workspaceId, "good.test", "pigeon", null));
    }

    [Fact]
    public async Task Check_RecordsFirstPassOnce_AndKeepsItWhenLaterChecksFail()
    {
        using var database = new TestDatabase();
        var workspaceId = await database.CreateWorkspaceAsync();
        var service = new AuthenticationService(database, zone.Checker(), TimeProvider.System);
        await service.SaveSettingsAsync(workspaceId, "good.test", "sendgrid", null);

        var first = await service.CheckAsync(workspaceId);
        var passedAt = (await service.LoadAsync(workspaceId))!.FirstPassedAt;
        await service.CheckAsync(workspaceId);

        Assert.True(first!.Passed);
        Assert.NotNull(passedAt);
        Assert.Equal(passedAt, (await service.LoadAsync(workspaceId))!.FirstPassedAt);

        using var silent = new SilentDnsServer();
        var offline = new AuthenticationService(database, zone.Checker(Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(200))), TimeProvider.System);
        var unknown = await offline.CheckAsync(workspaceId);
        var state = await offline.LoadAsync(workspaceId);

        Assert.Equal(CheckStatus.Unknown, unknown!.Overall);
        Assert.Equal(passedAt, state!.FirstPassedAt);
        Assert.Equal(CheckStatus.Unknown, state.LastResult!.Overall);
        Assert.Equal(unknown.CheckedAt, state.LastCheckedAt);
    }

    [Fact]
    public async Task Check_FailingDomain_DoesNotRecordAPass()
    {
        using var database = new TestDatabase();
        var workspaceId = await database.CreateWorkspaceAsync();
        var service = new AuthenticationService(database, zone.Checker(), TimeProvider.System);
        await service.SaveSettingsAsync(workspaceId, "noinclude.test", "sendgrid", null);

        var result = await service.CheckAsync(workspaceId);

        Assert.False(result!.Passed);
        Assert.Null((await service.LoadAsync(workspaceId))!.FirstPassedAt);
    }

    [Fact]
    public async Task AnotherSendingDomain_ForgetsWhenTheOldOnePassed()
    {
        using var database = new TestDatabase();
        var workspaceId = await database.CreateWorkspaceAsync();
        var service = new AuthenticationService(database, zone.Checker(), TimeProvider.System);
        await service.SaveSettingsAsync(workspaceId, "good.test", "sendgrid", null);
        await service.CheckAsync(workspaceId);
        Assert.NotNull((await service.LoadAsync(workspaceId))!.FirstPassedAt);

        await service.SaveSettingsAsync(workspaceId, "noinclude.test", "sendgrid", null);
        var failing = await service.CheckAsync(workspaceId);

        Assert.False(failing!.Passed);
        Assert.Null((await service.LoadAsync(workspaceId))!.FirstPassedAt);
    }

    [Fact]
    public async Task ChangingSettings_ForgetsTheResultOfTheOldOnes()
    {
        using var database = new TestDatabase();
        var workspaceId = await database.CreateWorkspaceAsync();
        var service = new AuthenticationService(database, zone.Checker(), TimeProvider.System);
        await service.SaveSettingsAsync(workspaceId, "good.test", "sendgrid", null);
        await service.CheckAsync(workspaceId);

        await service.SaveSettingsAsync(workspaceId, "good.test", "sendgrid", null);
        Assert.NotNull((await service.LoadAsync(workspaceId))!.LastResult);
        await service.SaveSettingsAsync(workspaceId, "cc.test", "constantcontact", null);
        Assert.Null((await service.LoadAsync(workspaceId))!.LastResult);
    }
}

/// <summary><see cref="DomainReportTests"/> on SQLite.</summary>
public sealed class DomainReportTestsOnSqlite() : DomainReportTests(StoreKind.Sqlite);

/// <summary><see cref="DomainReportTests"/> on PostgreSQL.</summary>
public sealed class DomainReportTestsOnPostgreSql() : DomainReportTests(StoreKind.PostgreSql);

/// <summary><see cref="AuthImpactReportTests"/> on SQLite.</summary>
public sealed class AuthImpactReportTestsOnSqlite() : AuthImpactReportTests(StoreKind.Sqlite);

/// <summary><see cref="AuthImpactReportTests"/> on PostgreSQL.</summary>
public sealed class AuthImpactReportTestsOnPostgreSql() : AuthImpactReportTests(StoreKind.PostgreSql);
