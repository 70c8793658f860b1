using Microsoft.EntityFrameworkCore;
using System.Text;
using ClickInsights.Core.Reports;
using ClickInsights.Tests.Support;

namespace ClickInsights.Tests.Data;

/// <summary>
/// The campaign figures an owner reads, right for a source without send times or delivery events of its own
/// (Constant Contact's tracking reports): sent at the first send, delivered as sent less bounced, and "the last
/// campaign" the one sent last.
/// </summary>
public abstract class CampaignFiguresTests(StoreKind store) : IDisposable
{
    private readonly TestDatabase _database = new(store);

    private static string Activity(string campaign, string type, string email, string at, string? url = null) =>
        $$"""{"contact_id":"{{email}}","campaign_activity_id":"{{campaign}}","tracking_activity_type":"{{type}}","email_address":"{{email}}","created_time":"{{at}}"{{(url is null ? "" : $",\"link_url\":\"{url}\"")}}}""";

    private static MemoryStream Page(params string[] activities) =>
        new(Encoding.UTF8.GetBytes($$"""{"tracking_activities":[{{string.Join(",", activities)}}]}"""));

    [SkippableFact]
    public async Task ConstantContact_SentAtTheFirstSend_DeliveredIsSentLessBounced_LastCampaignIsTheOneSentLast()
    {
        const string Spring = "11111111-1111-4111-8111-111111111111";
        const string Summer = "22222222-2222-4222-8222-222222222222";
        var workspace = await _database.CreateWorkspaceAsync();
        // The summer campaign's pages are imported first: the order of import must not make it the last campaign.
        await _database.Importer.ImportAsync(workspace, Page(
            Activity(Summer, "em_sends", "ann@a.example", "2026-06-02T09:00:00.000Z"),
            Activity(Summer, "em_sends", "bob@b.example", "2026-06-02T09:00:05.000Z")), "summer-sends.json");
        await _database.Importer.ImportAsync(workspace, Page(
            Activity(Spring, "em_sends", "ann@a.example", "2026-03-01T10:00:07.000Z"),
            Activity(Spring, "em_sends", "bob@b.example", "2026-03-01T10:00:00.000Z"),
            Activity(Spring, "em_sends", "cy@c.example", "2026-03-01T10:01:00.000Z"),
            Activity(Spring, "em_sends", "dee@d.example", "2026-03-01T10:01:00.000Z")), "spring-sends.json");
        await _database.Importer.ImportAsync(workspace, Page(
            Activity(Spring, "em_bounces", "dee@d.example", "2026-03-01T10:02:00.000Z")), "spring-bounces.json");
        await _database.Importer.ImportAsync(workspace, Page(
            Activity(Spring, "em_clicks", "ann@a.example", "2026-03-01T14:00:00.000Z", "https://bakery.example/menu")), "spring-clicks.json");

        var rows = await new ReportService(_database).CampaignsAsync(workspace);

        Assert.Equal(2, rows.Count);
        var summer = rows[0];
        var spring = rows[1];
        Assert.Equal(new DateTime(2026, 6, 2, 9, 0, 0, DateTimeKind.Utc), summer.SentAt);
        Assert.Equal(new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc), spring.SentAt);
        Assert.Equal(3, spring.Delivered);
        Assert.Equal(2, summer.Delivered);
        Assert.Equal(1, spring.UniqueClickers);
    }

    [SkippableFact]
    public async Task RenamedCampaign_KeepsItsName_WhenItsSourceIsImportedAgainUnderAnotherName_AndOnlyInItsWorkspace()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        var other = await _database.CreateWorkspaceAsync("Someone else's");
        await _database.Importer.ImportAsync(workspace, Samples.Utf8(ProviderSamples.MailchimpReport), "report.json");
        var names = new CampaignNames(_database);
        var campaign = (await new ReportService(_database).CampaignsAsync(workspace)).Single();
        Assert.Equal("September Newsletter", campaign.Name);

        Assert.Null(await names.RenameAsync(other, campaign.Id, "Not mine", "someone@example.com"));
        Assert.Equal("September Newsletter", await names.RenameAsync(workspace, campaign.Id, "  Autumn jokes ", "owner@example.com"));
        await _database.Importer.ImportAsync(workspace, Samples.Utf8(ProviderSamples.MailchimpReport.Replace("September Newsletter", "Jokes (v2)", StringComparison.Ordinal)), "report-again.json");

        Assert.Equal("Autumn jokes", (await new ReportService(_database).CampaignsAsync(workspace)).Single().Name);
        Assert.NotNull(CampaignNames.Problem(""));
        Assert.NotNull(CampaignNames.Problem("two\nlines"));
        Assert.NotNull(CampaignNames.Problem(new string('x', CampaignNames.MaxLength + 1)));
    }

    [SkippableFact]
    public async Task ClicksOnlyCampaign_TakesTheDeliveredCountEnteredByHand_UntilImportedSendsSayOtherwise()
    {
        var workspace = await _database.CreateWorkspaceAsync();
        await _database.Importer.ImportAsync(workspace, Samples.Utf8(ProviderSamples.PostmarkClickWebhook), "postmark.json");
        var reports = new ReportService(_database);
        var campaign = (await reports.CampaignsAsync(workspace)).Single();
        Assert.Null(campaign.RawClickRate);
        var sends = new CampaignSends(_database, _database.Classification);

        await Assert.ThrowsAsync<ArgumentException>(() => sends.SetAsync(workspace, campaign.Id, 10, 20, "owner@example.com"));
        await Assert.ThrowsAsync<ArgumentException>(() => sends.SetAsync(workspace, campaign.Id, null, 0, "owner@example.com"));
        Assert.False(await sends.SetAsync(workspace + 1000, campaign.Id, 400, 380, "owner@example.com"));
        Assert.True(await sends.SetAsync(workspace, campaign.Id, 400, 380, "owner@example.com"));

        var entered = (await reports.CampaignsAsync(workspace)).Single();
        Assert.Equal(380, entered.Delivered);
        Assert.True(entered.DeliveredByHand);
        Assert.Equal((double)entered.UniqueClickers / 380, entered.RawClickRate);
        Assert.Equal((double)entered.HumanClickers / 380, entered.RealClickRate);

        Assert.True(await sends.SetAsync(workspace, campaign.Id, null, null, "owner@example.com"));
        var cleared = (await reports.CampaignsAsync(workspace)).Single();
        Assert.Equal(0, cleared.Delivered);
        Assert.False(cleared.DeliveredByHand);
    }

    public void Dispose() => _database.Dispose();
}

