using ClickInsights.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClickInsights.Core.Data.Configurations;

internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> builder) => builder.Property(p => p.Kind).HasConversion<string>().HasMaxLength(20);
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> builder)
    {
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(m => new { m.PersonId, m.WorkspaceId }).IsUnique();
        builder.HasIndex(m => m.WorkspaceId);
        builder.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ShareLinkConfiguration : IEntityTypeConfiguration<ShareLink>
{
    public void Configure(EntityTypeBuilder<ShareLink> builder)
    {
        builder.Property(s => s.TokenHash).HasMaxLength(64);
        builder.Property(s => s.CreatedBy).HasMaxLength(320);
        builder.HasIndex(s => s.TokenHash).IsUnique();
        builder.HasIndex(s => s.WorkspaceId);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Campaign>().WithMany().HasForeignKey(s => s.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SignedOutSessionConfiguration : IEntityTypeConfiguration<SignedOutSession>
{
    public void Configure(EntityTypeBuilder<SignedOutSession> builder)
    {
        builder.HasKey(s => s.Session);
        builder.Property(s => s.Session).HasMaxLength(64);
        builder.HasIndex(s => s.Until);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditLog");
        builder.Property(a => a.Actor).HasMaxLength(320);
        builder.Property(a => a.Action).HasMaxLength(40);
        builder.Property(a => a.Detail).HasMaxLength(2000);
        builder.HasIndex(a => new { a.WorkspaceId, a.At });
        builder.HasOne<Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<Api.ApiToken>
{
    public void Configure(EntityTypeBuilder<Api.ApiToken> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.Property(t => t.Prefix).HasMaxLength(16);
        builder.Property(t => t.CreatedBy).HasMaxLength(320);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.WorkspaceId);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(t => t.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<Api.WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<Api.WebhookSubscription> builder)
    {
        builder.Property(s => s.Url).HasMaxLength(2000);
        builder.Property(s => s.ProtectedSecret).HasMaxLength(1000);
        builder.Property(s => s.CreatedBy).HasMaxLength(320);
        builder.HasIndex(s => s.WorkspaceId);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<Api.WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<Api.WebhookDelivery> builder)
    {
        builder.Property(d => d.EventType).HasMaxLength(40);
        builder.Property(d => d.LastError).HasMaxLength(500);
        // The sender's question: what is due and not yet delivered or given up.
        builder.HasIndex(d => new { d.DeliveredAt, d.GaveUpAt, d.NextAttemptAt });
        builder.HasIndex(d => new { d.SubscriptionId, d.Id });
        builder.HasOne<Api.WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(d => d.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
