using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClickInsights.Tests.Import;

/// <summary>The dashboard's import runner: upload limits, the whole flow, cancelling, and the temporary files.</summary>
public abstract class ImportRunnerTests(StoreKind store) : IDisposable
{
    private readonly TestDatabase _database = new(store);

    private ImportRunner Runner(int maxMegabytes = 5) => new(
        _database.Importer,
        new CsvMappingStore(_database, TimeProvider.System),
        _database,
        Options.Create(new UploadOptions { MaxUploadMegabytes = maxMegabytes, MaxFiles = 5 }),
        Options.Create(_database.Options),
        TimeProvider.System,
        NullLogger<ImportRunner>.Instance);

    private static (string, long, Func<long, Stream>) File(string name, byte[] bytes) => (name, bytes.Length, _ => new MemoryStream(bytes));

    [SkippableFact]
    public async Task Upload_FileOverTheLimit_NamesTheLimitAndKeepsNothing()
    {
        var runner = Runner(maxMegabytes: 1);
        var workspace = await _database.CreateWorkspaceAsync();

        await runner.UploadAsync(workspace, [File("big.json", new byte[1024 * 1024 + 1])]);

        Assert.Equal(ImportStage.Empty, runner.State.Stage);
        Assert.Contains("the upload limit is 1 MB per file", runner.State.Error);
        Assert.Contains("ClickInsights:Import:MaxUploadMegabytes", runner.State.Error);
        Assert.False(Directory.Exists(runner.UploadFolder) && Directory.EnumerateFiles(runner.UploadFolder).Any());
    }

    [SkippableFact]
    public async Task Upload_StreamLongerThanItsDeclaredSize_IsStoppedAtTheLimit()
    {
        var runner = Runner(maxMegabytes: 1);
        var workspace = await _database.CreateWorkspaceAsync();

        // The browser's stream refuses to give more than the allowed size, as IBrowserFile.OpenReadStream does.
        await runner.UploadAsync(workspace, [("lying.json", 10, max => new LimitedStream(max))]);

        Assert.Contains("larger than the upload limit of 1 MB", runner.State.Error);
        Assert.Empty(Directory.EnumerateFiles(runner.UploadFolder));
    }

    [SkippableFact]
    public async Task UploadCheckImport_GivesASummary_AndDeletesTheUploads()
    {
        var runner = Runner();
        var workspace = await _database.CreateWorkspaceAsync();
        var seen = new List<ImportStage>();
        using var subscription = runner.Subscribe(s => { lock (seen) { seen.Add(s.Stage); } });

        await runner.UploadAsync(workspace, [File("demo.json", Samples.DemoSendGridFile(new() { Contacts = 200, Campaigns = 2 })), File("odd.json", System.Text.Encoding.UTF8.GetBytes(Samples.SendGridOddCases))]);
        await runner.Completion;
        Assert.Equal(ImportStage.Ready, runner.State.Stage);
        Assert.All(runner.State.Files, f => Assert.True(f.Preview!.CanImport));
        Assert.Equal(2, runner.State.Files[0].Preview!.Campaigns.Count);

        Assert.True(runner.StartImport());
        await runner.Completion;

        var summary = runner.State.Summary!;
        Assert.Equal(ImportStage.Done, runner.State.Stage);
        Assert.Equal((2, 0, 5, false), (summary.FilesImported, summary.FilesRefused, summary.Campaigns, summary.Cancelled));
        Assert.True(summary.Clicks > 0);
        Assert.Contains(ImportStage.Importing, seen);
        Assert.Empty(Directory.EnumerateFiles(runner.UploadFolder));
        Assert.Equal(2, (await runner.HistoryAsync(workspace)).Count);
    }

    [SkippableFact]
    public async Task History_TimeTaken_IncludesClassifying()
    {
        // A clock that moves a second each time it is read: the summaries' time is read while classifying.
        var clock = new SteppingClock();
        var importer = new EventImporter(_database, new ClickInsights.Core.Classification.ClassificationService(_database, ClickInsights.Core.Classification.ScannerCatalogue.Default, clock), clock);
        var workspace = await _database.CreateWorkspaceAsync();

        await importer.ImportAsync(workspace, new MemoryStream(Samples.DemoSendGridFile(new() { Contacts = 100, Campaigns = 1 })), "one.json");

        await using var db = _database.CreateDbContext();
        var record = await db.Imports.SingleAsync();
        var classified = await db.CampaignSummaries.Select(s => s.UpdatedAt).SingleAsync();
        Assert.True(record.FinishedAt >= classified, $"finished {record.FinishedAt:O}, classified {classified:O}");
    }

