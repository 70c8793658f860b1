using System.Text;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Import;

/// <summary>CSV exports: sniffing the header, guessing and remembering the columns, reading rows, refusing bad ones.</summary>
public abstract class CsvImportTests(StoreKind store)
{
    /// <summary>Shaped like a mail tool's "clicks" export: a campaign column, US dates (4/23 cannot be day first), a quoted cell with a comma.</summary>
    private const string ClicksExport = """
        Email Address,Campaign Name,Clicked At,Link,IP Address,Browser
        anna.smith@harbordental.com,Spring Sale,4/2/2026 14:00:07,https://shop.example/menu,40.94.12.7,"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36"
        Ben.Jones@Gmail.com,Spring Sale,4/2/2026 17:31:55,https://shop.example/order,73.12.9.4,Mozilla/5.0 (iPhone; CPU iPhone OS 19_0 like Mac OS X)
        carla@oakridgeclinic.com,Spring Sale,4/23/2026 9:02:11,https://shop.example/menu,205.139.110.3,
        """;

    /// <summary>A European export: semicolons, an event column with the tool's own words, ISO times.</summary>
    private const string ActivityExport = "Adresse;Ereignis;Zeitpunkt;URL;Kampagne\r\n" +
        "jan@example.de;Klick;2026-03-02T14:00:07Z;\"https://shop.example/a;b\";Frühling\r\n" +
        "eva@example.de;Öffnung;2026-03-02T13:59:00Z;;Frühling\r\n" +
        "jan@example.de;Zustellung;2026-03-02T13:00:00Z;;Frühling\r\n";

    private static CsvHeader Sniff(string text)
    {
        Assert.True(CsvHeader.TrySniff(Encoding.UTF8.GetBytes(text), isWholeFile: true, out var header));
        return header!;
    }

    [SkippableFact]
    public void Guess_ClicksExport_MapsEveryColumnConfidently()
    {
        var guess = Sniff(ClicksExport).Guess("spring-clicks.csv");

        Assert.True(guess.IsConfident, string.Join(", ", guess.Unsure));
        var m = guess.Mapping;
        Assert.Equal(("Email Address", "Clicked At", "Link", "IP Address", "Browser", "Campaign Name"), (m.Email, m.Timestamp, m.Url, m.Ip, m.UserAgent, m.Campaign));
        Assert.Equal("M/d/yyyy H:mm:ss", m.TimestampFormat);
        Assert.Null(m.EventType);
        Assert.Equal(EventType.Click, m.FixedEventType);
    }

    [SkippableFact]
    public void Guess_UnknownHeaders_IsNotConfidentAndSaysWhatIsMissing()
    {
        var guess = Sniff("Kunde;Ereignis;Zeitpunkt\nJan Berg;Klick;heute\n").Guess("export.csv");

        Assert.False(guess.IsConfident);
        Assert.Contains("email address", guess.Unsure);
        Assert.Contains("time", guess.Unsure);
    }

    [SkippableFact]
    public void Guess_HeadersItDoesNotKnow_FindsAddressLinkAndTimeByTheirValues()
    {
        var guess = Sniff("""
            Kontakt;Was;Zeitpunkt;Ziel;Nummer
            jan@example.de;Klick;02.03.2026 14:00:07;https://shop.example/a;1772460007
            eva@example.de;Klick;12.03.2026 09:10:00;http://shop.example/b;1772460099
            """).Guess("export.csv");

        Assert.True(guess.IsConfident, string.Join(", ", guess.Unsure));
        var m = guess.Mapping;
        Assert.Equal(("Kontakt", "Zeitpunkt", "Ziel"), (m.Email, m.Timestamp, m.Url));
        Assert.Equal("d.M.yyyy H:mm:ss", m.TimestampFormat);
        // A column of plain numbers could be anything: it is not taken for the time.
        Assert.Null(m.EventId);
    }

