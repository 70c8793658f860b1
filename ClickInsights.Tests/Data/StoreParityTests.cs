using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Demo;
using ClickInsights.Core.Import;
using ClickInsights.Core.Reports;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Data;

/// <summary>
/// The same files into SQLite and into PostgreSQL give the same campaigns, counts, verdicts, rates, breakdowns and CSV
/// exports (ids aside), on the simulator's worlds in every provider's shape: what an owner reads does not depend on
/// the store.
/// </summary>
public sealed class StoreParityTests
{
    public static TheoryData<SourceShape, int> Worlds => new()
    {
        { SourceShape.SendGrid, 7 },
        { SourceShape.SendGrid, 21 },
        { SourceShape.Mailgun, 11 },
        { SourceShape.Postmark, 13 },
        { SourceShape.Mailchimp, 17 },
        { SourceShape.ConstantContact, 19 },
    };

    [SkippableTheory]
    [MemberData(nameof(Worlds))]
    public async Task SameFiles_GiveTheSameFiguresVerdictsAndExports_OnBothStores(SourceShape shape, int seed)
    {
        var events = new DemoSimulator(new SimulatorOptions { Seed = seed, Contacts = 220, Campaigns = 3 }).Generate().ToList();
        var files = ProviderWriters.Write(events, shape);
        using var sqlite = new TestDatabase(StoreKind.Sqlite);
        using var postgres = new TestDatabase(StoreKind.PostgreSql);

        var onSqlite = await FiguresAfterImportAsync(sqlite, files);
        var onPostgres = await FiguresAfterImportAsync(postgres, files);

        Assert.True(onSqlite.Clicks.Count > 50, $"{shape}: too few clicks to compare ({onSqlite.Clicks.Count})");
        Assert.Equal(onSqlite.Imports, onPostgres.Imports);
        Assert.Equal(onSqlite.Campaigns, onPostgres.Campaigns);
        Assert.Equal(onSqlite.Events, onPostgres.Events);
        Assert.Equal(onSqlite.Breakdowns, onPostgres.Breakdowns);
        Assert.Equal(onSqlite.Clicks, onPostgres.Clicks);
        Assert.Equal(onSqlite.Summary, onPostgres.Summary);
        Assert.Equal(onSqlite.Pages, onPostgres.Pages);
    }

