using System.Globalization;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Accounts;

public sealed record AuditFilter(string? Action = null, string? Text = null, int Take = 500);

/// <summary>Who did what, when, per workspace: written by every action worth knowing about later, newest first to read.</summary>
public sealed class AuditLog(IDbContextFactory<ClickInsightsDbContext> dbFactory, TimeProvider time)
{
    public const int MaxDetail = 2000;

    public async Task RecordAsync(int? workspaceId, string actor, string action, string detail, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEntries.Add(new AuditEntry
        {
            WorkspaceId = workspaceId,
            At = time.GetUtcNow().UtcDateTime,
            Actor = actor.Length > 320 ? actor[..320] : actor,
            Action = action,
            Detail = detail.Length > MaxDetail ? detail[..MaxDetail] : detail,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int workspaceId, AuditFilter filter, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AuditEntries.AsNoTracking().Where(a => a.WorkspaceId == workspaceId);
        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            query = query.Where(a => a.Action == filter.Action);
        }
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var text = filter.Text.Trim().ToLower(CultureInfo.InvariantCulture);
            query = query.Where(a => a.Actor.ToLower().Contains(text) || a.Detail.ToLower().Contains(text));
        }
        return await query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(filter.Take).ToListAsync(cancellationToken);
    }
}
