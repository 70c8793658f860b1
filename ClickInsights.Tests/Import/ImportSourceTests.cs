using System.IO.Compression;
using System.Text;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Core.Reports;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Import;

/// <summary>ZIP archives entry by entry, cancelling, and what an import leaves behind when it fails.</summary>
public sealed class ImportSourceTests : IDisposable
{
    private readonly TestDatabase _database = new();

    private string WriteZip(string name, params (string Entry, string Text)[] entries)
    {
        var path = Path.Combine(_database.Folder, name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entry, text) in entries)
        {
            using var stream = zip.CreateEntry(entry).Open();
            stream.Write(Encoding.UTF8.GetBytes(text));
        }
        return path;
    }

    private async Task<(int Events, int Campaigns, int Imports)> CountAsync()
    {
        await using var db = _database.CreateDbContext();
        return (await db.Events.CountAsync(), await db.Campaigns.CountAsync(), await db.Imports.CountAsync());
    }

    [Fact]
    public async Task ImportSource_ZipWithOneMalformedEntry_StoresTheOtherAndNamesTheBadOne()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var path = WriteZip("exports.zip",
            ("good/sendgrid.json", Samples.SendGridOddCases),
            ("bad/brevo.ndjson", """{"event":"click","email":"a@b.example","ts_epoch":"soon","message-id":"x"}"""),
            ("__MACOSX/._sendgrid.json", "resource fork"));

        using var source = ImportSource.Open(path, "exports.zip");
        var outcomes = await _database.Importer.ImportSourceAsync(workspace, source);

        Assert.True(source.IsArchive);
        Assert.Equal(["exports.zip/good/sendgrid.json", "exports.zip/bad/brevo.ndjson"], outcomes.Select(o => o.FileName));
        Assert.Equal(7, outcomes[0].Result!.EventsAdded);
        Assert.Null(outcomes[1].Result);
        Assert.Contains("exports.zip/bad/brevo.ndjson", outcomes[1].Error);
        Assert.Contains("ts_epoch", outcomes[1].Error);
        Assert.Equal((7, 3, 1), await CountAsync());
    }

    [Fact]
    public async Task ImportSource_ZipRecognizedByContentNotName()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var path = WriteZip("events.json", ("a.csv", "email,timestamp,event,campaign\na@b.example,1772460007,click,Spring\n"));

        using var source = ImportSource.Open(path);
        var outcome = Assert.Single(await _database.Importer.ImportSourceAsync(workspace, source));

        Assert.Equal(CsvEventReader.FormatName, outcome.Result!.Format);
        Assert.Equal(1, outcome.Result.Clicks);
    }

    [Fact]
    public async Task ImportSource_PlainFile_IsOneEntry()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var path = Path.Combine(_database.Folder, "upload-1234.tmp");
        await File.WriteAllTextAsync(path, Samples.SendGridOddCases);

        using var source = ImportSource.Open(path, "sendgrid.json");
        var outcome = Assert.Single(await _database.Importer.ImportSourceAsync(workspace, source));

        Assert.False(source.IsArchive);
        Assert.Equal("sendgrid.json", outcome.FileName);
        Assert.Equal(7, outcome.Result!.EventsAdded);
    }

    [Fact]
    public async Task Import_UnknownFile_ListsEveryFormatIncludingCsvAndZip()
    {
        var workspace = await _database.CreateWorkspaceAsync();

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => _database.Importer.ImportAsync(workspace, Samples.Utf8("Dear customer,\nhello.\n"), "letter.txt"));

        Assert.Contains("CSV", error.Message);
        Assert.Contains("ZIP", error.Message);
        Assert.Contains("SendGrid", error.Message);
    }

    [Fact]
    public async Task Import_Cancelled_LeavesNothing()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var file = Samples.DemoSendGridFile(new() { Contacts = 300, Campaigns = 2 });
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.EventsRead >= 2_000)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _database.Importer.ImportAsync(workspace, new MemoryStream(file), "demo.json", progress, cancel.Token));

        Assert.Equal((0, 0, 0), await CountAsync());
        await using var db = _database.CreateDbContext();
        Assert.Equal(0, await db.Recipients.CountAsync());
    }

    [Fact]
    public async Task Import_MalformedRecordLate_LeavesNothing()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var text = Samples.SendGridOddCases.TrimEnd().TrimEnd(']') + """, {"email":"late@test.com","timestamp":"tomorrow","event":"click","sg_event_id":"z"}]""";

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => _database.Importer.ImportAsync(workspace, Samples.Utf8(text), "late.json"));

        Assert.Equal("$[7].timestamp", error.Position);
        Assert.Equal((0, 0, 0), await CountAsync());
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")")]
    [InlineData("+1+1")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1)")]
    public void ClickCsv_CellStartingAFormula_IsDefused(string value)
    {
        var writer = new StringWriter();
        ClickCsv.Write(writer, new ClickRow(value, value, value, 0, Verdict.Human, 0, [], "e1"));

        var cells = writer.ToString().TrimEnd().Split(',');
        Assert.All(cells.Take(3), cell => Assert.DoesNotMatch("^\"?[=+\\-@]", cell));
        Assert.Contains("'" + value.Replace("\"", "\"\"", StringComparison.Ordinal), writer.ToString());
    }

    [Fact]
    public void ReasonTable_NumbersEachDistinctReasonAndCombinationOnce_AndResolvesThemBack()
    {
        Reason[] reasons = [new("burst", "clicked 6 of 6 links within 1 s", 40), new("network", "network 40.94.0.0/16 belongs to Microsoft's \"mail\" filtering", 30)];
        var table = new ReasonTable();

        var both = table.SetOf(ReasonSet.Of(reasons));
        var second = table.SetOf(ReasonSet.Of([reasons[1]]));
        var none = table.SetOf(ReasonSet.Of([]));

        Assert.Equal(both, table.SetOf(ReasonSet.Of([.. reasons])));
        Assert.Equal(3, new[] { both, second, none }.Distinct().Count());
        var sets = table.Sets.ToDictionary(s => s.Index);
        Assert.Equal("burst;network", sets[both].Codes);
        Assert.Equal("0;1", sets[both].Refs);
        Assert.Equal("1", sets[second].Refs);
        Assert.Equal(("", ""), (sets[none].Codes, sets[none].Refs));
        Assert.Equal(2, table.Reasons.Count());
        var refs = sets[both].Refs;
        var stored = table.Reasons.ToDictionary(r => r.Index, r => r.Reason);
        Assert.Equal(reasons, ReasonTable.Resolve(refs, stored));
        Assert.Empty(ReasonTable.Resolve("", stored));

        // A combination longer than the lookup's first buffer; equal reasons in new objects are the same reasons.
        var many = Enumerable.Range(0, 120).Select(i => new Reason("r" + i, "evidence " + i, i)).ToArray();
        var long1 = table.SetOf(ReasonSet.Of(many));
        var long2 = table.SetOf(ReasonSet.Of(many.Select(r => new Reason(r.Code, r.Evidence, r.Weight)).ToArray()));
        Assert.Equal(long1, long2);
        var longRefs = table.Sets.Single(x => x.Index == long1).Refs;
        Assert.True(longRefs.Length > 256);
        Assert.Equal(many, ReasonTable.Resolve(longRefs, table.Reasons.ToDictionary(r => r.Index, r => r.Reason)));
    }

    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    public void Dispose() => _database.Dispose();
}
