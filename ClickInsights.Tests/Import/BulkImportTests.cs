using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Import;

/// <summary>
/// The bulk way a large file takes into a small table (indexes dropped and rebuilt in the same transaction,
/// duplicates found by hashed ids): same result as the usual way, nothing left behind on failure.
/// </summary>
[Trait("Store", "SQLite only: SQLite's own bulk way (indexes dropped and rebuilt inside the import); PostgreSQL's bulk way runs in StoreParityTests and StorageTestsOnPostgreSql")]
public sealed class BulkImportTests : IDisposable
{
    private readonly TestDatabase _database = new();
    // About 35 MB: large enough for the bulk way (more than 50,000 events by its size estimate).
    private static readonly Lazy<byte[]> Large = new(() => Samples.DemoSendGridFile(new() { Contacts = 12_000, Campaigns = 2, Seed = 3 }));

    private async Task<(int Events, int Verdicts, List<string> Indexes)> StoredAsync()
    {
        await using var db = _database.CreateDbContext();
        var indexes = await db.Database.SqlQueryRaw<string>("""SELECT name AS "Value" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Events' ORDER BY name""").ToListAsync();
        return (await db.Events.CountAsync(), await db.ClickVerdicts.CountAsync(), indexes);
    }

    [Fact]
    public async Task BulkImport_Twice_StoresOnceAndKeepsEveryIndex()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var (_, _, indexesBefore) = await StoredAsync();
        Assert.True(Large.Value.Length / 300 > 50_000);

        var first = await _database.Importer.ImportAsync(workspace, new MemoryStream(Large.Value), "large.json");
        var afterFirst = await StoredAsync();
        var second = await _database.Importer.ImportAsync(workspace, new MemoryStream(Large.Value), "large-again.json");
        var afterSecond = await StoredAsync();

        Assert.Equal(first.EventsRead, first.EventsAdded);
        Assert.Equal(first.EventsAdded, afterFirst.Events);
        Assert.Equal(first.Clicks, afterFirst.Verdicts);
        Assert.Equal((0, first.EventsRead), (second.EventsAdded, second.DuplicatesSkipped));
        Assert.Equal(afterFirst.Events, afterSecond.Events);
        Assert.Equal(3, indexesBefore.Count);
        Assert.Equal(indexesBefore, afterSecond.Indexes);

