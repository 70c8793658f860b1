using System.Globalization;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Reports;

/// <summary>A recipient found by a search, with their clicks across the workspace's campaigns.</summary>
public sealed record RecipientHit(int RecipientId, string Email, string Domain, int Campaigns, int Clicks, int HumanClicks, int SuspectClicks, int BotClicks);

/// <summary>A recipient domain found by a search, with its figures from the Domains list.</summary>
public sealed record DomainHit(string Domain, int Recipients, string? Gateway, int Clicks, int HumanClicks, int SuspectClicks, int BotClicks);

/// <summary>A link found by a search: one campaign's link with its clicks.</summary>
public sealed record LinkHit(int LinkId, string Url, int CampaignId, string CampaignName, int Clicks, int HumanClicks, int SuspectClicks, int BotClicks);

/// <summary>What a search of one workspace found, by kind; each list holds at most <see cref="WorkspaceSearch.PerKind"/>.</summary>
public sealed record SearchResults(
    string Query,
    IReadOnlyList<RecipientHit> Recipients,
    IReadOnlyList<DomainHit> Domains,
    IReadOnlyList<CampaignRow> Campaigns,
    IReadOnlyList<LinkHit> Links)
{
    public bool IsEmpty => Recipients.Count == 0 && Domains.Count == 0 && Campaigns.Count == 0 && Links.Count == 0;
    public int Count => Recipients.Count + Domains.Count + Campaigns.Count + Links.Count;
}

/// <summary>
/// One box over a workspace: an address, a domain, a campaign's name or provider id, a link. Every query keeps to the
/// workspace it is given; case does not matter; the figures are the ones the pages show (stored breakdowns, verdicts).
/// </summary>
public sealed class WorkspaceSearch(IDbContextFactory<ClickInsightsDbContext> dbFactory, ReportService reports)
{
    /// <summary>How many results of each kind a search returns at most.</summary>
    public const int PerKind = 10;

    /// <summary>Longest query looked for: an address or a link, not a document.</summary>
    public const int MaxQueryLength = 200;