    private sealed class SteppingClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now = _now.AddSeconds(1);
    }

    [SkippableFact]
    public async Task Import_Cancelled_LeavesNothingOfTheCurrentFile()
    {
        var runner = Runner(maxMegabytes: 50);
        var workspace = await _database.CreateWorkspaceAsync();
        await runner.UploadAsync(workspace, [File("demo.json", Samples.DemoSendGridFile(new() { Contacts = 2_000, Campaigns = 2 }))]);
        await runner.Completion;
        using var subscription = runner.Subscribe(s =>
        {
            if (s.Stage == ImportStage.Importing)
            {
                runner.Cancel();
            }
        });

        runner.StartImport();
        await runner.Completion;

        Assert.True(runner.State.Summary!.Cancelled);
        Assert.Equal(0, runner.State.Summary.FilesImported);
        await using var db = _database.CreateDbContext();
        Assert.Equal(0, await db.Events.CountAsync());
        Assert.Equal(0, await db.Imports.CountAsync());
        Assert.Empty(Directory.EnumerateFiles(runner.UploadFolder));
    }

    [SkippableFact]
    public async Task RecheckWithOtherColumns_Cancelled_KeepsEveryFileReady()
    {
        var runner = Runner(maxMegabytes: 50);
        var workspace = await _database.CreateWorkspaceAsync();
        var csv = new System.Text.StringBuilder("Adresse;Zeitpunkt;Ziel;Was\n");
        for (int i = 0; i < 200_000; i++)
        {
            csv.Append("p").Append(i).Append("@example.de;2026-03-02T14:00:07Z;https://shop.example/a;").Append(i % 2 == 0 ? "Klick" : "Öffnung").Append('\n');
        }
        await runner.UploadAsync(workspace, [File("demo.json", Samples.DemoSendGridFile(new() { Contacts = 100, Campaigns = 1 })), File("export.csv", System.Text.Encoding.UTF8.GetBytes(csv.ToString()))]);
        await runner.Completion;
        var before = runner.State.Files;
        var csvFile = before.Single(f => f.Name == "export.csv");
        Assert.True(csvFile.Preview!.NeedsMapping);
        using var subscription = runner.Subscribe(s =>
        {
            if (s.Stage == ImportStage.Checking)
            {
                runner.Cancel();
            }
        });

        await runner.UseMappingAsync(csvFile.Id, new CsvColumnMapping { Email = "Adresse", Timestamp = "Zeitpunkt", Url = "Ziel", EventType = "Was", CampaignName = "März" });

        Assert.Equal(ImportStage.Ready, runner.State.Stage);
        Assert.Null(runner.State.Error);
        Assert.Equal(before.Select(f => (f.Name, f.Preview!.CanImport)), runner.State.Files.Select(f => (f.Name, f.Preview!.CanImport)));
        Assert.Equal(2, Directory.EnumerateFiles(runner.UploadFolder).Count());
    }

    [SkippableFact]
    public async Task Reset_AfterChecking_DeletesTheUploads()
    {
        var runner = Runner();
        var workspace = await _database.CreateWorkspaceAsync();
        await runner.UploadAsync(workspace, [File("odd.json", System.Text.Encoding.UTF8.GetBytes(Samples.SendGridOddCases))]);
        await runner.Completion;
        Assert.Single(Directory.EnumerateFiles(runner.UploadFolder));

        runner.Reset();

        Assert.Equal(ImportStage.Empty, runner.State.Stage);
        Assert.Empty(Directory.EnumerateFiles(runner.UploadFolder));
    }

    /// <summary>Endless zeros that fail past the allowed size with the browser stream's message.</summary>
    private sealed class LimitedStream(long max) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position + count > max)
            {
                throw new IOException($"Supplied file with size {_position + count} bytes exceeds the maximum of {max} bytes.");
            }
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public void Dispose() => _database.Dispose();
}

/// <summary><see cref="ImportRunnerTests"/> on SQLite.</summary>
public sealed class ImportRunnerTestsOnSqlite() : ImportRunnerTests(StoreKind.Sqlite);

/// <summary><see cref="ImportRunnerTests"/> on PostgreSQL.</summary>
public sealed class ImportRunnerTestsOnPostgreSql() : ImportRunnerTests(StoreKind.PostgreSql);
