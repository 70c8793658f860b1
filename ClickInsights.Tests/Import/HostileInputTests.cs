using System.Text;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Import;

/// <summary>
/// Values no provider sends, in files that are otherwise well formed: each is refused with the file and where, and the
/// database is left exactly as it was (nothing half-stored, nothing downstream to fail on later).
/// </summary>
public abstract class HostileInputTests(StoreKind store)
{
    private const string Good = """{"email":"anna@example.com","timestamp":1788271234,"event":"click","url":"https://example.com/a","ip":"203.0.113.9","sg_event_id":"good-1","singlesend_id":"s1","useragent":"Mozilla/5.0"}""";

    private static string SendGrid(string field, string json) =>
        "[" + Good + "," + Good.Replace("good-1", "bad-2", StringComparison.Ordinal).Replace(field, json, StringComparison.Ordinal) + "]";

    public static TheoryData<string, string, string> BadSendGridValues => new()
    {
        // A lone surrogate escape in the address, the link and the event name.
        { "\"anna@example.com\"", "\"an\\ud800na@example.com\"", "surrogate" },
        { "\"https://example.com/a\"", "\"https://example.com/\\udc00\"", "surrogate" },
        { "\"click\"", "\"cl\\ud800ick\"", "surrogate" },
        // Not an IP: IPAddress alone would read "1.2.3" as 1.2.0.3.
        { "\"203.0.113.9\"", "\"1.2.3\"", "IP address" },
        { "\"203.0.113.9\"", "\"203.0.113.256\"", "IP address" },
        // Addresses no provider accepts.
        { "\"anna@example.com\"", "\"@\"", "email address" },
        { "\"anna@example.com\"", "\"a@b@c.com\"", "email address" },
        { "\"anna@example.com\"", "\"x@example.com\\r\\nBcc: victim@example.org\"", "email address" },
        { "\"anna@example.com\"", "\"" + new string('a', 10_000) + "@example.com\"", "email address" },
        // Times: 1970, and seconds of the year 9999 (which a reader might take for milliseconds).
        { "1788271234", "0", "time between" },
        { "1788271234", "253402300800", "time between" },
        // A user agent of 5 KB, a link of 9 KB.
        { "\"Mozilla/5.0\"", "\"" + new string('M', 5_000) + "\"", "user agent of at most" },
        { "\"https://example.com/a\"", "\"https://example.com/" + new string('a', 9_000) + "\"", "link of at most" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadSendGridValues))]
    public async Task ABadValue_RefusesTheFile_NamingWhere_AndStoresNothing(string field, string json, string said)
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        await database.Importer.ImportAsync(workspace, Samples.Utf8("[" + Good.Replace("good-1", "before", StringComparison.Ordinal) + "]"), "before.json");
        var before = await CountsAsync(database);

        var refused = await Assert.ThrowsAsync<ImportFormatException>(() => database.Importer.ImportAsync(workspace, Samples.Utf8(SendGrid(field, json)), "hostile.json"));

        Assert.Equal("hostile.json", refused.FileName);
        Assert.Contains(said, refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrWhiteSpace(refused.Position));
        Assert.Equal(before, await CountsAsync(database));
        Assert.DoesNotContain("\r", refused.Message);
    }

    [SkippableFact]
    public async Task ThePreview_RefusesTheSameValues_BeforeAnythingIsStored()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();

        var preview = await database.Importer.PreviewAsync(Samples.Utf8(SendGrid("\"203.0.113.9\"", "\"1.2.3\"")), "hostile.json");

        Assert.Contains("expected an IP address", preview.Error);
        Assert.Contains("record 2", preview.Error);
    }

    [SkippableTheory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    public async Task IsoTimesOutsideTheCentury_AreRefused(string at)
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        var postmark = $$"""{"RecordType": "Click", "MessageStream": "broadcast", "OriginalLink": "https://shop.example/c", "Geo": {"IP": "81.2.69.4"}, "UserAgent": "Mozilla/5.0", "MessageID": "m-1", "ReceivedAt": "{{at}}", "Tag": "spring", "Recipient": "cy@example.com"}""";

        var refused = await Assert.ThrowsAsync<ImportFormatException>(() => database.Importer.ImportAsync(workspace, Samples.Utf8(postmark), "postmark.json"));

        Assert.Contains("time between 2000-01-01", refused.Message);
    }

    [SkippableFact]
    public async Task ACsvRowOfManyMegabytes_IsRefusedInWords()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        var csv = new StringBuilder("Email Address,Campaign Name,Clicked At,Link\n");
        csv.Append("ann@example.com,Spring,2026-03-02 14:00:07,\"https://shop.example/").Append('a', 20 * 1024 * 1024).Append("\"\n");

        var refused = await Assert.ThrowsAsync<ImportFormatException>(() => database.Importer.ImportAsync(workspace, Samples.Utf8(csv.ToString()), "huge.csv"));

        Assert.Contains("row 2", refused.Message);
        Assert.Equal(0, await CountsAsync(database) is var (events, _) ? events : -1);
    }

    [SkippableFact]
    public async Task AnEventOfManyMegabytes_IsRefused_NotHeldWhole()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        var huge = SendGrid("\"Mozilla/5.0\"", "\"" + new string('M', 40 * 1024 * 1024) + "\"");

        var refused = await Assert.ThrowsAsync<ImportFormatException>(() => database.Importer.ImportAsync(workspace, Samples.Utf8(huge), "huge.json"));

        Assert.Contains("at most 16 MB", refused.Message);
    }

    private static string Zip(string folder, Action<System.IO.Compression.ZipArchive> fill)
    {
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".zip");
        using (var archive = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        {
            fill(archive);
        }
        return path;
    }

    private static void Add(System.IO.Compression.ZipArchive archive, string name, string text, System.IO.Compression.CompressionLevel level = System.IO.Compression.CompressionLevel.Optimal)
    {
        using var entry = archive.CreateEntry(name, level).Open();
        entry.Write(Encoding.UTF8.GetBytes(text));
    }

    [SkippableFact]
    public async Task AZipBomb_IsRefusedBeforeItIsUnpacked_AndTheOtherFilesAreImported()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        // One event whose user agent is 200 MB of one letter: a few hundred kilobytes packed.
        var path = Zip(database.Folder, archive =>
        {
            Add(archive, "good.json", "[" + Good + "]");
            Add(archive, "bomb.json", SendGrid("\"Mozilla/5.0\"", "\"" + new string('A', 200 * 1024 * 1024) + "\""));
        });

        using var source = ImportSource.Open(path, "export.zip");
        var outcomes = await database.Importer.ImportSourceAsync(workspace, source);

        Assert.Null(outcomes.Single(o => o.FileName.EndsWith("good.json", StringComparison.Ordinal)).Error);
        Assert.Contains("more than 200 times", outcomes.Single(o => o.FileName.EndsWith("bomb.json", StringComparison.Ordinal)).Error);
        Assert.Equal(1, (await CountsAsync(database)).Events);
    }

    [SkippableFact]
    public async Task AZipEntryWithAWrongChecksum_IsRefused_AndStoresNothing()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        var path = Zip(database.Folder, archive => Add(archive, "events.json", "[" + Good + "]", System.IO.Compression.CompressionLevel.NoCompression));
        // Stored without compression: change one letter of the address inside, leaving the recorded CRC as it was.
        var bytes = File.ReadAllBytes(path);
        var at = bytes.AsSpan().IndexOf("anna@example.com"u8);
        bytes[at] = (byte)'e';
        File.WriteAllBytes(path, bytes);

        using var source = ImportSource.Open(path, "export.zip");
        var outcomes = await database.Importer.ImportSourceAsync(workspace, source);

        Assert.Contains("cannot be unpacked", outcomes.Single().Error);
        Assert.Equal(0, (await CountsAsync(database)).Events);
    }

    [SkippableFact]
    public async Task SendGridsDocumentedSample_WithOnePlaceholderIdForEveryEvent_KeepsEachKind_AndAReimportAddsNone()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        // As SendGrid's documentation shows its events: the same sg_event_id on each.
        const string sample = """
            [{"email":"example@test.com","timestamp":1513299569,"event":"processed","sg_event_id":"sg_event_id","sg_message_id":"sg_message_id","category":"cat facts"},
             {"email":"example@test.com","timestamp":1513299569,"event":"delivered","sg_event_id":"sg_event_id","sg_message_id":"sg_message_id","category":"cat facts"},
             {"email":"example@test.com","timestamp":1513299569,"event":"open","sg_event_id":"sg_event_id","sg_message_id":"sg_message_id","category":"cat facts","useragent":"Mozilla/4.0","ip":"255.255.255.255"},
             {"email":"example@test.com","timestamp":1513299569,"event":"click","sg_event_id":"sg_event_id","sg_message_id":"sg_message_id","category":"cat facts","useragent":"Mozilla/4.0","ip":"255.255.255.255","url":"http://www.sendgrid.com/"}]
            """;

        var first = await database.Importer.ImportAsync(workspace, Samples.Utf8(sample), "sample.json");
        var again = await database.Importer.ImportAsync(workspace, Samples.Utf8(sample), "sample-again.json");

        Assert.Equal(4, first.EventsAdded);
        Assert.Equal(1, first.Clicks);
        Assert.Equal(0, again.EventsAdded);
    }

    [SkippableFact]
    public async Task IdenticalConstantContactRecordsOnTwoPages_AreTwoClicks_AsInOneFileOfBothPages_AndAReimportAddsNone()
    {
        const string click = """{"contact_id":"a2fdc285-f2ad-4ad7-b8d3-0f7f3c1a6f32","campaign_activity_id":"98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51","tracking_activity_type":"em_clicks","email_address":"maddieb@gmail.com","url_id":"1100407204171","link_url":"http://www.yoursite.com","created_time":"2026-04-25T11:08:00.000Z"}""";
        const string other = """{"contact_id":"0c1d7a52-5d3a-4c0e-9d5e-2b8f4c3a1e77","campaign_activity_id":"98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51","tracking_activity_type":"em_clicks","email_address":"j.smith@example.com","url_id":"1100407204172","link_url":"https://www.yoursite.com/menu","created_time":"2026-04-25T11:09:00.000Z"}""";
        // A gateway's fetch and the person's click in the same minute look the same; the report's page ends between them.
        var page1 = "{\"tracking_activities\":[" + other + "," + click + "],\"_links\":{\"next\":{\"href\":\"/v3/reports/email_reports/98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51/tracking/clicks?next=2\"}}}";
        var page2 = "{\"tracking_activities\":[" + click + "]}";
        var whole = "{\"tracking_activities\":[" + other + "," + click + "," + click + "]}";

        using var asOne = new TestDatabase(store);
        var one = await asOne.CreateWorkspaceAsync();
        await asOne.Importer.ImportAsync(one, Samples.Utf8(whole), "clicks.json");
        using var asPages = new TestDatabase(store);
        var pages = await asPages.CreateWorkspaceAsync();
        var path = Zip(asPages.Folder, archive =>
        {
            Add(archive, "clicks/page-1.json", page1);
            Add(archive, "clicks/page-2.json", page2);
        });
        using (var source = ImportSource.Open(path, "clicks.zip"))
        {
            Assert.All(await asPages.Importer.ImportSourceAsync(pages, source), o => Assert.Null(o.Error));
        }
        using (var again = ImportSource.Open(path, "clicks.zip"))
        {
            Assert.All(await asPages.Importer.ImportSourceAsync(pages, again), o => Assert.Equal(0, o.Result!.EventsAdded));
        }

        Assert.Equal(3, (await CountsAsync(asOne)).Events);
        Assert.Equal(3, (await CountsAsync(asPages)).Events);
    }

    [SkippableTheory]
    [InlineData("1.2.3")]
    [InlineData("12345")]
    [InlineData("::1:2:3:4:5:6:7:8:9")]
    [InlineData("not an address")]
    public void TheNetworkIndex_NeverFails_OnAStoredValue(string ip)
    {
        var index = new NetworkIndex(ScannerCatalogue.Default.Networks);

        var (entry, _) = index.Lookup(ip);

        Assert.Null(entry);
    }

    [SkippableTheory]
    [InlineData("anna@example.com", true)]
    [InlineData("o'brien+news@mail.example.co.uk", true)]
    [InlineData("jörg@müller.example", true)]
    [InlineData("@example.com", false)]
    [InlineData("anna@", false)]
    [InlineData("anna@@example.com", false)]
    [InlineData("an na@example.com", false)]
    [InlineData("anna@exa..mple.com", false)]
    [InlineData("anna@-example.com", false)]
    public void Addresses_AreCheckedAsProvidersAcceptThem(string email, bool accepted) =>
        Assert.Equal(accepted, EventFields.IsEmail(email));

    private static async Task<(int Events, int Campaigns)> CountsAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        return (await db.Events.CountAsync(), await db.Campaigns.CountAsync());
    }
}

/// <summary><see cref="HostileInputTests"/> on SQLite.</summary>
public sealed class HostileInputTestsOnSqlite() : HostileInputTests(StoreKind.Sqlite);

/// <summary><see cref="HostileInputTests"/> on PostgreSQL.</summary>
public sealed class HostileInputTestsOnPostgreSql() : HostileInputTests(StoreKind.PostgreSql);
