using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ClickInsights.Tests.Data;

[Trait("Store", "SQLite only for the upgrades: they open SQLite databases made before PostgreSQL was a store; both sets are checked against the model here")]
public sealed class MigrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clickinsights-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task DatabaseOfTheFirstSchema_KeepsItsRawRecords_AndFindsItsDuplicates()
    {
        Directory.CreateDirectory(_folder);
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, Path.Combine(_folder, "old.db"));
        var factory = new Factory(builder.Options);
        const string raw = "{\"email\":\"anna@example.com\",\"event\":\"click\",\"sg_event_id\":\"old-1\",\"note\":\"caf\u00e9\"}";
        await using (var db = factory.CreateDbContext())
        {
            // The schema as the first release made it, with one imported click.
            await db.GetService<IMigrator>().MigrateAsync("20261126230719_Initial");
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "Workspaces" ("Id", "Name", "IsDemo", "CreatedAt") VALUES (1, 'Old', 0, '2026-11-26 00:00:00');
                INSERT INTO "Campaigns" ("Id", "WorkspaceId", "Source", "ExternalId", "Name") VALUES (1, 1, 'sendgrid', 'c1', 'Old campaign');
                INSERT INTO "Recipients" ("Id", "WorkspaceId", "Email", "Domain") VALUES (1, 1, 'anna@example.com', 'example.com');
                INSERT INTO "Events" ("Id", "WorkspaceId", "CampaignId", "RecipientId", "Type", "OccurredAtMs", "Source", "ExternalId", "Raw")
                VALUES (7, 1, 1, 1, 3, 1788271234000, 'sendgrid', 'old-1', {0});
                INSERT INTO "CampaignSummaries" ("CampaignId", "Sent", "Delivered", "Opens", "Clicks", "UniqueClickers", "HumanClicks", "SuspectClicks", "BotClicks", "HumanClickers", "Unsubscribes", "UnavailableSignals", "UpdatedAt")
                VALUES (1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, '', '2026-11-26 00:00:00');
                """, raw);
        }

        await DatabaseMigrator.MigrateAsync(factory);

        await using (var db = factory.CreateDbContext())
        {
            var e = await db.Events.SingleAsync();
            Assert.Equal(raw, await RawRecords.ReadAsync(db, e));
            // Re-keyed with its kind (SendGrid's placeholder ids repeat across kinds), its hash computed again.
            Assert.Equal("old-1/click", e.ExternalId);
            Assert.Equal(EmailEvent.IdHashOf("sendgrid", "old-1/click"), e.IdHash);
        }
        // The same event imported again is found as a duplicate of the carried-over one.
        var classification = new ClickInsights.Core.Classification.ClassificationService(factory, ClickInsights.Core.Classification.ScannerCatalogue.Default, TimeProvider.System);
        var importer = new EventImporter(factory, classification, TimeProvider.System);
        var result = await importer.ImportAsync(1, new MemoryStream(System.Text.Encoding.UTF8.GetBytes("[" + raw.Replace("\"note\"", "\"timestamp\":1788271234,\"note\"", StringComparison.Ordinal) + "]")), "again.json");
        Assert.Equal((0, 1), (result.EventsAdded, result.DuplicatesSkipped));
        // Its verdicts were made before versions were kept per campaign: the dashboard classifies it again at start.
        Assert.Equal([1], await DatabaseMigrator.StaleCampaignsAsync(factory));
        await classification.ClassifyCampaignsAsync([1]);
        Assert.Empty(await DatabaseMigrator.StaleCampaignsAsync(factory));
    }

    [Fact]
    public async Task ConstantContactActivities_GetStableIds_AndCopiesMadeByARenameAreRemoved()
    {
        Directory.CreateDirectory(_folder);
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, Path.Combine(_folder, "cc.db"));
        var factory = new Factory(builder.Options);
        await using (var db = factory.CreateDbContext())
        {
            await db.GetService<IMigrator>().MigrateAsync("20261126233444_CompactEventsAndVerdicts");
            db.Workspaces.Add(new Workspace { Id = 1, Name = "Shop" });
            await db.SaveChangesAsync();
        }
        var classification = new ClickInsights.Core.Classification.ClassificationService(factory, ClickInsights.Core.Classification.ScannerCatalogue.Default, TimeProvider.System);
        var importer = new EventImporter(factory, classification, TimeProvider.System);
        // Today's importer also records the import's connection and each campaign's import, columns of a later
        // migration, and its classification asks for the workspace's outgoing webhooks and reads and writes the later
        // columns of campaigns, their figures and decisions: there for the import only.
        await using (var db = factory.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "Imports" ADD COLUMN "ConnectionId" INTEGER; ALTER TABLE "Campaigns" ADD COLUMN "ImportId" INTEGER; CREATE TABLE "WebhookSubscriptions" ("Id" INTEGER, "WorkspaceId" INTEGER); ALTER TABLE "Campaigns" ADD COLUMN "NameGivenBy" TEXT; ALTER TABLE "Campaigns" ADD COLUMN "SentByHand" INTEGER; ALTER TABLE "Campaigns" ADD COLUMN "DeliveredByHand" INTEGER; ALTER TABLE "Campaigns" ADD COLUMN "CountsGivenBy" TEXT; ALTER TABLE "CampaignSummaries" ADD COLUMN "DeliveredByHand" INTEGER NOT NULL DEFAULT 0; ALTER TABLE "CampaignSummaries" ADD COLUMN "FirstSentAt" TEXT; ALTER TABLE "CampaignSummaries" ADD COLUMN "FirstEventAt" TEXT; ALTER TABLE "Overrides" ADD COLUMN "CreatedBy" TEXT;""");
        }
        await importer.ImportAsync(1, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Tests.Support.ProviderSamples.ConstantContactClicks)), "clicks.json");
        await using (var db = factory.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "Imports" DROP COLUMN "ConnectionId"; ALTER TABLE "Campaigns" DROP COLUMN "ImportId"; DROP TABLE "WebhookSubscriptions"; ALTER TABLE "Campaigns" DROP COLUMN "NameGivenBy"; ALTER TABLE "Campaigns" DROP COLUMN "SentByHand"; ALTER TABLE "Campaigns" DROP COLUMN "DeliveredByHand"; ALTER TABLE "Campaigns" DROP COLUMN "CountsGivenBy"; ALTER TABLE "CampaignSummaries" DROP COLUMN "DeliveredByHand"; ALTER TABLE "CampaignSummaries" DROP COLUMN "FirstSentAt"; ALTER TABLE "CampaignSummaries" DROP COLUMN "FirstEventAt"; ALTER TABLE "Overrides" DROP COLUMN "CreatedBy";""");
        }
        long first, copy;
        await using (var db = factory.CreateDbContext())
        {
            // Ids as the reader made them before (another hash), and the first click once more, as a rename made it.
            var events = await db.Events.OrderBy(e => e.Id).ToListAsync();
            foreach (var e in events)
            {
                e.ExternalId = $"old:{e.Id}";
                e.IdHash = EmailEvent.IdHashOf(e.Source, e.ExternalId);
            }
            first = events[0].Id;
            var again = events[0];
            db.Events.Add(new EmailEvent
            {
                WorkspaceId = 1, CampaignId = again.CampaignId, RecipientId = again.RecipientId, Type = again.Type, OccurredAtMs = again.OccurredAtMs,
                LinkId = again.LinkId, Source = again.Source, ExternalId = "old:renamed", IdHash = 1, RawBlockId = again.RawBlockId, RawOffset = again.RawOffset, RawLength = again.RawLength,
            });
            await db.SaveChangesAsync();
            copy = await db.Events.MaxAsync(e => e.Id);
        }
        var stored = await CountAsync(factory);

        await DatabaseMigrator.MigrateAsync(factory);

        await using (var db = factory.CreateDbContext())
        {
            Assert.Equal(stored - 1, await db.Events.CountAsync());
            Assert.False(await db.Events.AnyAsync(e => e.Id == copy));
            Assert.DoesNotContain(await db.Events.Select(e => e.ExternalId).ToListAsync(), id => id.StartsWith("old:", StringComparison.Ordinal));
            Assert.True(await db.Events.AnyAsync(e => e.Id == first));
        }
        // Read again, the same page adds nothing.
        var result = await importer.ImportAsync(1, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Tests.Support.ProviderSamples.ConstantContactClicks)), "clicks-again.json");
        Assert.Equal(0, result.EventsAdded);
    }

    [Fact]
    public async Task ImportsStoredBySyncsAndWebhooksBefore_AreMarkedWithTheirConnection()
    {
        Directory.CreateDirectory(_folder);
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, Path.Combine(_folder, "imports.db"));
        var factory = new Factory(builder.Options);
        await using (var db = factory.CreateDbContext())
        {
            await db.GetService<IMigrator>().MigrateAsync(DatabaseMigrator.ConstantContactStableIds);
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "Workspaces" ("Id", "Name", "IsDemo", "CreatedAt") VALUES (1, 'Shop', 0, '2026-11-26 00:00:00'), (2, 'Other', 0, '2026-11-26 00:00:00');
                INSERT INTO "Connections" ("Id", "WorkspaceId", "Provider", "Name", "Enabled", "SyncIntervalMinutes", "RequestsToday", "CreatedAt")
                VALUES (5, 1, 'mailgun', 'Mailgun', 1, 60, 0, '2026-11-26 00:00:00'), (6, 2, 'sendgrid', 'SendGrid', 1, 60, 0, '2026-11-26 00:00:00');
                INSERT INTO "Imports" ("Id", "WorkspaceId", "FileName", "Format", "StartedAt", "EventsRead", "EventsAdded", "DuplicatesSkipped", "Clicks", "Campaigns") VALUES
                    (1, 1, 'mailgun/mg.example.com/events/page-1.json', 'Mailgun events', '2026-11-26 00:00:00', 1, 1, 0, 0, 1),
                    (2, 1, 'march-clicks.json', 'SendGrid Event Webhook JSON', '2026-11-26 00:00:00', 1, 1, 0, 0, 1),
                    (3, 1, 'sendgrid/webhook/20261126T000000.000Z.json', 'SendGrid Event Webhook JSON', '2026-11-26 00:00:00', 1, 1, 0, 0, 1);
                """);
        }

        await DatabaseMigrator.MigrateAsync(factory);

        await using var after = factory.CreateDbContext();
        var marked = await after.Imports.OrderBy(i => i.Id).Select(i => i.ConnectionId).ToListAsync();
        // The SendGrid-looking name has no SendGrid connection in its own workspace: a file, as far as anyone can tell.
        Assert.Equal([5, null, null], marked);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public void EachStoresMigrationSet_MatchesTheModel(string store)
    {
        // No server is needed: the model is compared with the set's last snapshot.
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, store == "sqlite" ? Path.Combine(_folder, "model.db") : "Host=127.0.0.1;Database=model_check");
        using var db = new ClickInsightsDbContext(builder.Options);

        Assert.False(db.Database.HasPendingModelChanges(), $"The {store} migration set does not match the model: add a migration to it.");
        Assert.NotEmpty(db.Database.GetMigrations());
    }

    private static async Task<int> CountAsync(Factory factory)
    {
        await using var db = factory.CreateDbContext();
        return await db.Events.CountAsync();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Factory(DbContextOptions<ClickInsightsDbContext> options) : IDbContextFactory<ClickInsightsDbContext>
    {
        public ClickInsightsDbContext CreateDbContext() => new(options);
    }
}
