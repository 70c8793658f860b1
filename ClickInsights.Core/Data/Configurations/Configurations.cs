using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClickInsights.Core.Data.Configurations;

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.Property(w => w.Name).HasMaxLength(200);
        builder.Property(w => w.SendingDomain).HasMaxLength(253);
    }
}

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> builder)
    {
        builder.Property(c => c.Source).HasMaxLength(40);
        builder.Property(c => c.ExternalId).HasMaxLength(300);
        builder.Property(c => c.Name).HasMaxLength(500);
        builder.HasIndex(c => new { c.WorkspaceId, c.Source, c.ExternalId }).IsUnique();
        builder.HasOne<Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Links).WithOne().HasForeignKey(l => l.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CampaignLinkConfiguration : IEntityTypeConfiguration<CampaignLink>
{
    public void Configure(EntityTypeBuilder<CampaignLink> builder)
    {
        builder.ToTable("CampaignLinks");
        builder.HasIndex(l => new { l.CampaignId, l.Url }).IsUnique();
    }
}

internal sealed class RecipientConfiguration : IEntityTypeConfiguration<Recipient>
{
    public void Configure(EntityTypeBuilder<Recipient> builder)
    {
        builder.Property(r => r.Email).HasMaxLength(320);
        builder.Property(r => r.Domain).HasMaxLength(253);
        builder.HasIndex(r => new { r.WorkspaceId, r.Email }).IsUnique();
        builder.HasIndex(r => new { r.WorkspaceId, r.Domain });
        builder.HasOne<Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserAgentConfiguration : IEntityTypeConfiguration<UserAgent>
{
    public void Configure(EntityTypeBuilder<UserAgent> builder) => builder.HasIndex(u => u.Value).IsUnique();
}

internal sealed class EmailEventConfiguration : IEntityTypeConfiguration<EmailEvent>
{
    public void Configure(EntityTypeBuilder<EmailEvent> builder)
    {
        builder.ToTable("Events");
        builder.Property(e => e.Source).HasMaxLength(40);
        builder.Property(e => e.ExternalId).HasMaxLength(200);
        builder.Property(e => e.Ip).HasMaxLength(45);
        builder.Property(e => e.ProviderBotFlag).HasMaxLength(40);
        // Duplicates are found by the hash of source and id (checked against both on a hit): an index of one
        // number per event is a fraction of the size of one over their text, and quicker to build.
        builder.HasIndex(e => new { e.WorkspaceId, e.IdHash });
        builder.HasIndex(e => new { e.CampaignId, e.Type, e.OccurredAtMs });
        builder.HasIndex(e => new { e.RecipientId, e.OccurredAtMs });
        // The workspace is reached through the campaign (events go with their campaign), and links, user agents
        // and raw blocks are written only by the importer: none needs a foreign key index on a table of millions.
        builder.HasOne<Campaign>().WithMany().HasForeignKey(e => e.CampaignId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Recipient>().WithMany().HasForeignKey(e => e.RecipientId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RawBlockConfiguration : IEntityTypeConfiguration<RawBlock>
{
    public void Configure(EntityTypeBuilder<RawBlock> builder)
    {
        builder.ToTable("RawBlocks");
        builder.Property(b => b.Id).ValueGeneratedNever();
        builder.HasOne<Workspace>().WithMany().HasForeignKey(b => b.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ClickVerdictConfiguration : IEntityTypeConfiguration<ClickVerdict>
{
    public void Configure(EntityTypeBuilder<ClickVerdict> builder)
    {
        builder.HasKey(v => v.EventId);
        builder.Property(v => v.EventId).ValueGeneratedNever();
        builder.HasIndex(v => new { v.CampaignId, v.Verdict });
        builder.HasOne<EmailEvent>().WithOne().HasForeignKey<ClickVerdict>(v => v.EventId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CampaignSummaryConfiguration : IEntityTypeConfiguration<CampaignSummary>
{
    public void Configure(EntityTypeBuilder<CampaignSummary> builder)
    {
        builder.HasKey(s => s.CampaignId);
        builder.Property(s => s.CampaignId).ValueGeneratedNever();
        builder.Property(s => s.ClassifierVersion).HasMaxLength(40);
        builder.Property(s => s.SettingsHash).HasMaxLength(64);
        builder.HasOne<Campaign>().WithOne().HasForeignKey<CampaignSummary>(s => s.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VerdictOverrideConfiguration : IEntityTypeConfiguration<VerdictOverride>
{
    public void Configure(EntityTypeBuilder<VerdictOverride> builder)
    {
        builder.ToTable("Overrides");
        builder.Property(o => o.Key).HasMaxLength(320);
        builder.HasIndex(o => new { o.WorkspaceId, o.Scope, o.Key }).IsUnique();
        builder.HasOne<Workspace>().WithMany().HasForeignKey(o => o.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ImportRecordConfiguration : IEntityTypeConfiguration<ImportRecord>
{
    public void Configure(EntityTypeBuilder<ImportRecord> builder)
    {
        builder.ToTable("Imports");
        builder.Property(i => i.FileName).HasMaxLength(500);
        builder.Property(i => i.Format).HasMaxLength(60);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(i => i.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DomainGatewayConfiguration : IEntityTypeConfiguration<DomainGateway>
{
    public void Configure(EntityTypeBuilder<DomainGateway> builder)
    {
        builder.HasKey(d => d.Domain);
        builder.Property(d => d.Domain).HasMaxLength(253);
        builder.Property(d => d.Gateway).HasMaxLength(100);
    }
}

internal sealed class CsvMappingConfiguration : IEntityTypeConfiguration<CsvMapping>
{
    public void Configure(EntityTypeBuilder<CsvMapping> builder)
    {
        builder.Property(m => m.HeaderKey).HasMaxLength(64);
        builder.HasIndex(m => m.HeaderKey).IsUnique();
    }
}

internal sealed class ProviderConnectionConfiguration : IEntityTypeConfiguration<ProviderConnection>
{
    public void Configure(EntityTypeBuilder<ProviderConnection> builder)
    {
        builder.ToTable("Connections");
        builder.Property(c => c.Provider).HasMaxLength(40);
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.BaseUrl).HasMaxLength(500);
        builder.Property(c => c.WebhookKey).HasMaxLength(64);
        builder.HasIndex(c => c.WebhookKey).IsUnique();
        builder.HasIndex(c => c.WorkspaceId);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CampaignBreakdownConfiguration : IEntityTypeConfiguration<CampaignBreakdown>
{
    public void Configure(EntityTypeBuilder<CampaignBreakdown> builder)
    {
        builder.HasKey(b => new { b.CampaignId, b.Kind, b.Key });
        builder.Property(b => b.Key).HasMaxLength(320);
        builder.HasOne<Campaign>().WithMany().HasForeignKey(b => b.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CampaignReasonSetConfiguration : IEntityTypeConfiguration<CampaignReasonSet>
{
    public void Configure(EntityTypeBuilder<CampaignReasonSet> builder)
    {
        builder.HasKey(r => new { r.CampaignId, r.Index });
        builder.Property(r => r.Index).ValueGeneratedNever();
        builder.HasOne<Campaign>().WithMany().HasForeignKey(r => r.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CampaignReasonConfiguration : IEntityTypeConfiguration<CampaignReason>
{
    public void Configure(EntityTypeBuilder<CampaignReason> builder)
    {
        builder.HasKey(r => new { r.CampaignId, r.Index });
        builder.Property(r => r.Index).ValueGeneratedNever();
        builder.Property(r => r.Code).HasMaxLength(60);
        builder.HasOne<Campaign>().WithMany().HasForeignKey(r => r.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookTokenConfiguration : IEntityTypeConfiguration<WebhookToken>
{
    public void Configure(EntityTypeBuilder<WebhookToken> builder)
    {
        builder.HasKey(t => t.Token);
        builder.Property(t => t.Token).HasMaxLength(64);
        builder.HasIndex(t => t.Until);
    }
}

internal sealed class BackgroundJobConfiguration : IEntityTypeConfiguration<BackgroundJob>
{
    public void Configure(EntityTypeBuilder<BackgroundJob> builder)
    {
        builder.ToTable("Jobs");
        builder.Property(j => j.Kind).HasMaxLength(40);
        builder.Property(j => j.Key).HasMaxLength(200);
        builder.Property(j => j.Owner).HasMaxLength(200);
        builder.Property(j => j.Error).HasMaxLength(500);
        builder.Property(j => j.Result).HasMaxLength(500);
        builder.Property(j => j.RequestedBy).HasMaxLength(256);
        // One queued job per key (a campaign waits once to be classified, however many batches arrive meanwhile).
        builder.HasIndex(j => j.Key).IsUnique().HasFilter("\"State\" = 0");
        // What a worker claims: queued jobs, and running ones whose lease ran out.
        builder.HasIndex(j => new { j.State, j.Id });
        builder.HasIndex(j => j.FinishedAt);
    }
}