    [SkippableFact]
    public void Guess_LinksAndAColumnOfDifferentWords_AsksWhatTheWordsMean()
    {
        var guess = Sniff("""
            Kontakt;Was;Zeitpunkt;Ziel
            jan@example.de;Klick;02.03.2026 14:00:07;https://shop.example/a
            eva@example.de;Öffnung;02.03.2026 14:01:00;
            """).Guess("export.csv");

        Assert.False(guess.IsConfident);
        Assert.Contains("event type", guess.Unsure);
    }

    [SkippableFact]
    public void Guess_ColumnNamedWhen_IsTheTime()
    {
        var guess = Sniff("Email Address,Activity,When,Link clicked\nann@acme.example,Clicked,2026-09-01 10:00,https://x.example/a\n").Guess("ui-export.csv");

        Assert.Equal("When", guess.Mapping.Timestamp);
        Assert.Equal(CsvTimestampFormat.Iso, guess.Mapping.TimestampFormat);
    }

    [SkippableTheory]
    [InlineData("1772460007", CsvTimestampFormat.UnixSeconds, 1772460007000L)]
    [InlineData("1772460007123", CsvTimestampFormat.UnixMilliseconds, 1772460007123L)]
    [InlineData("2026-03-02T14:00:07.5+01:00", CsvTimestampFormat.Iso, 1772456407500L)]
    [InlineData("2026-03-02 14:00:07", CsvTimestampFormat.Iso, 1772460007000L)]
    [InlineData("02.03.2026 14:00:07", "d.M.yyyy H:mm:ss", 1772460007000L)]
    [InlineData("3/2/2026 2:00:07 PM", "M/d/yyyy h:mm:ss tt", 1772460007000L)]
    public async Task Read_TimestampFormats_BecomeUtcMilliseconds(string value, string format, long expected)
    {
        Assert.Equal(format, CsvHeader.GuessTimeFormat([value]));
        var mapping = new CsvColumnMapping { Email = "email", Timestamp = "time", TimestampFormat = format, CampaignName = "C" };

        var events = await ReaderHarness.ReadEventsAsync(new CsvEventReader(mapping), $"email,time\na@b.example,\"{value}\"\n", "t.csv");

        Assert.Equal(expected, Assert.Single(events).OccurredAtMs);
    }

    [SkippableTheory]
    [InlineData("03/04/2026 14:00", "04/05/2026 09:10")]
    [InlineData("3/4/2026 14:00:07", "12/1/2026 09:10:00")]
    public void Guess_DatesThatReadBothWays_AsksForTheOrderOfDayAndMonth(string first, string second)
    {
        var guess = Sniff($"Email,Date,Link\na@b.example,{first},https://x.example/a\nc@d.example,{second},https://x.example/b\n").Guess("clicks.csv");

        Assert.False(guess.IsConfident);
        Assert.Contains("the order of day and month in \"Date\"", guess.Unsure);
        Assert.Equal("Date", guess.Mapping.Timestamp);
    }

    [SkippableFact]
    public void GuessTimeFormat_DayFirstDates_ChoosesDayFirst()
    {
        Assert.Equal("d/M/yyyy H:mm", CsvHeader.GuessTimeFormat(["2/3/2026 14:00", "25/3/2026 09:10"]));
    }

