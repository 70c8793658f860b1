using System.Security.Cryptography;
using System.Text;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Accounts;

public enum ShareStatus
{
    Valid,
    Unknown,
    Expired,
    Revoked,
}

public sealed record ShareOpening(ShareStatus Status, ShareLink? Link);

public sealed record ShareRow(ShareLink Link, string? CampaignName);

/// <summary>
/// Read-only links for a customer: a long random secret in the address (only its hash is kept), an expiry chosen when
/// made, revocable, and a record of when it was last opened.
/// </summary>
public sealed class ShareLinkService(IDbContextFactory<ClickInsightsDbContext> dbFactory, TimeProvider time)
{
    public static readonly TimeSpan DefaultValidFor = TimeSpan.FromDays(14);
    public static readonly TimeSpan LongestValidFor = TimeSpan.FromDays(365);

    public async Task<(ShareLink Link, string Token)> CreateAsync(int workspaceId, int? campaignId, string createdBy, TimeSpan validFor, CancellationToken cancellationToken = default)
    {
        if (validFor <= TimeSpan.Zero || validFor > LongestValidFor)
        {
            throw new ArgumentException($"A share link lasts between 1 and {LongestValidFor.TotalDays:0} days.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (campaignId is { } id && !await db.Campaigns.AnyAsync(c => c.Id == id && c.WorkspaceId == workspaceId, cancellationToken))
        {
            throw new ArgumentException($"Campaign {id} is not in this workspace.");
        }
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow().UtcDateTime;
        var link = new ShareLink
        {
            WorkspaceId = workspaceId,
            CampaignId = campaignId,
            TokenHash = Hash(token),
            CreatedBy = createdBy,
            CreatedAt = now,
            ExpiresAt = now + validFor,
        };
        db.ShareLinks.Add(link);
        await db.SaveChangesAsync(cancellationToken);
        return (link, token);
    }

    /// <summary>What a link opens, recording the opening when it is valid.</summary>
    public async Task<ShareOpening> OpenAsync(string? token, bool record = true, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return new ShareOpening(ShareStatus.Unknown, null);
        }
        var hash = Hash(token);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var link = await db.ShareLinks.FirstOrDefaultAsync(s => s.TokenHash == hash, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        if (link is null)
        {
            return new ShareOpening(ShareStatus.Unknown, null);
        }
        if (link.RevokedAt is not null)
        {
            return new ShareOpening(ShareStatus.Revoked, link);
        }
        if (link.ExpiresAt <= now)
        {
            return new ShareOpening(ShareStatus.Expired, link);
        }
        if (record)
        {
            link.LastOpenedAt = now;
            link.TimesOpened++;
            await db.SaveChangesAsync(cancellationToken);
        }
        return new ShareOpening(ShareStatus.Valid, link);
    }

    public async Task<IReadOnlyList<ShareRow>> ListAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ShareLinks.AsNoTracking().Where(s => s.WorkspaceId == workspaceId)
            .OrderByDescending(s => s.CreatedAt)
            .Select(s => new ShareRow(s, db.Campaigns.Where(c => c.Id == s.CampaignId).Select(c => c.Name).FirstOrDefault()))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Revokes a link of the workspace; false when it has no such link (or it was revoked already).</summary>
    public async Task<bool> RevokeAsync(int workspaceId, int id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        return await db.ShareLinks.Where(s => s.Id == id && s.WorkspaceId == workspaceId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RevokedAt, now), cancellationToken) > 0;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
