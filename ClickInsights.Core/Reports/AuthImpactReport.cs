using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Reports;

public sealed record ImpactSide(int Campaigns, int Clicks, int BotClicks)
{
    public double BotShare => Clicks == 0 ? 0 : (double)BotClicks / Clicks;
}

/// <summary>Bot share of campaigns sent before and after sender authentication first passed.</summary>
public sealed record AuthImpact(DateTime? PassedAt, ImpactSide Before, ImpactSide After, int Undated, bool EnoughData, string Summary);

/// <summary>
/// "Did authentication help?" Whether authenticating the sender reduces scanner clicks is claimed but unverified
/// (scanners.md), so the honest answer is the customer's own before/after, with the counts, and a plain
/// "too little data" when there is too little.
/// </summary>
public sealed class AuthImpactReport(IDbContextFactory<ClickInsightsDbContext> dbFactory)
{
    public const int MinCampaignsPerSide = 2;

    public async Task<AuthImpact> ForWorkspaceAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var passedAt = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.AuthFirstPassedAt).FirstOrDefaultAsync(cancellationToken);
        // One row per campaign (its stored summary), not per event: small whatever the mailing volume.
        var campaigns = await (
            from c in db.Campaigns
            where c.WorkspaceId == workspaceId
            join s in db.CampaignSummaries on c.Id equals s.CampaignId
            select new { c.SentAt, s.Clicks, s.BotClicks }).ToListAsync(cancellationToken);
        var undated = campaigns.Count(c => c.SentAt is null);
        ImpactSide Side(Func<DateTime, bool> include)
        {
            var side = campaigns.Where(c => c.SentAt is { } sent && include(sent)).ToList();
            return new ImpactSide(side.Count, side.Sum(c => c.Clicks), side.Sum(c => c.BotClicks));
        }
        if (passedAt is not { } passed)
        {
            return new AuthImpact(null, Side(_ => true), new ImpactSide(0, 0, 0), undated, false,
                "Your sending domain has not passed the authentication check yet. Once it passes, this compares the campaigns you send afterwards with those before.");
        }
        var before = Side(sent => sent < passed);
        var after = Side(sent => sent >= passed);
        var enough = before.Campaigns >= MinCampaignsPerSide && after.Campaigns >= MinCampaignsPerSide && before.Clicks > 0 && after.Clicks > 0;
        return new AuthImpact(passed, before, after, undated, enough, Summarise(passed, before, after, enough));
    }

    private static string Summarise(DateTime passed, ImpactSide before, ImpactSide after, bool enough)
    {
        var date = passed.ToString("MMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture);
        if (!enough)
        {
            return $"Too little data to tell yet. Authentication first passed on {date}; {Plural(before.Campaigns)} {(before.Campaigns == 1 ? "was" : "were")} sent before it " +
                $"and {Plural(after.Campaigns)} after. A fair comparison needs at least {MinCampaignsPerSide} campaigns with clicks on each side.";
        }
        var points = (after.BotShare - before.BotShare) * 100;
        var change = Math.Abs(points) < 1 ? "about the same"
            : points < 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{-points:0.#} percentage points lower")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{points:0.#} percentage points higher");
        // Written the same on every server, like the figures beside it.
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Since authentication passed on {date}, {after.BotShare * 100:0.#}% of clicks were scanners ({after.BotClicks:N0} of {after.Clicks:N0} over {after.Campaigns} campaigns), ") +
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"against {before.BotShare * 100:0.#}% before ({before.BotClicks:N0} of {before.Clicks:N0} over {before.Campaigns} campaigns): {change}. ") +
            "Link-checking gateways check links whatever the sender's authentication, so a change here more likely comes from who you sent to: read it as what your data shows, not as cause and effect.";
    }

    private static string Plural(int campaigns) => campaigns == 1 ? "1 campaign" : $"{campaigns} campaigns";
}
