using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Reports;

/// <summary>
/// Campaigns named as their owners know them: a name given here is kept across re-imports and syncs (a source's name
/// never overwrites it), so "Campaign 3667e39e-…" from Constant Contact can become "Spring menu".
/// </summary>
public sealed class CampaignNames(IDbContextFactory<ClickInsightsDbContext> dbFactory)
{
    public const int MaxLength = 200;

    /// <summary>What is wrong with a name, in words for the person who typed it; null when it is fine.</summary>
    public static string? Problem(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "Type a name for the campaign.";
        }
        if (trimmed.Length > MaxLength)
        {
            return $"A name is at most {MaxLength} characters; this one has {trimmed.Length}.";
        }
        if (trimmed.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
        {
            return "A name cannot hold line breaks or invisible characters.";
        }
        return null;
    }

    /// <summary>Renames a campaign of the workspace; its previous name, or null when there is no such campaign there.</summary>
    public async Task<string?> RenameAsync(int workspaceId, int campaignId, string name, string givenBy, CancellationToken cancellationToken = default)
    {
        if (Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var campaign = await db.Campaigns.FirstOrDefaultAsync(c => c.Id == campaignId && c.WorkspaceId == workspaceId, cancellationToken);
        if (campaign is null)
        {
            return null;
        }
        var before = campaign.Name;
        campaign.Name = name.Trim();
        campaign.NameGivenBy = givenBy;
        await db.SaveChangesAsync(cancellationToken);
        return before;
    }
}
