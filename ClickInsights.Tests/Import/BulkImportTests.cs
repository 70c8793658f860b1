using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Import;

/// <summary>
/// The bulk way a large file takes into a small table (indexes dropped and rebuilt in the same transaction,
/// duplicates found by hashed ids): same result as the usual way, nothing left behind on failure.
/// </summary>
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
            Assert.Equal(e.ExternalId, System.Text.Json.JsonDocument.Parse(raw).RootElement.GetProperty("sg_event_id").GetString());
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
    public async Task BulkImport_DuplicateInsideTheFile_IsStoredOnce()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var text = System.Text.Encoding.UTF8.GetString(Large.Value);
        var firstEvent = text[1..(text.IndexOf("},{", StringComparison.Ordinal) + 1)];
        var withDuplicate = System.Text.Encoding.UTF8.GetBytes(text.TrimEnd(']') + "," + firstEvent + "]");

        var result = await _database.Importer.ImportAsync(workspace, new MemoryStream(withDuplicate), "dup.json");

        Assert.Equal(1, result.DuplicatesSkipped);
        Assert.Equal(result.EventsRead - 1, (await StoredAsync()).Events);
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