/// <summary><see cref="CampaignFiguresTests"/> on SQLite.</summary>
public sealed class CampaignFiguresTestsOnSqlite() : CampaignFiguresTests(StoreKind.Sqlite);

/// <summary><see cref="CampaignFiguresTests"/> on PostgreSQL.</summary>
public sealed class CampaignFiguresTestsOnPostgreSql() : CampaignFiguresTests(StoreKind.PostgreSql);

/// <summary>The settings preview foretells what saving does: the same clicks move between person, suspect and bot.</summary>
public abstract class SettingsPreviewTests(StoreKind store) : IDisposable
{
    private readonly TestDatabase _database = new(store);

    [SkippableFact]
    public async Task PreviewedMoves_AreTheMovesSavingMakes_OverEveryCampaign()
    {
        var workspace = await _database.SeedDemoAsync();
        var service = new ClickInsights.Core.Classification.SettingsPreviewService(_database, _database.Classification);
        var settings = ClickInsights.Core.Classification.ClassifierSettings.Default with { SuspectThreshold = 25, BotThreshold = 60, EarlyClickWeight = 35 };

        var preview = await service.PreviewAsync(workspace, settings);
        Assert.Equal(preview.CampaignsInWorkspace, preview.Campaigns.Count);
        Assert.NotEmpty(preview.Moves);

        Dictionary<long, ClickInsights.Core.Data.Verdict> Verdicts()
        {
            using var db = _database.CreateDbContext();
            return db.ClickVerdicts.ToDictionary(v => v.EventId, v => v.Verdict);
        }
        var before = Verdicts();
        await service.SaveAsync(workspace, settings, null);
        var after = Verdicts();

        var moves = before.Where(b => after[b.Key] != b.Value)
            .GroupBy(b => (From: b.Value, To: after[b.Key]))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(preview.Moves.ToDictionary(m => (m.From, m.To), m => m.Clicks), moves);
        Assert.Equal(preview.ChangedClicks, moves.Values.Sum());
    }

    /// <summary>
    /// The demo shows what the product does with the hard cases: scores spread between the clear ends, every campaign
    /// has suspects, and moving one threshold by a few points moves clicks in every campaign's preview.
    /// </summary>
    [SkippableFact]
    public async Task Demo_SpreadsItsScores_HasSuspectsInEveryCampaign_AndItsPreviewMoves()
    {
        var workspace = await _database.SeedDemoAsync();
        await using (var db = _database.CreateDbContext())
        {
            var verdicts = await db.ClickVerdicts.Select(v => new { v.CampaignId, v.Verdict, v.Score }).ToListAsync();
            var campaigns = verdicts.Select(v => v.CampaignId).Distinct().ToList();
            Assert.Equal(6, campaigns.Count);
            Assert.All(campaigns, c => Assert.Contains(verdicts, v => v.CampaignId == c && v.Verdict == ClickInsights.Core.Data.Verdict.Suspect));
            // Scores between the clear ends: at least three different scores from 20 to 95.
            Assert.True(verdicts.Where(v => v.Score is >= 20 and <= 95).Select(v => v.Score).Distinct().Count() >= 3);
            var bots = verdicts.Count(v => v.Verdict == ClickInsights.Core.Data.Verdict.Bot);
            Assert.True(verdicts.Count(v => v.Verdict == ClickInsights.Core.Data.Verdict.Bot && v.Score == 100) < 0.97 * bots);
        }

        var service = new ClickInsights.Core.Classification.SettingsPreviewService(_database, _database.Classification);
        var stricter = ClickInsights.Core.Classification.ClassifierSettings.Default with { BotThreshold = 75 };
        var preview = await service.PreviewAsync(workspace, stricter);
        Assert.Contains(preview.Moves, m => m.From == ClickInsights.Core.Data.Verdict.Bot && m.To == ClickInsights.Core.Data.Verdict.Suspect);
        Assert.All(preview.Campaigns, c => Assert.True(c.BotClicksThen < c.BotClicksNow, $"{c.Name}: the preview does not move"));
    }

    public void Dispose() => _database.Dispose();
}

/// <summary><see cref="SettingsPreviewTests"/> on SQLite.</summary>
public sealed class SettingsPreviewTestsOnSqlite() : SettingsPreviewTests(StoreKind.Sqlite);

/// <summary><see cref="SettingsPreviewTests"/> on PostgreSQL.</summary>
public sealed class SettingsPreviewTestsOnPostgreSql() : SettingsPreviewTests(StoreKind.PostgreSql);
