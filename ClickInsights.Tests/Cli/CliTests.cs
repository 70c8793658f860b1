using ClickInsights.Cli;
using ClickInsights.Core.Data;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Cli;

[Trait("Store", "SQLite only: the CLI over a file; --db postgresql:// runs in StoreParityTests")]
public sealed class CliTests : IDisposable
{
    private readonly TestDatabase _folder = new();

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => WithInputAsync(null, args);

    /// <summary>Runs a command with this text on standard input (a password for <c>users</c>).</summary>
    private static async Task<(int Code, string Out, string Err)> WithInputAsync(string? input, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, stdin: input is null ? null : new StringReader(input));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Users_AddListRoleRemove_WithThePasswordFromStandardInput()
    {
        var demo = Path.Combine(_folder.Folder, "demo.json");
        var db = Path.Combine(_folder.Folder, "users.db");
        await RunAsync("demo", "--out", demo, "--contacts", "20", "--campaigns", "1");
        await RunAsync("import", demo, "--db", db, "--workspace", "Rose's Florist");

        var admin = await WithInputAsync("a long passphrase 1\n", "users", "add", "admin@example.com", "--role", "admin", "--db", db);
        var shortPassword = await WithInputAsync("short\n", "users", "add", "owner@example.com", "--role", "owner", "--workspace", "Rose's Florist", "--db", db);
        var noWorkspace = await WithInputAsync("a long passphrase 2\n", "users", "add", "viewer@example.com", "--role", "viewer", "--db", db);
        var viewer = await WithInputAsync("a long passphrase 2\n", "users", "add", "viewer@example.com", "--role", "viewer", "--workspace", "Rose's Florist", "--db", db);
        var promoted = await WithInputAsync("", "users", "role", "viewer@example.com", "owner", "--workspace", "Rose's Florist", "--db", db);
        var listed = await RunAsync("users", "list", "--db", db);
        var lastAdmin = await RunAsync("users", "remove", "admin@example.com", "--db", db);
        var removed = await RunAsync("users", "remove", "viewer@example.com", "--db", db);

        Assert.Equal(0, admin.Code);
        Assert.Contains("Accounts are on", admin.Out);
        Assert.Equal(2, shortPassword.Code);
        Assert.Contains("at least 10 characters", shortPassword.Err);
        Assert.Equal(2, noWorkspace.Code);
        Assert.Contains("--workspace NAME", noWorkspace.Err);
        Assert.Equal(0, viewer.Code);
        Assert.Equal(0, promoted.Code);
        Assert.Contains("admin@example.com\tadmin\tevery workspace", listed.Out);
        Assert.Contains("viewer@example.com\tmember\tRose's Florist (owner)", listed.Out);
        Assert.Equal(2, lastAdmin.Code);
        Assert.Contains("only admin", lastAdmin.Err);
        Assert.Equal(0, removed.Code);
        Assert.DoesNotContain("viewer@example.com", (await RunAsync("users", "list", "--db", db)).Out);
    }

