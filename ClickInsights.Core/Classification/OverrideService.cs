using System.Globalization;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Classification;

/// <summary>A person's decisions about clicks, recipients and domains. They win over the classifier and are
/// re-applied at every recomputation; setting or removing one reclassifies the campaigns it touches.</summary>
public sealed class OverrideService(IDbContextFactory<ClickInsightsDbContext> dbFactory, ClassificationService classification, TimeProvider time)
{
    public static string ClickKey(long eventId) => eventId.ToString(CultureInfo.InvariantCulture);

    public async Task SetAsync(int workspaceId, OverrideScope scope, string key, Verdict verdict, string? note = null, CancellationToken cancellationToken = default, string? by = null)
    {
        key = scope == OverrideScope.Click ? key.Trim() : key.Trim().ToLowerInvariant();
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var existing = await db.Overrides.FirstOrDefaultAsync(o => o.WorkspaceId == workspaceId && o.Scope == scope && o.Key == key, cancellationToken);
            if (existing is null)
            {
                db.Overrides.Add(new VerdictOverride { WorkspaceId = workspaceId, Scope = scope, Key = key, Verdict = verdict, Note = note, CreatedAt = time.GetUtcNow().UtcDateTime, CreatedBy = by });
            }
            else
            {
                existing.Verdict = verdict;
                existing.Note = note;
                existing.CreatedAt = time.GetUtcNow().UtcDateTime;
                existing.CreatedBy = by;
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        await ReclassifyAsync(workspaceId, scope, key, cancellationToken);
    }

    /// <summary>Undoes a decision of the workspace; a decision of another workspace is left alone.</summary>
    public async Task RemoveAsync(int workspaceId, int overrideId, CancellationToken cancellationToken = default)
    {
        VerdictOverride? removed;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            removed = await db.Overrides.FirstOrDefaultAsync(o => o.Id == overrideId && o.WorkspaceId == workspaceId, cancellationToken);
            if (removed is null)
            {
                return;
            }
            db.Overrides.Remove(removed);
            await db.SaveChangesAsync(cancellationToken);
        }
        await ReclassifyAsync(removed.WorkspaceId, removed.Scope, removed.Key, cancellationToken);
    }

    public async Task<IReadOnlyList<VerdictOverride>> ListAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Overrides.AsNoTracking().Where(o => o.WorkspaceId == workspaceId).OrderByDescending(o => o.CreatedAt).ToListAsync(cancellationToken);
    }

    private async Task ReclassifyAsync(int workspaceId, OverrideScope scope, string key, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var events = db.Events.Where(e => e.WorkspaceId == workspaceId);
        List<int> campaigns = scope switch
        {
            OverrideScope.Click when long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) =>
                await events.Where(e => e.Id == id).Select(e => e.CampaignId).Distinct().ToListAsync(cancellationToken),
            OverrideScope.Recipient =>
                await events.Where(e => db.Recipients.Any(r => r.Id == e.RecipientId && r.Email == key)).Select(e => e.CampaignId).Distinct().ToListAsync(cancellationToken),
            OverrideScope.Domain =>
                await events.Where(e => db.Recipients.Any(r => r.Id == e.RecipientId && r.Domain == key)).Select(e => e.CampaignId).Distinct().ToListAsync(cancellationToken),
            _ => [],
        };
        await classification.ClassifyCampaignsAsync(campaigns, cancellationToken);
    }
}
