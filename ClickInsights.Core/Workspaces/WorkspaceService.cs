using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Workspaces;

public sealed record WorkspaceRow(int Id, string Name, bool IsDemo, DateTime CreatedAt, int Campaigns, int Clicks);

/// <summary>Create, rename and delete workspaces (a support person looks at several customers).</summary>
public sealed class WorkspaceService(IDbContextFactory<ClickInsightsDbContext> dbFactory, TimeProvider time)
{
    public async Task<IReadOnlyList<WorkspaceRow>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Workspaces.AsNoTracking()
            .OrderBy(w => w.Name)
            .Select(w => new WorkspaceRow(w.Id, w.Name, w.IsDemo, w.CreatedAt,
                db.Campaigns.Count(c => c.WorkspaceId == w.Id),
                db.CampaignSummaries.Where(s => db.Campaigns.Any(c => c.Id == s.CampaignId && c.WorkspaceId == w.Id)).Sum(s => s.Clicks)))
            .ToListAsync(cancellationToken);
    }

    public async Task<Workspace> CreateAsync(string name, CancellationToken cancellationToken = default)
    {
        name = Validate(name);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Workspaces.AnyAsync(w => w.Name == name, cancellationToken))
        {
            throw new InvalidOperationException($"A workspace named \"{name}\" already exists.");
        }
        var workspace = new Workspace { Name = name, CreatedAt = time.GetUtcNow().UtcDateTime };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync(cancellationToken);
        return workspace;
    }

    public async Task RenameAsync(int id, string name, CancellationToken cancellationToken = default)
    {
        name = Validate(name);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Workspaces.AnyAsync(w => w.Name == name && w.Id != id, cancellationToken))
        {
            throw new InvalidOperationException($"A workspace named \"{name}\" already exists.");
        }
        var workspace = await db.Workspaces.FirstAsync(w => w.Id == id, cancellationToken);
        workspace.Name = name;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Deletes a workspace with everything imported into it.</summary>
    public async Task DeleteAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Store.LockWorkspaceAsync(db, id, cancellationToken);
        // Children first, in bulk: deleting through the cascade one row at a time is slow for large workspaces.
        await db.ClickVerdicts.Where(v => db.Campaigns.Any(c => c.Id == v.CampaignId && c.WorkspaceId == id)).ExecuteDeleteAsync(cancellationToken);
        await db.CampaignSummaries.Where(s => db.Campaigns.Any(c => c.Id == s.CampaignId && c.WorkspaceId == id)).ExecuteDeleteAsync(cancellationToken);
        await db.Events.Where(e => e.WorkspaceId == id).ExecuteDeleteAsync(cancellationToken);
        await db.CampaignLinks.Where(l => db.Campaigns.Any(c => c.Id == l.CampaignId && c.WorkspaceId == id)).ExecuteDeleteAsync(cancellationToken);
        await db.Workspaces.Where(w => w.Id == id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static string Validate(string name)
    {
        name = (name ?? "").Trim();
        if (name.Length == 0)
        {
            throw new ArgumentException("Give the workspace a name.");
        }
        if (name.Length > 200)
        {
            throw new ArgumentException("Keep the name under 200 characters.");
        }
        return name;
    }
}