    [Fact]
    public async Task Imports_ListsThem_AndRemoveImportTakesOneBack()
    {
        var demo = Path.Combine(_folder.Folder, "demo.json");
        var db = Path.Combine(_folder.Folder, "imports.db");
        await RunAsync("demo", "--out", demo, "--contacts", "40", "--campaigns", "1");
        await RunAsync("import", demo, "--db", db);

        var listed = await RunAsync("imports", "--db", db);
        var number = System.Text.RegularExpressions.Regex.Match(listed.Out, @"^\s*(\d+)\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+demo\.json: ", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;
        var removed = await RunAsync("remove-import", number, "--db", db);
        var again = await RunAsync("remove-import", number, "--db", db);
        var noNumber = await RunAsync("remove-import", "--db", db);
        var noDatabase = await RunAsync("imports", "--db", Path.Combine(_folder.Folder, "none.db"));

        Assert.Equal(0, listed.Code);
        Assert.NotEmpty(number);
        Assert.Equal(0, removed.Code);
        Assert.Contains("Removed the import of demo.json", removed.Out);
        Assert.Equal(2, again.Code);
        Assert.Contains("no longer in the workspace's history", again.Err);
        Assert.Equal(2, noNumber.Code);
        Assert.Contains("Name one import by its number", noNumber.Err);
        Assert.Equal(2, noDatabase.Code);
        Assert.Contains("There is no database at", noDatabase.Err);
        var options = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(options, db);
        await using var context = new ClickInsightsDbContext(options.Options);
        Assert.False(await context.Events.AnyAsync());
        Assert.Contains("Nothing has been imported", (await RunAsync("imports", "--db", db)).Out);
    }

    [Fact]
    public async Task Classify_DemoFile_WritesContractColumns()
    {
        var demo = Path.Combine(_folder.Folder, "demo.json");
        var csv = Path.Combine(_folder.Folder, "v.csv");
        Assert.Equal(0, (await RunAsync("demo", "--out", demo, "--contacts", "80", "--campaigns", "2")).Code);

        var (code, _, err) = await RunAsync("classify", demo, "--out", csv);

        Assert.Equal(0, code);
        var lines = await File.ReadAllLinesAsync(csv);
        Assert.StartsWith("campaign_id,email,url,clicked_at,verdict,score,reasons", lines[0]);
        Assert.True(lines.Length > 10);
        var cells = lines[1].Split(',');
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$", cells[3]);
        Assert.Contains(cells[4], new[] { "human", "suspect", "bot" });
        Assert.InRange(int.Parse(cells[5], System.Globalization.CultureInfo.InvariantCulture), 0, 100);
        Assert.Contains(lines, l => l.Contains(",bot,", StringComparison.Ordinal) && l.Contains("burst", StringComparison.Ordinal));
        Assert.Contains("clicks classified", err);
    }

    [Fact]
    public async Task Classify_OutputIntoAFolderThatDoesNotExist_SaysSoInOneLine()
    {
        var demo = Path.Combine(_folder.Folder, "demo-out.json");
        Assert.Equal(0, (await RunAsync("demo", "--out", demo, "--contacts", "20", "--campaigns", "1")).Code);

        var (code, _, err) = await RunAsync("classify", demo, "--out", Path.Combine(_folder.Folder, "missing", "dir", "x.csv"));

        Assert.Equal(1, code);
        Assert.StartsWith("error: ", err.TrimEnd().Split('\n')[^1]);
        Assert.Contains("missing", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Import_IntoNewDatabase_TwiceAddsNothing()
    {
        var demo = Path.Combine(_folder.Folder, "demo.json");
        var db = Path.Combine(_folder.Folder, "cli.db");
        await RunAsync("demo", "--out", demo, "--contacts", "50", "--campaigns", "1");

        var first = await RunAsync("import", demo, "--db", db);
        var second = await RunAsync("import", demo, "--db", db);

        Assert.Equal(0, first.Code);
        Assert.Contains("duplicates skipped", first.Out);
        Assert.Contains(" 0 added", second.Out);
        var options = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(options, db);
        await using var context = new ClickInsightsDbContext(options.Options);
        Assert.Equal(1, await context.Campaigns.CountAsync());
    }

    [Fact]
    public async Task Classify_MalformedFile_ExplainsWhereAndFails()
    {
        var bad = Path.Combine(_folder.Folder, "bad.json");
        await File.WriteAllTextAsync(bad, """[{"email":"a@b.com","timestamp":1700000000,"event":"click","sg_event_id":"1"},{"email":""" );

        var (code, _, err) = await RunAsync("classify", bad);

        Assert.Equal(1, code);
        Assert.Contains("bad.json", err);
        Assert.Contains("line 1", err);
    }

    [Fact]
    public async Task ImportCliTests_ZipOfJsonAndCsv_ImportsEachAndPrintsProgressAndSummary()
    {
        var zipPath = Path.Combine(_folder.Folder, "exports.zip");
        var db = Path.Combine(_folder.Folder, "cli.db");
        using (var zip = System.IO.Compression.ZipFile.Open(zipPath, System.IO.Compression.ZipArchiveMode.Create))
        {
            using (var json = zip.CreateEntry("demo.json").Open())
            {
                json.Write(Samples.DemoSendGridFile(new() { Contacts = 1_500, Campaigns = 1 }));
            }
            using var csv = new StreamWriter(zip.CreateEntry("clicks.csv").Open());
            csv.Write("Email,Clicked At,Link,Campaign\na@shop.example,2026-03-02T14:00:07Z,https://shop.example/,Spring\n");
        }

        var (code, stdout, stderr) = await RunAsync("import", zipPath, "--db", db);

        Assert.Equal(0, code);
        Assert.Contains("exports.zip/demo.json (SendGrid Event Webhook JSON)", stdout);
        Assert.Contains("exports.zip/clicks.csv (CSV export", stdout);
        Assert.Contains("events read", stderr);
    }

    [Fact]
    public async Task ImportCliTests_CsvWithUnknownColumns_FailsNamingWhatItCouldNotMap()
    {
        var csvPath = Path.Combine(_folder.Folder, "export.csv");
        await File.WriteAllTextAsync(csvPath, "Adresse;Zeitpunkt\njan@example.de;2026-03-02T14:00:07Z\n");

        var (code, _, stderr) = await RunAsync("import", csvPath, "--db", Path.Combine(_folder.Folder, "cli.db"));

        Assert.Equal(1, code);
        Assert.Contains("export.csv", stderr);
        Assert.Contains("event type", stderr);
        Assert.Contains("\"Adresse\"", stderr);
    }

    [Fact]
    public async Task UnknownCommand_ExplainsUsage()
    {
        var (code, _, err) = await RunAsync("frobnicate", "x");
        Assert.Equal(2, code);
        Assert.Contains("Unknown command", err);
    }

    public void Dispose() => _folder.Dispose();
}