        // Raw records were packed on another thread, blocks finishing in any order: each is still its event's own text.
        var text = System.Text.Encoding.UTF8.GetString(Large.Value);
        await using var db = _database.CreateDbContext();
        var count = await db.Events.CountAsync();
        foreach (var index in new[] { 0, 1, count / 3, count / 2, count - 2, count - 1 })
        {
            var e = await db.Events.OrderBy(x => x.Id).Skip(index).FirstAsync();
            var raw = await ClickInsights.Core.Data.RawRecords.ReadAsync(db, e);
            Assert.NotNull(raw);
            Assert.Contains(raw, text, StringComparison.Ordinal);
            Assert.Equal(e.ExternalId, System.Text.Json.JsonDocument.Parse(raw).RootElement.GetProperty("sg_event_id").GetString() + "/" + ClickInsights.Core.Import.SendGridReader.TypeName(e.Type));
        }
    }

    [Fact]
    public async Task ClassifiedByTheImport_EqualsClassifiedAgainLater_WithOverridesApplied()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        await using (var db = _database.CreateDbContext())
        {
            // An override, so that both apply them.
            db.Overrides.Add(new ClickInsights.Core.Data.VerdictOverride { WorkspaceId = workspace, Scope = ClickInsights.Core.Data.OverrideScope.Domain, Key = "cedarbuilders.com", Verdict = ClickInsights.Core.Data.Verdict.Human, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var result = await _database.Importer.ImportAsync(workspace, new MemoryStream(Large.Value), "large.json");
        var byImport = await ClassificationAsync();

        await _database.Classification.ClassifyCampaignsAsync(result.CampaignIds);
        var again = await ClassificationAsync();

        Assert.Equal(result.Clicks, byImport.Verdicts.Count);
        Assert.Contains(byImport.Verdicts, v => v.Contains("override", StringComparison.Ordinal));
        Assert.Equal(byImport.Verdicts, again.Verdicts);
        Assert.Equal(byImport.Breakdowns, again.Breakdowns);
        Assert.Equal(byImport.Summaries, again.Summaries);
        // Verdicts are stored with foreign keys off; the pooled connection has them on again.
        await using var check = _database.CreateDbContext();
        await check.Database.OpenConnectionAsync();
        Assert.Equal(1L, await check.Database.SqlQueryRaw<long>("""SELECT foreign_keys AS "Value" FROM pragma_foreign_keys""").SingleAsync());
    }

    [Fact]
    public async Task CampaignSpreadThinOverTheTable_IsClassifiedAsWhenStoredTogether()
    {
        // Five campaigns of a small demo; the first imported in two halves around all the others, so its events lie far
        // apart in the table (read through the index), against a database where it came in one piece (read along the table).
        var demo = System.Text.Json.Nodes.JsonNode.Parse(Samples.DemoSendGridFile(new() { Contacts = 300, Campaigns = 5, Seed = 11 }))!.AsArray();
        var byCampaign = demo.GroupBy(e => (string)e!["singlesend_id"]!).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var (first, second) = (byCampaign[0], byCampaign.Skip(1).SelectMany(g => g).ToList());
        Assert.True(second.Count > 3 * first.Count, $"{first.Count} and {second.Count} events");
        static MemoryStream File(IEnumerable<System.Text.Json.Nodes.JsonNode?> events) =>
            new(System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonArray(events.Select(e => e!.DeepClone()).ToArray()).ToJsonString()));

        var spread = await _database.CreateWorkspaceAsync("spread");
        await _database.Importer.ImportAsync(spread, File(first.Take(first.Count / 2)), "first-half.json");
        await _database.Importer.ImportAsync(spread, File(second), "second.json");
        await _database.Importer.ImportAsync(spread, File(first.Skip(first.Count / 2)), "first-rest.json");
        using var other = new TestDatabase();
        var together = await other.CreateWorkspaceAsync("together");
        await other.Importer.ImportAsync(together, File(first), "first.json");

        Assert.Equal(await VerdictsAsync(other, together), await VerdictsAsync(_database, spread));
    }

    /// <summary>A workspace's verdicts by the provider's event id: the same events give the same lines in any database.</summary>
    private static async Task<List<string>> VerdictsAsync(TestDatabase database, int workspace)
    {
        await using var db = database.CreateDbContext();
        var firstCampaign = await db.Campaigns.Where(c => c.WorkspaceId == workspace).OrderBy(c => c.ExternalId).Select(c => c.Id).FirstAsync();
        return await (from v in db.ClickVerdicts
                      where v.CampaignId == firstCampaign
                      join e in db.Events on v.EventId equals e.Id
                      join s in db.CampaignReasonSets on new { v.CampaignId, Index = v.ReasonSet } equals new { s.CampaignId, s.Index }
                      orderby e.ExternalId
                      select e.ExternalId + " " + v.Verdict + " " + v.Score + " " + s.Codes).ToListAsync();
    }

    /// <summary>Every verdict with its reason codes, every breakdown row and every summary, as text to compare.</summary>
    private async Task<(List<string> Verdicts, List<string> Breakdowns, List<string> Summaries)> ClassificationAsync()
    {
        await using var db = _database.CreateDbContext();
        var verdicts = await (from v in db.ClickVerdicts
                              join s in db.CampaignReasonSets on new { v.CampaignId, Index = v.ReasonSet } equals new { s.CampaignId, s.Index }
                              orderby v.EventId
                              select v.EventId + " " + v.Verdict + " " + v.Score + " " + s.Codes).ToListAsync();
        var breakdowns = (await db.CampaignBreakdowns.ToListAsync())
            .Select(b => $"{b.CampaignId} {b.Kind} {b.Key}: {b.Clicks} {b.HumanClicks} {b.SuspectClicks} {b.BotClicks} {b.Clickers} {b.HumanClickers}")
            .Order(StringComparer.Ordinal).ToList();
        var summaries = (await db.CampaignSummaries.OrderBy(s => s.CampaignId).ToListAsync())
            .Select(s => $"{s.CampaignId}: {s.Sent} {s.Delivered} {s.Opens} {s.Clicks} {s.UniqueClickers} {s.HumanClicks} {s.SuspectClicks} {s.BotClicks} {s.HumanClickers} {s.Unsubscribes} {s.UnavailableSignals} {s.ClassifierVersion} {s.SettingsHash}")
            .ToList();
        return (verdicts, breakdowns, summaries);
    }

    [Fact]
    public async Task Import_TellsWhichStepItIsIn_CampaignByCampaign()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var stages = new List<string>();
        var progress = new Collect(p =>
        {
            if (stages.Count == 0 || stages[^1] != p.Stage)
            {
                stages.Add(p.Stage);
            }
        });

        await _database.Importer.ImportAsync(workspace, new MemoryStream(Large.Value), "large.json", progress);

        Assert.Equal(["Reading events", "Saving events", "Classifying clicks (campaign 1 of 2)", "Classifying clicks (campaign 2 of 2)", "Done"], stages);
    }

    private sealed class Collect(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    [Fact]
    public async Task BulkImport_Cancelled_LeavesNothingAndEveryIndex()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var (_, _, indexesBefore) = await StoredAsync();
        using var cancel = new CancellationTokenSource();
        var progress = new CancelAt(20_000, cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _database.Importer.ImportAsync(workspace, new MemoryStream(Large.Value), "large.json", progress, cancel.Token));

        var after = await StoredAsync();
        Assert.Equal(0, after.Events);
        Assert.Equal(indexesBefore, after.Indexes);
        // The connection's settings are back: foreign keys are enforced again.
        await using var db = _database.CreateDbContext();
        await db.Database.OpenConnectionAsync();
        Assert.Equal(1L, await db.Database.SqlQueryRaw<long>("""SELECT foreign_keys AS "Value" FROM pragma_foreign_keys""").SingleAsync());
        await using var autoCheckpoint = db.Database.GetDbConnection().CreateCommand();
        autoCheckpoint.CommandText = "PRAGMA wal_autocheckpoint";
        Assert.Equal(1000L, await autoCheckpoint.ExecuteScalarAsync());
    }

    private sealed class CancelAt(long events, CancellationTokenSource cancel) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            if (value.EventsRead >= events)
            {
                cancel.Cancel();
            }
        }
    }

    public void Dispose() => _database.Dispose();
}
