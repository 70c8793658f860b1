using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Data;

public abstract class StorageTests(StoreKind store) : IDisposable
{
    private readonly TestDatabase _database = new(store);

    [SkippableFact]
    public async Task ImportingTheSameFileTwice_AddsNothingTheSecondTime()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var file = Samples.DemoSendGridFile(new() { Contacts = 60, Campaigns = 2 });

        var first = await _database.Importer.ImportAsync(workspace, new MemoryStream(file), "demo.json");
        int eventsAfterFirst;
        await using (var db = _database.CreateDbContext())
        {
            eventsAfterFirst = await db.Events.CountAsync();
        }
        var second = await _database.Importer.ImportAsync(workspace, new MemoryStream(file), "demo.json");

        await using var check = _database.CreateDbContext();
        Assert.True(first.EventsAdded > 0);
        Assert.Equal(first.EventsRead, eventsAfterFirst);
        Assert.Equal(eventsAfterFirst, await check.Events.CountAsync());
        Assert.Equal(0, second.EventsAdded);
        Assert.Equal(second.EventsRead, second.DuplicatesSkipped);
        Assert.Equal(2, await check.Campaigns.CountAsync());
        Assert.Equal(2, await check.Imports.CountAsync());
    }

    [SkippableFact]
    public async Task WebhookBatchesStoredTogether_FindTheRecipientsAndAgentsStoredBefore_AndStoreEachEventOnce()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var other = await _database.CreateWorkspaceAsync("Other");
        const string agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0";
        static byte[] Batch(params (string Id, string Email)[] events) => System.Text.Encoding.UTF8.GetBytes("[" + string.Join(",", events.Select(e =>
            $$"""{"email":"{{e.Email}}","timestamp":1772470000,"event":"click","sg_event_id":"{{e.Id}}","sg_message_id":"m-{{e.Email}}","url":"https://shop.example/a","ip":"81.2.69.1","useragent":"{{agent}}","singlesend_id":"ss-1"}""")) + "]");
        // Ann is known in this workspace (and in another), with the agent, before the batches come.
        await _database.Importer.ImportAsync(workspace, new MemoryStream(Batch(("e1", "ann@example.com"))), "earlier.json");
        await _database.Importer.ImportAsync(other, new MemoryStream(Batch(("e1", "ann@example.com"), ("o2", "bob@example.com"))), "other.json");

        var first = await _database.Importer.ParseAsync(Batch(("e1", "ann@example.com"), ("e2", "ann@example.com"), ("e3", "bob@example.com")), "sendgrid/webhook/1.json");
        var second = await _database.Importer.ParseAsync(Batch(("e3", "bob@example.com"), ("e4", "cleo@example.com")), "sendgrid/webhook/2.json");
        var stored = await _database.Importer.StoreBatchesAsync(workspace, [first, second], "sendgrid/webhook/1.json", connectionId: null);

        Assert.Equal((5, 3, 2), (stored.EventsRead, stored.EventsAdded, stored.DuplicatesSkipped));
        await using var db = _database.CreateDbContext();
        Assert.Equal(["ann@example.com", "bob@example.com", "cleo@example.com"],
            await db.Recipients.Where(r => r.WorkspaceId == workspace).OrderBy(r => r.Email).Select(r => r.Email).ToListAsync());
        Assert.Equal(1, await db.UserAgents.CountAsync(u => u.Value == agent));
        Assert.Equal(4, await db.Events.CountAsync(e => e.WorkspaceId == workspace));
    }

    [SkippableFact]
    public async Task FileRepeatingItsOwnId_SaysSo_AndKeepsTheFirst()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var file = """
            [{"email":"a@x.com","timestamp":1700000000,"event":"delivered","sg_event_id":"e1","sg_message_id":"m1"},
             {"email":"a@x.com","timestamp":1700000100,"event":"click","url":"https://x.com/1","sg_event_id":"e1","sg_message_id":"m1"},
             {"email":"a@x.com","timestamp":1700000200,"event":"click","url":"https://x.com/2","sg_event_id":"e2","sg_message_id":"m1"},
             {"email":"a@x.com","timestamp":1700000200,"event":"click","url":"https://x.com/2","sg_event_id":"e2","sg_message_id":"m1"},
             {"email":"a@x.com","timestamp":1700000300,"event":"click","url":"https://x.com/3","sg_event_id":"e2","sg_message_id":"m1"}]
            """;

        var first = await _database.Importer.ImportAsync(workspace, Samples.Utf8(file), "repeats.json");
        var again = await _database.Importer.ImportAsync(workspace, Samples.Utf8(file), "repeats.json");

        // e1 as delivered and as click are two events (an id is keyed with its type); e2's click comes three times.
        Assert.Equal((5, 3, 2, 2), (first.EventsRead, first.EventsAdded, first.DuplicatesSkipped, first.RepeatsInFile));
        Assert.Equal("2 events repeat an id that came earlier in this file (the first of each was kept).", first.RepeatsNote);
        // The second time every event was stored before: duplicates, none of them this file's own repeats.
        Assert.Equal((0, 5, 0), (again.EventsAdded, again.DuplicatesSkipped, again.RepeatsInFile));
        Assert.Null(again.RepeatsNote);
        await using var db = _database.CreateDbContext();
        var clicks = await db.Events.Where(e => e.Type == EventType.Click).OrderBy(e => e.Id)
            .Join(db.CampaignLinks, e => e.LinkId, l => l.Id, (e, l) => l.Url).ToListAsync();
        Assert.Equal(["https://x.com/1", "https://x.com/2"], clicks);
    }

    [SkippableFact]
    public async Task LargeFileRepeatingItsOwnId_TheBulkWay_SaysSo()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var text = System.Text.Encoding.UTF8.GetString(Samples.DemoSendGridFile(new() { Contacts = 12_000, Campaigns = 2, Seed = 3 }));
        Assert.True(text.Length / 300 > 50_000, "large enough for the bulk way");
        var firstEvent = text[1..(text.IndexOf("},{", StringComparison.Ordinal) + 1)];
        var withRepeat = System.Text.Encoding.UTF8.GetBytes(text.TrimEnd(']') + "," + firstEvent + "]");

        var result = await _database.Importer.ImportAsync(workspace, new MemoryStream(withRepeat), "large.json");

        Assert.Equal((1, 1), (result.DuplicatesSkipped, result.RepeatsInFile));
        await using var db = _database.CreateDbContext();
        Assert.Equal(result.EventsRead - 1, await db.Events.CountAsync());
    }

    [SkippableFact]
    public async Task TruncatedFile_IsRefusedWithPosition_AndStoresNothing()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var file = Samples.DemoSendGridFile(new() { Contacts = 60, Campaigns = 2 });
        var truncated = file[..(file.Length * 2 / 3)];

        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            _database.Importer.ImportAsync(workspace, new MemoryStream(truncated), "cut.json"));

        Assert.Contains("cut.json", error.Message);
        Assert.Contains("line 1, column", error.Position);
        await using var db = _database.CreateDbContext();
        Assert.Equal(0, await db.Events.CountAsync());
        Assert.Equal(0, await db.Campaigns.CountAsync());
        Assert.Equal(0, await db.Recipients.CountAsync());
        Assert.Equal(0, await db.Imports.CountAsync());
    }

    [SkippableFact]
    public async Task FailedImport_LeavesEarlierDataAsItWas()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        await _database.Importer.ImportAsync(workspace, Samples.Utf8(Samples.SendGridOddCases), "good.json");
        await using var before = _database.CreateDbContext();
        var events = await before.Events.CountAsync();
        var verdicts = await before.ClickVerdicts.CountAsync();

        await Assert.ThrowsAsync<ImportFormatException>(() => _database.Importer.ImportAsync(workspace,
            Samples.Utf8("""[{"email":"new@x.com","timestamp":1700000000,"event":"click","sg_event_id":"n1"},{"event":"click"}]"""), "bad.json"));

        await using var after = _database.CreateDbContext();
        Assert.Equal(events, await after.Events.CountAsync());
        Assert.Equal(verdicts, await after.ClickVerdicts.CountAsync());
        Assert.False(await after.Recipients.AnyAsync(r => r.Email == "new@x.com"));
    }

    [SkippableFact]
    public async Task Import_KeepsRawRecord_StoresStringsOnce_AndClassifiesEveryClick()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        await _database.Importer.ImportAsync(workspace, Samples.Utf8(Samples.SendGridOddCases), "odd.json");

        await using var db = _database.CreateDbContext();
        var click = await db.Events.FirstAsync(e => e.ExternalId.StartsWith("kCAi1KttyQdEKHhdC-nuEA==/"));
        var raw = await RawRecords.ReadAsync(db, click);
        Assert.Contains("MSIE 6.1", raw);
        Assert.StartsWith("{", raw);
        Assert.EndsWith("}", raw);
        Assert.Equal(1513299600123, click.OccurredAtMs);
        Assert.Equal(2, await db.UserAgents.CountAsync(u => u.Value.Contains("MSIE") || u.Value.Contains("python")));
        Assert.Equal(await db.Events.CountAsync(e => e.Type == EventType.Click), await db.ClickVerdicts.CountAsync());
        var recipient = await db.Recipients.SingleAsync(r => r.Email == "example@test.com");
        Assert.Equal("test.com", recipient.Domain);
        var verdict = await db.ClickVerdicts.SingleAsync(v => v.EventId == db.Events.Single(e => e.ExternalId.StartsWith("kCAi1KttyQdEKHhdC-nuEB==/")).Id);
        Assert.Equal(Verdict.Bot, verdict.Verdict);
        var reasons = await db.CampaignReasonSets.SingleAsync(s => s.CampaignId == verdict.CampaignId && s.Index == verdict.ReasonSet);
        Assert.Contains("ua_automation", reasons.Codes);
        Assert.Equal(ClickInsights.Core.Classification.ClickClassifier.Version, (await db.CampaignSummaries.SingleAsync(s => s.CampaignId == verdict.CampaignId)).ClassifierVersion);
    }

    [SkippableFact]
    public async Task CancelledImport_LeavesNothing()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var file = Samples.DemoSendGridFile(new() { Contacts = 200, Campaigns = 3 });
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.EventsRead >= 2_000) cancel.Cancel(); });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _database.Importer.ImportAsync(workspace, new MemoryStream(file), "big.json", progress, cancel.Token));

        await using var db = _database.CreateDbContext();
        Assert.Equal(0, await db.Events.CountAsync());
    }

    [SkippableFact]
    public async Task Migrations_CoverTheModel()
    {
        await using var db = _database.CreateDbContext();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges());
    }

    public void Dispose() => _database.Dispose();

    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}

/// <summary><see cref="StorageTests"/> on SQLite.</summary>
public sealed class StorageTestsOnSqlite() : StorageTests(StoreKind.Sqlite);

/// <summary><see cref="StorageTests"/> on PostgreSQL.</summary>
public sealed class StorageTestsOnPostgreSql() : StorageTests(StoreKind.PostgreSql);
