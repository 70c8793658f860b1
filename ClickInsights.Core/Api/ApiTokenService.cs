using System.Security.Cryptography;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Api;

/// <summary>The API's tokens: made for one workspace, shown once, kept as a hash, expiring, revocable.</summary>
public sealed class ApiTokenService(IDbContextFactory<ClickInsightsDbContext> dbFactory, TimeProvider time)
{
    public const string TokenStart = "ci_";
    public static readonly TimeSpan DefaultValidFor = TimeSpan.FromDays(90);
    public static readonly TimeSpan LongestValidFor = TimeSpan.FromDays(730);

    /// <summary>How often a token's last-used time is written (not on every call of a busy script).</summary>
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    public async Task<(ApiToken Token, string Secret)> CreateAsync(int workspaceId, string name, bool canWrite, TimeSpan validFor, string createdBy, CancellationToken cancellationToken = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100)
        {
            throw new ArgumentException("Give the token a name of 1 to 100 characters (what it is for, such as \"CRM lead scores\").");
        }
        if (validFor < TimeSpan.FromDays(1) || validFor > LongestValidFor)
        {
            throw new ArgumentException($"A token lasts between 1 and {LongestValidFor.TotalDays:0} days.");
        }
        var secret = TokenStart + ShareLinkService.Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow().UtcDateTime;
        var token = new ApiToken
        {
            WorkspaceId = workspaceId,
            Name = name,
            TokenHash = ShareLinkService.Hash(secret),
            Prefix = secret[..9],
            CanWrite = canWrite,
            CreatedBy = createdBy,
            CreatedAt = now,
            ExpiresAt = now + validFor,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return (token, secret);
    }

    /// <summary>The token a caller presented, when it is one of ours, not expired and not revoked; its last use is noted.</summary>
    public async Task<ApiToken?> FindAsync(string? secret, CancellationToken cancellationToken = default)
    {
        if (secret is null || !secret.StartsWith(TokenStart, StringComparison.Ordinal) || secret.Length > 100)
        {
            return null;
        }
        var hash = ShareLinkService.Hash(secret);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now)
        {
            return null;
        }
        if (token.LastUsedAt is not { } last || now - last >= TouchEvery)
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }
        return token;
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens.AsNoTracking().Where(t => t.WorkspaceId == workspaceId).OrderByDescending(t => t.CreatedAt).ToListAsync(cancellationToken);
    }

    /// <summary>Revokes a token of the workspace (a token of another workspace is left alone); false when there is none.</summary>
    public async Task<bool> RevokeAsync(int workspaceId, int id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id && t.WorkspaceId == workspaceId && t.RevokedAt == null, cancellationToken);
        if (token is null)
        {
            return false;
        }
        token.RevokedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
