using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Classification;

/// <summary>Settings that cannot be used are refused before anything is stored; the preview tries the hidden link's pattern as typed.</summary>
public abstract class SettingsValidationTests(StoreKind store)
{
    [SkippableFact]
    public void DefaultSettings_HaveNoProblem() => Assert.Null(ClassifierSettings.Default.Problem());

    [SkippableFact]
    public void WeightAgainstAPerson_BelowZero_IsRefused() =>
        Assert.Contains("SelfNamedAgentWeight speaks against a person", (ClassifierSettings.Default with { SelfNamedAgentWeight = -100 }).Problem());

    [SkippableFact]
    public void WeightForAPerson_AboveZero_IsRefused() =>
        Assert.Contains("ConfirmedHumanWeight speaks for a person", (ClassifierSettings.Default with { ConfirmedHumanWeight = 40 }).Problem());

    [SkippableFact]
    public async Task Save_WithABadWeightOrAPatternInEveryLink_StoresNothing()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.SeedDemoAsync();
        var service = new SettingsPreviewService(database, database.Classification);

        var badWeight = await Assert.ThrowsAsync<ArgumentException>(() => service.SaveAsync(workspace, ClassifierSettings.Default with { FollowedByPersonWeight = 30 }, null));
        var everyLink = await Assert.ThrowsAsync<ArgumentException>(() => service.SaveAsync(workspace, ClassifierSettings.Default, "https"));

        Assert.Contains("FollowedByPersonWeight", badWeight.Message);
        Assert.Contains("part of every link", everyLink.Message);
        await using var db = database.CreateDbContext();
        var stored = await db.Workspaces.SingleAsync(w => w.Id == workspace);
        Assert.Null(stored.ClassifierSettingsJson);
        Assert.Null(stored.HoneypotPattern);
    }

    [SkippableFact]
    public async Task Preview_TriesTheHiddenLinksPatternAsTyped()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.SeedDemoAsync();
        var service = new SettingsPreviewService(database, database.Classification);

        var without = await service.PreviewAsync(workspace, ClassifierSettings.Default);
        var withPattern = await service.PreviewAsync(workspace, ClassifierSettings.Default, honeypotPattern: "/menu");

        Assert.Equal(0, without.ChangedClicks);
        Assert.True(withPattern.ChangedClicks > 0);
        Assert.True(withPattern.Campaigns.Sum(c => c.BotClicksThen) > without.Campaigns.Sum(c => c.BotClicksThen));
    }
}

public abstract class LongRunOverrideTests(StoreKind store)
{
    [SkippableFact]
    public async Task OverrideMadeDuringALongRun_IsNotUndoneByIt()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.SeedDemoAsync();
        List<int> campaigns;
        long bot;
        await using (var db = database.CreateDbContext())
        {
            campaigns = await db.Campaigns.Where(c => c.WorkspaceId == workspace).OrderBy(c => c.Id).Select(c => c.Id).Take(3).ToListAsync();
            bot = await db.ClickVerdicts.Where(v => v.CampaignId == campaigns[2] && v.Verdict == Verdict.Bot).Select(v => v.EventId).FirstAsync();
        }
        // Once the first campaign is stored, a person marks a click of the third one as a person (as the click page does).
        var progress = new Synchronous(done =>
        {
            if (done == 1)
            {
                SaveClickIsAPerson(database, workspace, bot);
            }
        });

        await database.Classification.ClassifyCampaignsAsync(campaigns, progress);

