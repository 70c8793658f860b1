using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Data;

/// <summary>
/// The schema can be distributed by workspace (Citus): every table carries the workspace id, reaches it through its
/// campaign, or is one of the shared tables the README names as reference or coordinator-local tables. A new table
/// fails this test until it is placed (and the README's "Past one machine" says where).
/// </summary>
public sealed class DistributionTests
{
    /// <summary>Distributed by workspace: <c>create_distributed_table('"T"', 'WorkspaceId')</c>, colocated with Workspaces.</summary>
    private static readonly string[] CarryTheWorkspace = ["Campaigns", "Recipients", "Events", "RawBlocks", "Overrides", "Imports", "Connections", "Memberships", "ShareLinks", "WebhookSubscriptions", "WebhookDeliveries"];

    /// <summary>Reach the workspace through their campaign: distributed once the workspace id is added to them.</summary>
    private static readonly string[] ReachItThroughTheirCampaign = ["CampaignLinks", "ClickVerdicts", "CampaignSummaries", "CampaignBreakdowns", "CampaignReasons", "CampaignReasonSets"];

    /// <summary>Shared by every workspace, small and read everywhere: reference tables.</summary>
    private static readonly string[] Reference = ["UserAgents", "DomainGateways", "CsvMappings", "AspNetUsers", "AspNetRoles", "AspNetUserRoles", "AspNetUserClaims", "AspNetUserLogins", "AspNetUserTokens", "AspNetRoleClaims"];

    /// <summary>Kept on the coordinator: a replay cache, API tokens (found by hash before their workspace is known), and the audit log whose entries may have no workspace.</summary>
    private static readonly string[] CoordinatorLocal = ["WebhookTokens", "ApiTokens", "AuditLog", "DataProtectionKeys", "Jobs", "SignedOutSessions"];

    [Fact]
    public void EveryTable_CarriesOrReachesTheWorkspace_OrIsPlacedAsShared()
    {
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, "Host=127.0.0.1;Database=model_check");
        using var db = new ClickInsightsDbContext(builder.Options);

        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            if (table == "Workspaces")
            {
                continue;
            }
            if (CarryTheWorkspace.Contains(table))
            {
                Assert.True(entity.FindProperty("WorkspaceId") is not null, $"{table} is listed as carrying WorkspaceId but has no such column.");
            }
            else if (ReachItThroughTheirCampaign.Contains(table))
            {
                // By its campaign's id (ClickVerdicts has no row foreign key on PostgreSQL, but carries the campaign).
                Assert.True(entity.FindProperty("CampaignId") is not null, $"{table} is listed as reaching the workspace through its campaign but has no CampaignId.");
            }
            else
            {
                Assert.True(Reference.Contains(table) || CoordinatorLocal.Contains(table),
                    $"Table {table} is new: say in the README (Past one machine) whether it is distributed by workspace, a reference table or coordinator-local, and list it here.");
            }
        }
    }
}
