using ClickInsights.Core.Accounts;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Data;

/// <remarks>
/// Add a migration from the repository root with:
/// <code>dotnet ef migrations add NAME --project ClickInsights.Core --startup-project ClickInsights.Core --output-dir Data/Migrations</code>
/// Migrations are applied at start by the dashboard and by the CLI, never <c>EnsureCreated</c>.
/// </remarks>
public sealed class ClickInsightsDbContext(DbContextOptions<ClickInsightsDbContext> options) : IdentityDbContext<Person>(options), Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.IDataProtectionKeyContext
{
    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignLink> CampaignLinks => Set<CampaignLink>();
    public DbSet<Recipient> Recipients => Set<Recipient>();
    public DbSet<UserAgent> UserAgents => Set<UserAgent>();
    public DbSet<EmailEvent> Events => Set<EmailEvent>();
    public DbSet<ClickVerdict> ClickVerdicts => Set<ClickVerdict>();
    public DbSet<CampaignSummary> CampaignSummaries => Set<CampaignSummary>();
    public DbSet<VerdictOverride> Overrides => Set<VerdictOverride>();
    public DbSet<ImportRecord> Imports => Set<ImportRecord>();
    public DbSet<DomainGateway> DomainGateways => Set<DomainGateway>();
    public DbSet<CsvMapping> CsvMappings => Set<CsvMapping>();
    public DbSet<ProviderConnection> Connections => Set<ProviderConnection>();
    public DbSet<CampaignBreakdown> CampaignBreakdowns => Set<CampaignBreakdown>();
    public DbSet<CampaignReason> CampaignReasons => Set<CampaignReason>();
    public DbSet<CampaignReasonSet> CampaignReasonSets => Set<CampaignReasonSet>();
    public DbSet<RawBlock> RawBlocks => Set<RawBlock>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<ShareLink> ShareLinks => Set<ShareLink>();
    public DbSet<Api.ApiToken> ApiTokens => Set<Api.ApiToken>();
    public DbSet<Api.WebhookSubscription> WebhookSubscriptions => Set<Api.WebhookSubscription>();
    public DbSet<Api.WebhookDelivery> WebhookDeliveries => Set<Api.WebhookDelivery>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<WebhookToken> WebhookTokens => Set<WebhookToken>();
    public DbSet<BackgroundJob> Jobs => Set<BackgroundJob>();
    public DbSet<SignedOutSession> SignedOutSessions => Set<SignedOutSession>();
    /// <summary>Data Protection's key ring (sign-ins, connection secrets), shared by every instance of the dashboard.</summary>
    public DbSet<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> DataProtectionKeys => Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>();

    /// <summary>The engine's own fast paths (bulk writes, large reads): the one place that knows which engine this is.</summary>
    internal EventStore Store => _store ??= Database.IsNpgsql() ? PostgresEventStore.Instance : SqliteEventStore.Instance;

    private EventStore? _store;

    /// <summary>PostgreSQL draws raw block ids from this sequence: two imports into two workspaces write blocks at once.</summary>
    internal const string RawBlockIdSequence = "RawBlockIds";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Identity's tables (people, their sign-in data) first, then the dashboard's own.
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ClickInsightsDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            modelBuilder.HasSequence<long>(RawBlockIdSequence);
            // A PostgreSQL index entry holds at most about 2.7 KB, and links (8 KB) and user agents (4 KB) may be longer:
            // they are found through a hash index instead and kept unique by their md5 (indexes made by the migration).
            var agents = modelBuilder.Entity<UserAgent>();
            agents.Metadata.RemoveIndex(agents.Metadata.GetIndexes().Single());
            agents.HasIndex(u => u.Value).HasMethod("hash");
            var links = modelBuilder.Entity<CampaignLink>();
            links.Metadata.RemoveIndex(links.Metadata.GetIndexes().Single(i => i.IsUnique));
            // Events and verdicts are written by the million through COPY, and a foreign key checks each row (on this
            // machine the two on Events doubled the time of storing 1.5 million events). As on SQLite's bulk path, which
            // turns the checks off, every id comes from a row read or written in the same transaction, and events and
            // verdicts are only ever deleted by workspace, import or campaign, explicitly, before what they point to.
            foreach (var table in new[] { modelBuilder.Entity<EmailEvent>().Metadata, modelBuilder.Entity<ClickVerdict>().Metadata })
            {
                foreach (var foreignKey in table.GetForeignKeys().ToList())
                {
                    table.RemoveForeignKey(foreignKey);
                }
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        if (Database.IsNpgsql())
        {
            // Times are UTC everywhere (timestamptz); SQLite hands back times without a kind, which Npgsql refuses to
            // write, so every time is marked UTC on the way in and comes back UTC.
            configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
            configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        }
    }

    private sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