        await using var after = database.CreateDbContext();
        Assert.Equal(Verdict.Human, (await after.ClickVerdicts.SingleAsync(v => v.EventId == bot)).Verdict);
    }

    [SkippableFact]
    public async Task OverrideSavedBetweenClassifyingAndStoring_IsNotOverwrittenByTheStore()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.SeedDemoAsync();
        int campaign;
        long bot;
        await using (var db = database.CreateDbContext())
        {
            campaign = await db.Campaigns.Where(c => c.WorkspaceId == workspace).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
            bot = await db.ClickVerdicts.Where(v => v.CampaignId == campaign && v.Verdict == Verdict.Bot).Select(v => v.EventId).FirstAsync();
        }
        // The classifier asks for the time once it has read the decisions and classified: that is when the person saves
        // theirs (and its own recompute has already stored), before this run stores what it classified without it.
        var duringClassifying = new SavesOnceAtFirstCall(() =>
        {
            SaveClickIsAPerson(database, workspace, bot);
        });
        var service = new ClassificationService(database, ScannerCatalogue.Default, duringClassifying);

        await service.ClassifyCampaignsAsync([campaign]);

        Assert.True(duringClassifying.Called);
        await using var after = database.CreateDbContext();
        Assert.Equal(Verdict.Human, (await after.ClickVerdicts.SingleAsync(v => v.EventId == bot)).Verdict);
    }

    [SkippableFact]
    public async Task CampaignDeletedBeforeItsTurn_IsSkipped_AndTheRunGoesOn()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.SeedDemoAsync();
        List<int> campaigns;
        await using (var db = database.CreateDbContext())
        {
            campaigns = await db.Campaigns.Where(c => c.WorkspaceId == workspace).OrderBy(c => c.Id).Select(c => c.Id).Take(2).ToListAsync();
        }

        // A run asked for before a campaign was deleted (as a recompute of settings while an import is taken back).
        await database.Classification.ClassifyCampaignsAsync([campaigns[0], 9_999, campaigns[1]]);

        await using var after = database.CreateDbContext();
        Assert.Equal(2, await after.CampaignSummaries.CountAsync(s => campaigns.Contains(s.CampaignId)));
        Assert.False(await after.CampaignSummaries.AnyAsync(s => s.CampaignId == 9_999));
    }

    [SkippableFact]
    public async Task DecisionsThatKeepComing_DoNotKeepACampaignFromBeingStored()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.SeedDemoAsync();
        int campaign;
        long[] clicks;
        await using (var db = database.CreateDbContext())
        {
            campaign = await db.Campaigns.Where(c => c.WorkspaceId == workspace).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
            clicks = await db.ClickVerdicts.Where(v => v.CampaignId == campaign).Select(v => v.EventId).Take(10).ToArrayAsync();
            await db.CampaignSummaries.Where(s => s.CampaignId == campaign).ExecuteDeleteAsync();
        }
        // A new decision is saved while each classification of the campaign goes on.
        var saved = 0;
        var time = new SavesAtEveryCall(() =>
        {
            SaveClickIsAPerson(database, workspace, clicks[saved++]);
        });

        await new ClassificationService(database, ScannerCatalogue.Default, time).ClassifyCampaignsAsync([campaign]);

        Assert.True(saved >= 3);
        await using var after = database.CreateDbContext();
        Assert.True(await after.CampaignSummaries.AnyAsync(s => s.CampaignId == campaign));
    }

    [SkippableFact]
    public void APersonsDecision_ComesFirstAmongAClicksReasons()
    {
        Reason[] reasons = [new("early_click", "early", 20), new(ClassificationService.OverrideReasonCode, "a person marked this click as bot", 0), new("burst", "burst", 45)];

        Assert.Equal(ClassificationService.OverrideReasonCode, ClickInsights.Core.Reports.ClickReports.StrongestFirst(reasons, Verdict.Bot).First().Code);
        Assert.Equal("burst", ClickInsights.Core.Reports.ClickReports.StrongestFirst(reasons[2..], Verdict.Bot).Single().Code);
        Assert.Equal("early_click", ClickInsights.Core.Reports.ClickReports.StrongestFirst([reasons[0], new("later_isolated", "late", -15)], Verdict.Bot).First().Code);
        Assert.Equal("later_isolated", ClickInsights.Core.Reports.ClickReports.StrongestFirst([reasons[0], new("later_isolated", "late", -15)], Verdict.Human).First().Code);
    }

    /// <summary>Saves a person's decision that a click was a person, as the click page does.</summary>
    private static void SaveClickIsAPerson(TestDatabase database, int workspace, long click)
    {
        using var db = database.CreateDbContext();
        db.Overrides.Add(new ClickInsights.Core.Data.VerdictOverride
        {
            WorkspaceId = workspace, Scope = ClickInsights.Core.Data.OverrideScope.Click, Key = click.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Verdict = Verdict.Human, CreatedAt = DateTime.UtcNow,
        });
        db.SaveChanges();
    }

    private sealed class SavesAtEveryCall(Action save) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            save();
            return base.GetUtcNow();
        }
    }

    private sealed class SavesOnceAtFirstCall(Action save) : TimeProvider
    {
        public bool Called { get; private set; }

        public override DateTimeOffset GetUtcNow()
        {
            if (!Called)
            {
                Called = true;
                save();
            }
            return base.GetUtcNow();
        }
    }

    private sealed class Synchronous(Action<int> done) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => done(value.Done);
    }
}

public sealed class InterruptedSaveTests
{
    [Fact]
    public async Task SettingsStoredButNotRecomputed_AreRecomputedAtTheNextStart()
    {
        using var database = new TestDatabase();
        var workspace = await database.SeedDemoAsync();
        Assert.Empty(await DatabaseMigrator.StaleCampaignsAsync(database));
        // As a save leaves it when the app stops after storing the settings, before recomputing.
        await using (var db = database.CreateDbContext())
        {
            var stored = await db.Workspaces.SingleAsync(w => w.Id == workspace);
            stored.ClassifierSettingsJson = System.Text.Json.JsonSerializer.Serialize(ClassifierSettings.Default with { BotThreshold = 80 });
            await db.SaveChangesAsync();
        }

        var stale = await DatabaseMigrator.StaleCampaignsAsync(database);
        await database.Classification.ClassifyCampaignsAsync(stale);

        await using var after = database.CreateDbContext();
        Assert.Equal(await after.Campaigns.CountAsync(c => c.WorkspaceId == workspace), stale.Count);
        Assert.Empty(await DatabaseMigrator.StaleCampaignsAsync(database));
    }
}

/// <summary><see cref="SettingsValidationTests"/> on SQLite.</summary>
public sealed class SettingsValidationTestsOnSqlite() : SettingsValidationTests(StoreKind.Sqlite);

/// <summary><see cref="SettingsValidationTests"/> on PostgreSQL.</summary>
public sealed class SettingsValidationTestsOnPostgreSql() : SettingsValidationTests(StoreKind.PostgreSql);

/// <summary><see cref="LongRunOverrideTests"/> on SQLite.</summary>
public sealed class LongRunOverrideTestsOnSqlite() : LongRunOverrideTests(StoreKind.Sqlite);

/// <summary><see cref="LongRunOverrideTests"/> on PostgreSQL.</summary>
public sealed class LongRunOverrideTestsOnPostgreSql() : LongRunOverrideTests(StoreKind.PostgreSql);
