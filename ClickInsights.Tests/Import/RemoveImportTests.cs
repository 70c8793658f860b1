using ClickInsights.Core.Data;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Import;

/// <summary>Taking back an import (a file that went into the wrong workspace): what it added goes, the rest is recomputed.</summary>
public abstract class RemoveImportTests(StoreKind store) : IDisposable
{
    private readonly TestDatabase _database = new(store);

    // April's newsletter: two recipients, one of them clicks.
    private const string April = """
        [
          {"email":"ann@acme.example","timestamp":1775044800,"event":"delivered","sg_event_id":"a1","singlesend_id":"apr","singlesend_name":"April"},
          {"email":"bob@beta.example","timestamp":1775044800,"event":"delivered","sg_event_id":"a2","singlesend_id":"apr","singlesend_name":"April"},
          {"email":"ann@acme.example","timestamp":1775055600,"event":"click","sg_event_id":"a3","singlesend_id":"apr","url":"https://bakery.example/menu","ip":"81.2.3.4","useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36"}
        ]
        """;

    // A later file with more of April (a click by a new recipient, and one event already imported) and all of May.
    private const string Later = """
        [
          {"email":"ann@acme.example","timestamp":1775044800,"event":"delivered","sg_event_id":"a1","singlesend_id":"apr","singlesend_name":"April"},
          {"email":"cat@gamma.example","timestamp":1775059200,"event":"click","sg_event_id":"a4","singlesend_id":"apr","url":"https://bakery.example/order","ip":"82.2.3.4","useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36"},
          {"email":"dan@delta.example","timestamp":1777636800,"event":"delivered","sg_event_id":"m1","singlesend_id":"may","singlesend_name":"May"},
          {"email":"dan@delta.example","timestamp":1777647600,"event":"click","sg_event_id":"m2","singlesend_id":"may","url":"https://bakery.example/may","ip":"83.2.3.4","useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36"}
        ]
        """;

