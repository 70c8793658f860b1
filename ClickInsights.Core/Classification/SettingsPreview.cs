using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Classification;

public sealed record CampaignPreview(int CampaignId, string Name, int Delivered, int HumanClickersNow, int HumanClickersThen, int BotClicksNow, int BotClicksThen)
{
    public double RealRateNow => Delivered == 0 ? 0 : (double)HumanClickersNow / Delivered;
    public double RealRateThen => Delivered == 0 ? 0 : (double)HumanClickersThen / Delivered;
}

/// <summary>How many clicks would go from one verdict to another.</summary>
public sealed record VerdictMove(Verdict From, Verdict To, int Clicks);

public sealed record SettingsPreviewResult(IReadOnlyList<CampaignPreview> Campaigns)
{
    /// <summary>How many campaigns saving recomputes (all of the workspace's); the preview covers <see cref="Campaigns"/>, the last ones.</summary>
    public int CampaignsInWorkspace { get; init; }
    /// <summary>The clicks that would change verdict, by from and to, largest first.</summary>
    public IReadOnlyList<VerdictMove> Moves { get; init; } = [];
    public int Delivered => Campaigns.Sum(c => c.Delivered);
    public double RealRateNow => Delivered == 0 ? 0 : (double)Campaigns.Sum(c => c.HumanClickersNow) / Delivered;
    public double RealRateThen => Delivered == 0 ? 0 : (double)Campaigns.Sum(c => c.HumanClickersThen) / Delivered;
    /// <summary>How many clicks would change verdict: the moves added up.</summary>
    public int ChangedClicks => Moves.Sum(m => m.Clicks);
}

/// <summary>What new settings would change on a workspace's history, before they are saved; and saving them.</summary>
public sealed class SettingsPreviewService(IDbContextFactory<ClickInsightsDbContext> dbFactory, ClassificationService classification)
{
    /// <summary>How many campaigns a preview covers: a workspace of this many or fewer is previewed whole, as saving recomputes it.</summary>
    public const int DefaultCampaigns = 24;

    /// <param name="honeypotPattern">The hidden link's pattern as typed (not saved yet); null keeps the workspace's.</param>
    /// <param name="lastCampaigns">At most this many campaigns, the last sent; saving recomputes them all.</param>
    public async Task<SettingsPreviewResult> PreviewAsync(int workspaceId, ClassifierSettings settings, int lastCampaigns = DefaultCampaigns, CancellationToken cancellationToken = default, string? honeypotPattern = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var inWorkspace = await db.Campaigns.CountAsync(c => c.WorkspaceId == workspaceId, cancellationToken);
        var campaigns = await (
            from c in db.Campaigns.AsNoTracking()
            where c.WorkspaceId == workspaceId
            join s in db.CampaignSummaries on c.Id equals s.CampaignId
            orderby c.SentAt descending, c.Id descending
            select new { c.Id, c.Name, s.Delivered, s.HumanClickers, s.BotClicks })
            .Take(lastCampaigns)
            .ToListAsync(cancellationToken);
        var previews = new List<CampaignPreview>();
        var moves = new Dictionary<(Verdict From, Verdict To), int>();
        foreach (var c in campaigns)
        {
            var current = await db.ClickVerdicts.AsNoTracking().Where(v => v.CampaignId == c.Id).ToDictionaryAsync(v => v.EventId, v => v.Verdict, cancellationToken);
            var then = await classification.PreviewCampaignAsync(c.Id, settings, cancellationToken, honeypotPattern);
            foreach (var click in then)
            {
                if (current.TryGetValue(click.EventId, out var now) && now != click.Verdict)
                {
                    moves[(now, click.Verdict)] = moves.GetValueOrDefault((now, click.Verdict)) + 1;
                }
            }
            previews.Add(new CampaignPreview(c.Id, c.Name, c.Delivered, c.HumanClickers,
                then.Where(x => x.Verdict == Verdict.Human).Select(x => x.RecipientId).Distinct().Count(),
                c.BotClicks, then.Count(x => x.Verdict == Verdict.Bot)));
        }
        return new SettingsPreviewResult(previews)
        {
            CampaignsInWorkspace = inWorkspace,
            Moves = moves.Select(m => new VerdictMove(m.Key.From, m.Key.To, m.Value)).OrderByDescending(m => m.Clicks).ThenBy(m => m.From).ThenBy(m => m.To).ToList(),
        };
    }

    /// <summary>
    /// What is wrong with a honeypot pattern: it must single out the hidden link, so a pattern found in every link of
    /// the workspace's campaigns (https, the shop's domain) would make every click a bot.
    /// </summary>
    public async Task<string?> HoneypotProblemAsync(int workspaceId, string? pattern, CancellationToken cancellationToken = default)
    {
        pattern = pattern?.Trim();
        if (string.IsNullOrEmpty(pattern))
        {
            return null;
        }
        if (pattern.Length < 4)
        {
            return $"The hidden link's pattern \"{pattern}\" is too short to single out one link: use a part of its address only it has, such as /trap-7f3a.";
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var links = await db.CampaignLinks.AsNoTracking().Where(l => db.Campaigns.Any(c => c.Id == l.CampaignId && c.WorkspaceId == workspaceId))
            .Select(l => l.Url).Distinct().ToListAsync(cancellationToken);
        return links.Count >= 2 && links.All(url => url.Contains(pattern, StringComparison.OrdinalIgnoreCase))
            ? $"\"{pattern}\" is part of every link of your campaigns, so every click would count as a bot: use a part of the address only the hidden link has."
            : null;
    }

    /// <summary>Stores the workspace's own catalogue entries without recomputing (the dashboard queues the recompute as a job).</summary>
    public async Task StoreCatalogueAsync(int workspaceId, UserCatalogue entries, CancellationToken cancellationToken = default)
    {
        // Parse what will be stored, so a bad entry is refused before anything changes.
        UserCatalogue.Parse(entries.ToJson());
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspace = await db.Workspaces.FirstAsync(w => w.Id == workspaceId, cancellationToken);
        workspace.UserCatalogueJson = entries.IsEmpty ? null : entries.ToJson();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Stores the settings without recomputing (the dashboard queues the recompute as a background job).</summary>
    /// <exception cref="ArgumentException">The settings or the hidden link's pattern cannot work; nothing is stored.</exception>
    public async Task StoreAsync(int workspaceId, ClassifierSettings settings, string? honeypotPattern, CancellationToken cancellationToken = default)
    {
        if ((settings.Problem() ?? await HoneypotProblemAsync(workspaceId, honeypotPattern, cancellationToken)) is { } problem)
        {
            throw new ArgumentException(problem);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspace = await db.Workspaces.FirstAsync(w => w.Id == workspaceId, cancellationToken);
        workspace.ClassifierSettingsJson = settings == ClassifierSettings.Default ? null : System.Text.Json.JsonSerializer.Serialize(settings);
        workspace.HoneypotPattern = string.IsNullOrWhiteSpace(honeypotPattern) ? null : honeypotPattern.Trim();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Stores the settings and recomputes every campaign of the workspace (raw events are not touched).</summary>
    /// <exception cref="ArgumentException">The settings or the pattern cannot be used; the message says why. Nothing is stored then.</exception>
    public async Task SaveAsync(int workspaceId, ClassifierSettings settings, string? honeypotPattern, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        await StoreAsync(workspaceId, settings, honeypotPattern, cancellationToken);
        try
        {
            await classification.ClassifyWorkspaceAsync(workspaceId, progress, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"The settings are saved, but recomputing the campaigns stopped ({e.Message}); the rest are recomputed when the dashboard next starts.", e);
        }
    }
}