    [SkippableFact]
    public async Task ReimportingIntoPostgreSql_AddsNothing_AndRepeatsWithinOneFileAreStoredOnce()
    {
        var file = Samples.DemoSendGridFile(new() { Contacts = 80, Campaigns = 2 });
        // The same events twice in one file: the second copy of each is a duplicate, as on SQLite.
        var doubled = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(file).TrimEnd().TrimEnd(']') + "," + System.Text.Encoding.UTF8.GetString(file).TrimStart().TrimStart('['));
        foreach (var store in new[] { StoreKind.Sqlite, StoreKind.PostgreSql })
        {
            using var database = new TestDatabase(store);
            var workspace = await database.CreateWorkspaceAsync();
            var first = await database.Importer.ImportAsync(workspace, new MemoryStream(doubled), "doubled.json");
            var again = await database.Importer.ImportAsync(workspace, new MemoryStream(file), "demo.json");

            Assert.Equal(first.EventsRead / 2, first.EventsAdded);
            Assert.Equal(first.EventsRead - first.EventsAdded, first.DuplicatesSkipped);
            Assert.Equal(0, again.EventsAdded);
            Assert.Empty(again.CampaignIds);
            await using var db = database.CreateDbContext();
            Assert.Equal(first.EventsAdded, await db.Events.CountAsync());
            Assert.Equal(first.Clicks, await db.ClickVerdicts.CountAsync());
        }
    }

    [SkippableFact]
    public async Task OnPostgreSql_TwoWorkspacesImportAtOnce_ThenOneIsDeleted_AndTheOtherKeepsEverything()
    {
        using var database = new TestDatabase(StoreKind.PostgreSql);
        var bakery = await database.CreateWorkspaceAsync("Bakery");
        var dentist = await database.CreateWorkspaceAsync("Dentist");
        var bakeryFile = Samples.DemoSendGridFile(new() { Contacts = 120, Campaigns = 2, Seed = 3 });
        var dentistFile = Samples.DemoSendGridFile(new() { Contacts = 90, Campaigns = 2, Seed = 4 });

        // Two people import into two workspaces at the same moment: neither waits for the other's lock.
        var results = await Task.WhenAll(
            database.Importer.ImportAsync(bakery, new MemoryStream(bakeryFile), "bakery.json"),
            database.Importer.ImportAsync(dentist, new MemoryStream(dentistFile), "dentist.json"));
        await new ClickInsights.Core.Workspaces.WorkspaceService(database, TimeProvider.System).DeleteAsync(bakery);

        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Events.CountAsync(e => e.WorkspaceId == bakery));
        Assert.Equal(0, await db.RawBlocks.CountAsync(b => b.WorkspaceId == bakery));
        Assert.Equal(results[1].EventsAdded, await db.Events.CountAsync(e => e.WorkspaceId == dentist));
        Assert.Equal(results[1].Clicks, await db.ClickVerdicts.CountAsync());
        // No event or verdict is left pointing at something deleted (PostgreSQL has no row foreign keys on them).
        Assert.False(await db.Events.AnyAsync(e => !db.Campaigns.Any(c => c.Id == e.CampaignId) || !db.Recipients.Any(r => r.Id == e.RecipientId)));
        Assert.False(await db.ClickVerdicts.AnyAsync(v => !db.Events.Any(e => e.Id == v.EventId)));
    }

    private sealed record Figures(List<string> Imports, List<string> Campaigns, List<string> Events, List<string> Breakdowns, List<string> Clicks, string Summary, List<string> Pages);

    private static async Task<Figures> FiguresAfterImportAsync(TestDatabase database, IReadOnlyList<ProviderFile> files)
    {
        var workspace = await database.CreateWorkspaceAsync("Parity");
        var imports = new List<string>();
        foreach (var file in files)
        {
            var result = await database.Importer.ImportAsync(workspace, new MemoryStream(file.Content), file.Name);
            imports.Add($"{file.Name}: {result.Format} read {result.EventsRead} added {result.EventsAdded} duplicates {result.DuplicatesSkipped} clicks {result.Clicks} campaigns {result.Campaigns}");
        }
        await using var db = database.CreateDbContext();
        var campaigns = await db.Campaigns.AsNoTracking().Where(c => c.WorkspaceId == workspace).ToListAsync();
        var externalOf = campaigns.ToDictionary(c => c.Id, c => c.ExternalId);
        var urlOf = await db.CampaignLinks.AsNoTracking().ToDictionaryAsync(l => l.Id, l => l.Url);
        var summaries = await db.CampaignSummaries.AsNoTracking().ToDictionaryAsync(s => s.CampaignId);

        var campaignRows = campaigns.Select(c =>
        {
            var s = summaries[c.Id];
            return $"{c.Source}|{c.ExternalId}|{c.Name}|{(c.SentAt is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("O") : "")}|sent {s.Sent} delivered {s.Delivered} opens {s.Opens} clicks {s.Clicks} clickers {s.UniqueClickers} " +
                $"human {s.HumanClicks}/{s.HumanClickers} suspect {s.SuspectClicks} bot {s.BotClicks} unsubscribes {s.Unsubscribes} unavailable {s.UnavailableSignals} {s.ClassifierVersion} {s.SettingsHash}";
        }).Order(StringComparer.Ordinal).ToList();

        var eventRows = (await db.Events.AsNoTracking().GroupBy(e => new { e.CampaignId, e.Type }).Select(g => new { g.Key.CampaignId, g.Key.Type, Count = g.Count() }).ToListAsync())
            .Select(g => $"{externalOf[g.CampaignId]}|{g.Type}|{g.Count}").Order(StringComparer.Ordinal).ToList();

        // Link breakdowns are keyed by the link's id: named by its address here, as ids may differ between stores.
        var breakdowns = (await db.CampaignBreakdowns.AsNoTracking().ToListAsync())
            .Select(b => $"{externalOf[b.CampaignId]}|{b.Kind}|{(b.Kind == BreakdownKind.Link ? urlOf[int.Parse(b.Key, System.Globalization.CultureInfo.InvariantCulture)] : b.Key)}|{b.Clicks}|{b.HumanClicks}|{b.SuspectClicks}|{b.BotClicks}|{b.Clickers}|{b.HumanClickers}")
            .Order(StringComparer.Ordinal).ToList();

        var reports = new ClickReports(database, ScannerCatalogue.Default);
        var clicks = new List<string>();
        var pages = new List<string>();
        foreach (var campaign in campaigns.OrderBy(c => c.ExternalId, StringComparer.Ordinal))
        {
            await foreach (var row in reports.ExportAsync(campaign.Id))
            {
                clicks.Add(ClickCsv.Line(row));
            }
            foreach (var verdict in new Verdict?[] { null, Verdict.Human, Verdict.Suspect, Verdict.Bot })
            {
                var page = await reports.ClicksAsync(campaign.Id, new ClickFilter(verdict, PageSize: 25));
                pages.Add($"{campaign.ExternalId}|{verdict}|{page.Total}|" + string.Join(";", page.Items.Select(c => $"{c.Email} {c.ClickedAt:O} {c.Url} {c.Verdict} {c.Score} {string.Join(',', c.ReasonCodes)}")));
            }
            var people = await reports.ClickersAsync(campaign.Id, ClickerList.People);
            var scannerOnly = await reports.ClickersAsync(campaign.Id, ClickerList.ScannerOnly);
            pages.Add($"{campaign.ExternalId}|people {string.Join(',', people.Select(p => p.Email))}|scanner-only {string.Join(',', scannerOnly.Select(p => p.Email))}");
        }

        var summary = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(0, await ClickInsights.Cli.CliApp.RunAsync(["summary", "--db", database.Target, "--workspace", "Parity"], summary, errors));
        return new Figures(imports, campaignRows, eventRows, breakdowns, clicks, summary.ToString(), pages);
    }
}