    [SkippableFact]
    public async Task RemovingAnImport_TakesBackWhatItAdded_AndRecomputesTheRest()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        await _database.Importer.ImportAsync(workspace, Samples.Utf8(April), "april.json");
        var later = await _database.Importer.ImportAsync(workspace, Samples.Utf8(Later), "later.json");
        int april;
        await using (var db = _database.CreateDbContext())
        {
            april = await db.Campaigns.Where(c => c.ExternalId == "apr").Select(c => c.Id).SingleAsync();
            Assert.Equal(2, (await db.CampaignSummaries.SingleAsync(s => s.CampaignId == april)).Clicks);
            // A person's decision about May's click, which goes with it.
            var mayClick = await db.Events.Where(e => e.ExternalId == "m2/click").Select(e => e.Id).SingleAsync();
            db.Overrides.Add(new VerdictOverride { WorkspaceId = workspace, Scope = OverrideScope.Click, Key = mayClick.ToString(System.Globalization.CultureInfo.InvariantCulture), Verdict = Verdict.Bot, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var removal = await _database.Importer.RemoveImportAsync(workspace, later.ImportId);

        Assert.Equal(("later.json", 3, 1, 1), (removal.FileName, removal.EventsRemoved, removal.CampaignsRemoved, removal.CampaignsRecomputed));
        await using (var db = _database.CreateDbContext())
        {
            Assert.Equal(["a1", "a2", "a3"], (await db.Events.OrderBy(e => e.ExternalId).Select(e => e.ExternalId).ToListAsync()).Select(id => id.Split('/')[0]));
            Assert.Equal(["April"], await db.Campaigns.Select(c => c.Name).ToListAsync());
            Assert.Equal(1, (await db.CampaignSummaries.SingleAsync(s => s.CampaignId == april)).Clicks);
            Assert.Equal(1, await db.ClickVerdicts.CountAsync());
            Assert.Equal(["ann@acme.example", "bob@beta.example"], await db.Recipients.OrderBy(r => r.Email).Select(r => r.Email).ToListAsync());
            Assert.Equal(["april.json"], await db.Imports.Select(i => i.FileName).ToListAsync());
            Assert.False(await db.Overrides.AnyAsync());
            // Every raw record left belongs to an event left.
            var blocks = await db.Events.Select(e => e.RawBlockId).Distinct().ToListAsync();
            Assert.Equal(blocks.Count, await db.RawBlocks.CountAsync());
        }

        // Importing the file again brings it all back.
        var again = await _database.Importer.ImportAsync(workspace, Samples.Utf8(Later), "later.json");
        Assert.Equal((3, 1), (again.EventsAdded, again.DuplicatesSkipped));
        await using var after = _database.CreateDbContext();
        Assert.Equal(2, (await after.CampaignSummaries.SingleAsync(s => s.CampaignId == april)).Clicks);
        Assert.Equal(2, await after.Campaigns.CountAsync());
    }

    [SkippableFact]
    public async Task ACampaignLeftEmpty_GoesWithTheLastImportThatHeldIt()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var april = await _database.Importer.ImportAsync(workspace, Samples.Utf8(April), "april.json");
        var later = await _database.Importer.ImportAsync(workspace, Samples.Utf8(Later), "later.json");

        // April's campaign still has an event of the later file: it stays.
        await _database.Importer.RemoveImportAsync(workspace, april.ImportId);
        await using (var db = _database.CreateDbContext())
        {
            Assert.Equal(["April", "May"], await db.Campaigns.OrderBy(c => c.Name).Select(c => c.Name).ToListAsync());
        }

        // Now empty, and the import that created it is gone: it goes too.
        var removal = await _database.Importer.RemoveImportAsync(workspace, later.ImportId);

        Assert.Equal(2, removal.CampaignsRemoved);
        await using var after = _database.CreateDbContext();
        Assert.False(await after.Campaigns.AnyAsync());
        Assert.False(await after.Events.AnyAsync());
        Assert.False(await after.Recipients.AnyAsync());
        Assert.False(await after.RawBlocks.AnyAsync());
    }

    [SkippableFact]
    public async Task EventsStoredWhileACampaignIsClassified_AreNotLeftWithoutVerdictsByThatOlderClassification()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        await _database.Importer.ImportAsync(workspace, Samples.Utf8(April), "april.json");
        int april;
        await using (var db = _database.CreateDbContext())
        {
            april = await db.Campaigns.Where(c => c.ExternalId == "apr").Select(c => c.Id).SingleAsync();
        }
        // While a recompute has April read and classified, a later file adds a click to it (and classifies it itself).
        var imported = false;
        var recompute = new ClickInsights.Core.Classification.ClassificationService(_database, ClickInsights.Core.Classification.ScannerCatalogue.Default, new DuringClassifying(() =>
        {
            if (!imported)
            {
                imported = true;
                _database.Importer.ImportAsync(workspace, Samples.Utf8(Later), "later.json").GetAwaiter().GetResult();
            }
        }));

        await recompute.ClassifyCampaignsAsync([april]);

        Assert.True(imported);
        await using var after = _database.CreateDbContext();
        var clicks = await after.Events.CountAsync(e => e.CampaignId == april && e.Type == EventType.Click);
        Assert.Equal(2, clicks);
        Assert.Equal(clicks, await after.ClickVerdicts.CountAsync(v => v.CampaignId == april));
        Assert.Equal(clicks, (await after.CampaignSummaries.SingleAsync(s => s.CampaignId == april)).Clicks);
    }

    /// <summary>The classifier asks for the time once it has read and classified a campaign, before storing it.</summary>
    private sealed class DuringClassifying(Action act) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            act();
            return base.GetUtcNow();
        }
    }

    [SkippableFact]
    public async Task RemovingAnotherWorkspacesImport_IsRefused_AndChangesNothing()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var other = await _database.CreateWorkspaceAsync("Other");
        var april = await _database.Importer.ImportAsync(workspace, Samples.Utf8(April), "april.json");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _database.Importer.RemoveImportAsync(other, april.ImportId));

        Assert.Contains("no longer in the workspace's history", refused.Message);
        await using var db = _database.CreateDbContext();
        Assert.Equal(3, await db.Events.CountAsync());
    }

    [SkippableFact]
    public async Task AnImportFromAConnection_CannotBeRemoved_ForItWouldNotBeFetchedAgain()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var fetched = await _database.Importer.ImportAsync(workspace, Samples.Utf8(April), "sendgrid/webhook/20260401T120000.000Z.json",
            ClickInsights.Core.Import.ImportOptions.Default with { Classify = false, ConnectionId = 7 });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _database.Importer.RemoveImportAsync(workspace, fetched.ImportId));

        Assert.Contains("came from a provider connection", refused.Message);
        await using var db = _database.CreateDbContext();
        Assert.Equal(7, (await db.Imports.SingleAsync()).ConnectionId);
        Assert.Equal(3, await db.Events.CountAsync());
    }

    public void Dispose() => _database.Dispose();
}

/// <summary><see cref="RemoveImportTests"/> on SQLite.</summary>
public sealed class RemoveImportTestsOnSqlite() : RemoveImportTests(StoreKind.Sqlite);

/// <summary><see cref="RemoveImportTests"/> on PostgreSQL.</summary>
public sealed class RemoveImportTestsOnPostgreSql() : RemoveImportTests(StoreKind.PostgreSql);