    public async Task<SearchResults> SearchAsync(int workspaceId, string? query, CancellationToken cancellationToken = default)
    {
        var q = (query ?? "").Trim();
        if (q.Length > MaxQueryLength)
        {
            q = q[..MaxQueryLength];
        }
        if (q.Length == 0)
        {
            return new SearchResults("", [], [], [], []);
        }
        var lower = q.ToLowerInvariant();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        // Recipients: addresses are stored as given; domains in lower case. An exact address comes first.
        var recipients = await db.Recipients.AsNoTracking()
            .Where(r => r.WorkspaceId == workspaceId && r.Email.ToLower().Contains(lower))
            .OrderBy(r => r.Email.ToLower() == lower ? 0 : 1).ThenBy(r => r.Email)
            .Take(PerKind)
            .ToListAsync(cancellationToken);
        var ids = recipients.Select(r => r.Id).ToList();
        var clicks = await (
            from e in db.Events.AsNoTracking()
            where ids.Contains(e.RecipientId) && e.Type == EventType.Click
            join v in db.ClickVerdicts on e.Id equals v.EventId
            group new { e.CampaignId, v.Verdict } by e.RecipientId into g
            select new
            {
                RecipientId = g.Key,
                Campaigns = g.Select(x => x.CampaignId).Distinct().Count(),
                Clicks = g.Count(),
                Human = g.Count(x => x.Verdict == Verdict.Human),
                Suspect = g.Count(x => x.Verdict == Verdict.Suspect),
                Bot = g.Count(x => x.Verdict == Verdict.Bot),
            }).ToDictionaryAsync(x => x.RecipientId, cancellationToken);
        var recipientHits = recipients.Select(r => clicks.TryGetValue(r.Id, out var c)
                ? new RecipientHit(r.Id, r.Email, r.Domain, c.Campaigns, c.Clicks, c.Human, c.Suspect, c.Bot)
                : new RecipientHit(r.Id, r.Email, r.Domain, 0, 0, 0, 0, 0))
            .ToList();

        // Domains: "@harbordental.com" and "harbordental" both find harbordental.com.
        var domainPart = lower.TrimStart('@');
        var domainNames = await db.Recipients.AsNoTracking()
            .Where(r => r.WorkspaceId == workspaceId && r.Domain.Contains(domainPart))
            .GroupBy(r => r.Domain)
            .Select(g => new { Domain = g.Key, Recipients = g.Count() })
            .OrderByDescending(d => d.Recipients).ThenBy(d => d.Domain)
            .Take(PerKind)
            .ToListAsync(cancellationToken);
        var names = domainNames.Select(d => d.Domain).ToList();
        var domainFigures = await (
            from b in db.CampaignBreakdowns.AsNoTracking()
            join c in db.Campaigns on b.CampaignId equals c.Id
            where c.WorkspaceId == workspaceId && b.Kind == BreakdownKind.Domain && names.Contains(b.Key)
            group b by b.Key into g
            select new { Domain = g.Key, Clicks = g.Sum(x => x.Clicks), Human = g.Sum(x => x.HumanClicks), Suspect = g.Sum(x => x.SuspectClicks), Bot = g.Sum(x => x.BotClicks) })
            .ToDictionaryAsync(x => x.Domain, cancellationToken);
        var gateways = await db.DomainGateways.AsNoTracking().Where(g => names.Contains(g.Domain)).ToDictionaryAsync(g => g.Domain, g => g.Gateway, cancellationToken);
        var domainHits = domainNames.Select(d => domainFigures.TryGetValue(d.Domain, out var f)
                ? new DomainHit(d.Domain, d.Recipients, gateways.GetValueOrDefault(d.Domain), f.Clicks, f.Human, f.Suspect, f.Bot)
                : new DomainHit(d.Domain, d.Recipients, gateways.GetValueOrDefault(d.Domain), 0, 0, 0, 0))
            .OrderByDescending(d => d.Domain == domainPart).ThenByDescending(d => d.Clicks).ThenBy(d => d.Domain, StringComparer.Ordinal)
            .ToList();

        // Campaigns: by the name an owner knows, or by the provider's id (support staff paste it from the provider).
        var campaignIds = await db.Campaigns.AsNoTracking()
            .Where(c => c.WorkspaceId == workspaceId && (c.Name.ToLower().Contains(lower) || c.ExternalId.ToLower() == lower))
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
        var campaignHits = campaignIds.Count == 0
            ? []
            : (await reports.CampaignsAsync(workspaceId, cancellationToken)).Where(c => campaignIds.Contains(c.Id)).Take(PerKind).ToList();

        // Links: part of an address; each campaign's link is its own result (its clicks are that campaign's).
        var links = await (
            from l in db.CampaignLinks.AsNoTracking()
            join c in db.Campaigns on l.CampaignId equals c.Id
            where c.WorkspaceId == workspaceId && l.Url.ToLower().Contains(lower)
            orderby c.SentAt descending, l.Position, l.Url
            select new { l.Id, l.Url, l.CampaignId, c.Name })
            .Take(PerKind)
            .ToListAsync(cancellationToken);
        var linkKeys = links.Select(l => l.Id.ToString(CultureInfo.InvariantCulture)).ToList();
        var linkCampaigns = links.Select(l => l.CampaignId).Distinct().ToList();
        var linkFigures = await db.CampaignBreakdowns.AsNoTracking()
            .Where(b => linkCampaigns.Contains(b.CampaignId) && b.Kind == BreakdownKind.Link && linkKeys.Contains(b.Key))
            .ToDictionaryAsync(b => (b.CampaignId, b.Key), cancellationToken);
        var linkHits = links.Select(l => linkFigures.TryGetValue((l.CampaignId, l.Id.ToString(CultureInfo.InvariantCulture)), out var b)
                ? new LinkHit(l.Id, l.Url, l.CampaignId, l.Name, b.Clicks, b.HumanClicks, b.SuspectClicks, b.BotClicks)
                : new LinkHit(l.Id, l.Url, l.CampaignId, l.Name, 0, 0, 0, 0))
            .ToList();

        return new SearchResults(q, recipientHits, domainHits, campaignHits, linkHits);
    }
}
