using ClickInsights.Core.Accounts;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Data;

/// <remarks>
/// Add a migration from the repository root with:
/// <code>dotnet ef migrations add NAME --project ClickInsights.Core --startup-project ClickInsights.Core --output-dir Data/Migrations</code>
/// Migrations are applied at start by the dashboard and by the CLI, never <c>EnsureCreated</c>.
/// </remarks>
public sealed class ClickInsightsDbContext(DbContextOptions<ClickInsightsDbContext> options) : IdentityDbContext<Person>(options)
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
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<WebhookToken> WebhookTokens => Set<WebhookToken>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Identity's tables (people, their sign-in data) first, then the dashboard's own.
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ClickInsightsDbContext).Assembly);
    }
}