    [SkippableFact]
    public async Task Read_QuotedCellsAndGuessedMapping_KeepsCommasAndLowerCasesEmail()
    {
        var header = Sniff(ClicksExport);
        var events = await ReaderHarness.ReadEventsAsync(new CsvEventReader(header.Guess("x.csv").Mapping, header.Delimiter), ClicksExport, "x.csv");

        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(EventType.Click, e.Type));
        Assert.Equal("ben.jones@gmail.com", events[1].Email);
        Assert.Contains("(KHTML, like Gecko)", events[0].UserAgent);
        Assert.Null(events[2].UserAgent);
        Assert.Equal("Spring Sale", events[0].CampaignKey);
        Assert.Equal(DateTimeOffset.Parse("2026-04-02T14:00:07Z").ToUnixTimeMilliseconds(), events[0].OccurredAtMs);
        Assert.StartsWith("anna.smith@harbordental.com,Spring Sale,", events[0].Raw);
        Assert.Equal(3, events.Select(e => e.ExternalId).Distinct().Count());
    }

    [SkippableFact]
    public async Task Read_SemicolonsAndOwnEventWords_UsesTheMappingsValues()
    {
        var header = Sniff(ActivityExport);
        Assert.Equal(';', header.Delimiter);
        Assert.Equal(["Klick", "Öffnung", "Zustellung"], header.SampleValues("Ereignis"));
        var mapping = new CsvColumnMapping
        {
            Email = "Adresse", Timestamp = "Zeitpunkt", EventType = "Ereignis", Url = "URL", Campaign = "Kampagne",
            EventValues = new(StringComparer.OrdinalIgnoreCase) { ["Klick"] = EventType.Click, ["Öffnung"] = EventType.Open, ["Zustellung"] = EventType.Delivered },
        };

        var events = await ReaderHarness.ReadEventsAsync(new CsvEventReader(mapping, ';'), ActivityExport, "aktivitaet.csv");

        Assert.Equal([EventType.Click, EventType.Open, EventType.Delivered], events.Select(e => e.Type));
        Assert.Equal("https://shop.example/a;b", events[0].Url);
        Assert.Equal("Frühling", events[0].CampaignName);
    }

    [SkippableFact]
    public async Task Read_RowWithBadTime_NamesLineAndColumn()
    {
        var text = ClicksExport + "\ndev@example.com,Spring Sale,yesterday,https://shop.example/,1.2.3.4,x\n";
        var header = Sniff(ClicksExport);

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(new CsvEventReader(header.Guess("x.csv").Mapping), text, "clicks.csv"));

        Assert.Equal("clicks.csv", error.FileName);
        Assert.Equal("line 5, column \"Clicked At\"", error.Position);
        Assert.Contains("yesterday", error.Problem);
    }

    [SkippableFact]
    public async Task Read_RowWithTooManyCells_NamesTheLineAfterAQuotedLineBreak()
    {
        const string text = "email,time,note\na@b.example,1772460007,\"two\nlines\"\nc@d.example,1772460008,x,extra\n";
        var mapping = new CsvColumnMapping { Email = "email", Timestamp = "time", TimestampFormat = CsvTimestampFormat.UnixSeconds, CampaignName = "C" };

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(new CsvEventReader(mapping), text, "notes.csv"));

        Assert.Equal("line 4", error.Position);
        Assert.Contains("expected 3 cells", error.Problem);
    }

    [SkippableFact]
    public async Task Read_MappedColumnMissingFromFile_NamesTheColumnAndTheHeader()
    {
        var mapping = new CsvColumnMapping { Email = "Email", Timestamp = "Date", Url = "Clicked link", CampaignName = "C" };

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(new CsvEventReader(mapping), "Email,Date\na@b.example,2026-01-01\n", "x.csv"));

        Assert.Equal("line 1", error.Position);
        Assert.Contains("\"Clicked link\"", error.Problem);
        Assert.Contains("\"Email\", \"Date\"", error.Problem);
    }

    [SkippableFact]
    public async Task Read_NotAnEmail_IsRefused()
    {
        var mapping = new CsvColumnMapping { Email = "Email", Timestamp = "Date", CampaignName = "C" };

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(new CsvEventReader(mapping), "Email,Date\nnobody,2026-01-01\n", "x.csv"));

        Assert.Equal("line 2, column \"Email\"", error.Position);
    }

    [SkippableTheory]
    [InlineData("just one line of prose, with a comma\nand another line without\n")]
    [InlineData("{\"a\":1}")]
    [InlineData("single\ncolumn\n")]
    public void Sniff_TextThatIsNotATable_IsNotCsv(string text)
    {
        Assert.False(CsvHeader.TrySniff(Encoding.UTF8.GetBytes(text), isWholeFile: true, out _));
    }

    [SkippableFact]
    public void HeaderKey_IgnoresCaseSpacesAndDelimiter()
    {
        Assert.Equal(Sniff("Email, Date ,URL\na@b.c,1,2\n").Key, Sniff("email;date;url\na@b.c;1;2\n").Key);
        Assert.NotEqual(Sniff("Email,Date,URL\n").Key, Sniff("Email,URL,Date\n").Key);
    }

    [SkippableFact]
    public void Mapping_RoundTripsThroughJson()
    {
        var mapping = new CsvColumnMapping { Email = "E", Timestamp = "T", EventType = "Ev", EventValues = new() { ["Klick"] = EventType.Click }, CampaignName = "X" };

        var back = CsvColumnMapping.FromJson(mapping.ToJson())!;

        Assert.Equal(EventType.Click, back.EventValues["klick"]);
        Assert.Equal(("E", "T", "Ev", "X"), (back.Email, back.Timestamp, back.EventType, back.CampaignName));
    }

    [SkippableFact]
    public async Task Import_ConfidentGuess_StoresAndReimportAddsNothing()
    {
        var (first, second, afterFirst, afterSecond) = await ReaderHarness.ImportTwiceAsync(ClicksExport, "spring-clicks.csv");

        Assert.Equal(CsvEventReader.FormatName, first.Format);
        Assert.Equal((3, 3, 3), (first.EventsAdded, first.Clicks, afterFirst.Events));
        Assert.Equal((0, 3), (second.EventsAdded, second.DuplicatesSkipped));
        Assert.Equal(afterFirst, afterSecond);
    }

    [SkippableFact]
    public async Task Import_UnknownColumns_IsRefusedNamingThem_UntilAMappingIsRemembered()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => database.Importer.ImportAsync(workspace, Samples.Utf8(ActivityExport), "aktivitaet.csv"));
        // Address, time and link are recognised by their values; what "Ereignis" means is not (it is not a clicks-only file).
        Assert.Contains("event type", error.Problem);
        Assert.Contains("\"Adresse\"", error.Problem);

        var header = Sniff(ActivityExport);
        var mapping = new CsvColumnMapping { Email = "Adresse", Timestamp = "Zeitpunkt", EventType = "Ereignis", Url = "URL", Campaign = "Kampagne", EventValues = new() { ["Klick"] = EventType.Click } };
        await new CsvMappingStore(database, TimeProvider.System).SaveAsync(header, mapping);

        // A later file with the same header row (other rows) is read with the remembered mapping.
        var preview = await database.Importer.PreviewAsync(Samples.Utf8(ActivityExport), "next-month.csv");
        Assert.True(preview.MappingRemembered);
        Assert.True(preview.CanImport);
        Assert.Equal(1, preview.Clicks);
        var result = await database.Importer.ImportAsync(workspace, Samples.Utf8(ActivityExport), "next-month.csv");
        Assert.Equal((3, 1, 1), (result.EventsAdded, result.Clicks, result.Campaigns));
        await using var db = database.CreateDbContext();
        Assert.Equal("Frühling", (await db.Campaigns.SingleAsync()).Name);
    }

    [SkippableFact]
    public async Task RememberedColumns_WithoutACampaignColumn_NameEachFilesCampaignAfterThatFile()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        const string march = "Kontakt;Zeitpunkt;Ziel\njan@example.de;2026-03-02T14:00:07Z;https://shop.example/a\n";
        const string april = "Kontakt;Zeitpunkt;Ziel\njan@example.de;2026-04-02T14:00:07Z;https://shop.example/a\n";
        var mapping = new CsvColumnMapping { Email = "Kontakt", Timestamp = "Zeitpunkt", Url = "Ziel", CampaignName = "march-clicks" };
        await new CsvMappingStore(database, TimeProvider.System).SaveAsync(Sniff(march), mapping);

        await database.Importer.ImportAsync(workspace, Samples.Utf8(march), "march-clicks.csv", new ImportOptions { CsvMapping = mapping });
        var preview = await database.Importer.PreviewAsync(Samples.Utf8(april), "april-clicks.csv");
        var result = await database.Importer.ImportAsync(workspace, Samples.Utf8(april), "april-clicks.csv");

        Assert.True(preview.MappingRemembered);
        Assert.Equal("april-clicks", preview.Mapping!.CampaignName);
        Assert.Equal((1, 1), (result.EventsAdded, result.Campaigns));
        await using var db = database.CreateDbContext();
        Assert.Equal(["april-clicks", "march-clicks"], await db.Campaigns.OrderBy(c => c.Name).Select(c => c.Name).ToListAsync());
    }

    [SkippableFact]
    public async Task HeaderWithBlankAndRepeatedNames_IsReadWithTheFirstColumnOfAName()
    {
        using var database = new TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        // As a spreadsheet leaves it: two empty columns at the end, and a name given twice.
        const string text = "Email,Clicked At,Link,email,,\nann@acme.example,2026-03-02 14:00:07,https://shop.example/a,other@x.example,,\n";

        var preview = await database.Importer.PreviewAsync(Samples.Utf8(text), "clicks.csv");
        var result = await database.Importer.ImportAsync(workspace, Samples.Utf8(text), "clicks.csv");

        Assert.Null(preview.Error);
        Assert.Equal((1, 1), (result.EventsAdded, result.Clicks));
        await using var db = database.CreateDbContext();
        Assert.Equal("ann@acme.example", await db.Recipients.Select(r => r.Email).SingleAsync());
    }

    [SkippableFact]
    public async Task Preview_UnknownColumns_OffersTheGuessAndWhatIsMissing()
    {
        using var database = new TestDatabase(store);

        var preview = await database.Importer.PreviewAsync(Samples.Utf8(ActivityExport), "aktivitaet.csv");

        Assert.Equal(CsvEventReader.FormatName, preview.Format);
        Assert.True(preview.NeedsMapping);
        Assert.Equal(("URL", "Adresse", "Zeitpunkt"), (preview.Mapping!.Url, preview.Mapping.Email, preview.Mapping.Timestamp));
        Assert.Contains("event type", preview.Unmapped);
        Assert.Equal(0, preview.Events);
    }

    [SkippableFact]
    public async Task Preview_WithChosenMapping_CountsEventsAndCampaignsWithoutStoring()
    {
        using var database = new TestDatabase(store);
        var mapping = new CsvColumnMapping { Email = "Adresse", Timestamp = "Zeitpunkt", EventType = "Ereignis", Campaign = "Kampagne", EventValues = new() { ["Klick"] = EventType.Click, ["Öffnung"] = EventType.Open } };

        var preview = await database.Importer.PreviewAsync(Samples.Utf8(ActivityExport), "aktivitaet.csv", new ImportOptions { CsvMapping = mapping });

        Assert.True(preview.CanImport);
        Assert.Equal(3, preview.Events);
        Assert.Equal(1, preview.EventsByType[EventType.Click]);
        Assert.Equal(1, preview.EventsByType[EventType.Open]);
        // "Zustellung" is not one of the common words and was not mapped: kept as another event.
        Assert.Equal(1, preview.EventsByType[EventType.Other]);
        Assert.Equal(["Frühling"], preview.Campaigns);
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Events.CountAsync());
    }

    [SkippableFact]
    public async Task Preview_MalformedRow_ReportsTheError()
    {
        using var database = new TestDatabase(store);

        var preview = await database.Importer.PreviewAsync(Samples.Utf8(ClicksExport + "\nnot-an-address,Spring Sale,4/2/2026 14:00:07,u,1.2.3.4,x\n"), "clicks.csv");

        Assert.False(preview.CanImport);
        Assert.Contains("line 5", preview.Error);
    }
}

/// <summary><see cref="CsvImportTests"/> on SQLite.</summary>
public sealed class CsvImportTestsOnSqlite() : CsvImportTests(StoreKind.Sqlite);

/// <summary><see cref="CsvImportTests"/> on PostgreSQL.</summary>
public sealed class CsvImportTestsOnPostgreSql() : CsvImportTests(StoreKind.PostgreSql);
