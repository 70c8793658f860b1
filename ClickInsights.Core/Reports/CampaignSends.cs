using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Reports;

/// <summary>
/// How many emails a campaign sent and delivered, entered by a person from the provider's own report when the imported
/// data does not say (a file of clicks only). The rates then compute on every page, export and API answer, marked as
/// entered by hand; sends or deliveries imported later take their place.
/// </summary>
public sealed class CampaignSends(IDbContextFactory<ClickInsightsDbContext> dbFactory, ClassificationService classification)
{
    /// <summary>What is wrong with the numbers, in words for the person who typed them; null when they are fine.</summary>
    public static string? Problem(int? sent, int? delivered, int clickers)
    {
        if (delivered is null)
        {
            return "Enter how many emails were delivered.";
        }
        if (delivered < 0 || sent < 0)
        {
            return "The numbers cannot be negative.";
        }
        if (sent is { } s && delivered > s)
        {
            return $"Delivered ({delivered:N0}) cannot be more than sent ({s:N0}).";
        }
        if (delivered < clickers)
        {
            return $"Delivered ({delivered:N0}) cannot be fewer than the {clickers:N0} recipients who clicked.";
        }
        return null;
    }

    /// <summary>Stores the numbers (null and null clear them) and recomputes the campaign's figures; false when there is no such campaign in the workspace.</summary>
    public async Task<bool> SetAsync(int workspaceId, int campaignId, int? sent, int? delivered, string givenBy, CancellationToken cancellationToken = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var campaign = await db.Campaigns.FirstOrDefaultAsync(c => c.Id == campaignId && c.WorkspaceId == workspaceId, cancellationToken);
            if (campaign is null)
            {
                return false;
            }
            if (delivered is not null)
            {
                var clickers = await db.CampaignSummaries.Where(s => s.CampaignId == campaignId).Select(s => s.UniqueClickers).FirstOrDefaultAsync(cancellationToken);
                if (Problem(sent, delivered, clickers) is { } problem)
                {
                    throw new ArgumentException(problem, nameof(delivered));
                }
            }
            campaign.SentByHand = delivered is null ? null : sent;
            campaign.DeliveredByHand = delivered;
            campaign.CountsGivenBy = delivered is null ? null : givenBy;
            await db.SaveChangesAsync(cancellationToken);
        }
        await classification.ClassifyCampaignsAsync([campaignId], cancellationToken);
        return true;
    }
}
