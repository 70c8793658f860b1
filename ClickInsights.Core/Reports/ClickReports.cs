using System.Globalization;
using System.Text.Json;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Reports;

/// <summary>Filters of a campaign's clicks table; every one of them lives in the page's URL.</summary>
/// <param name="NotHuman">Only clicks not counted as people (suspects and bots), as the campaign's reasons are counted; with <paramref name="Verdict"/> unset.</param>
public sealed record ClickFilter(Verdict? Verdict = null, string? Reason = null, string? Domain = null, int? LinkId = null, int Page = 0, int PageSize = 25, bool NotHuman = false);

public sealed record ClickListItem(long EventId, int RecipientId, string Email, string Domain, string? Url, DateTime ClickedAt, string? Ip, string? UserAgent, Verdict Verdict, int Score, IReadOnlyList<string> ReasonCodes)
{
    /// <summary>The reasons themselves (code, evidence in words, weight), strongest first as <see cref="ReasonCodes"/>.</summary>
    public IReadOnlyList<Reason> Reasons { get; init; } = [];
}

public sealed record ClickPage(IReadOnlyList<ClickListItem> Items, int Total);

/// <summary>One recipient who clicked (in a campaign, or at a domain in every campaign), with their clicks by verdict.</summary>
public sealed record RecipientClicks(int RecipientId, string Email, string Domain, int Clicks, int HumanClicks, int SuspectClicks, int BotClicks)
{
    /// <summary>At least one click was the person's own: a real clicker, for lead scoring and follow-ups.</summary>
    public bool ClickedAsPerson => HumanClicks > 0;

    /// <summary>Every click was a scanner's: the person may never have seen the email's links.</summary>
    public bool ScannerOnly => BotClicks == Clicks;
}

/// <summary>Which of a campaign's clickers a list holds.</summary>
public enum ClickerList
{
    All,
    /// <summary>Recipients with at least one click by a person.</summary>
    People,
    /// <summary>Recipients all of whose clicks were scanners'.</summary>
    ScannerOnly,
}

/// <summary>Clicks by time from delivery on a log scale, split by verdict.</summary>
public sealed record DelayBucket(string Label, int Human, int Suspect, int Bot);

public sealed record CampaignDomainRow(string Domain, string? Gateway, int Clickers, int Clicks, int HumanClicks, int SuspectClicks, int BotClicks, int HumanClickers = 0)
{
    public double BotShare => Clicks == 0 ? 0 : (double)BotClicks / Clicks;
}

/// <summary>One click from a domain as its IT reads it (see <see cref="ClickReports.DomainEvidenceAsync"/>).</summary>
public sealed record DomainEvidenceRow(string CampaignName, DateTime? SentAt, string Email, DateTime ClickedAt, double? SecondsAfterDelivery, string? Url, string? Ip,
    string? Network, string? NetworkOwner, string? UserAgent, Verdict Verdict, int Score, IReadOnlyList<Reason> Reasons);

public sealed record UnsubscribeInBurst(long EventId, int RecipientId, string Email, DateTime At, int BotClicksNearby)
{
    public int CampaignId { get; init; }
}

public sealed record TimelineEvent(long EventId, int CampaignId, string CampaignName, EventType Type, DateTime At, string? Url, string? Ip, string? NetworkOwner, string? UserAgent, Verdict? Verdict, int? Score, IReadOnlyList<Reason> Reasons);

/// <param name="OverrideId">The person's decision about this recipient, to undo it.</param>
/// <param name="Truncated">The recipient has more events than <see cref="ClickReports.TimelineLimit"/>; the first ones are listed.</param>
public sealed record RecipientTimeline(int RecipientId, int WorkspaceId, string Email, string Domain, IReadOnlyList<TimelineEvent> Events, Verdict? Override, int? OverrideId = null, bool Truncated = false);

public sealed record ClickEvidenceView(
    long EventId, int WorkspaceId, int CampaignId, string CampaignName, int RecipientId, string Email, string Domain, string? Url, DateTime ClickedAt,
    string? Ip, string? NetworkOwner, string? UserAgent, Verdict Verdict, int Score, IReadOnlyList<Reason> Reasons,
    string ClassifierVersion, string SettingsHash, DateTime ClassifiedAt, string Raw, IReadOnlyList<VerdictOverride> Overrides,
    ClassifierSettings WorkspaceSettings)
{
    /// <summary>Whether the click was judged with the workspace's settings as they are now (else they changed since).</summary>
    public bool JudgedWithCurrentSettings => WorkspaceSettings.Hash() == SettingsHash;
}

/// <summary>Per-click views of a workspace: the clicks table, the delay histogram, a recipient's timeline, one click's evidence.</summary>
public sealed class ClickReports(IDbContextFactory<ClickInsightsDbContext> dbFactory, ScannerCatalogue catalogue)
{
    public async Task<ClickPage> ClicksAsync(int campaignId, ClickFilter filter, CancellationToken cancellationToken = default)
    {
        // Domains are stored in lower case; what a person types may not be.
        filter = filter with { Domain = string.IsNullOrWhiteSpace(filter.Domain) ? null : filter.Domain.Trim().ToLowerInvariant() };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var snapshot = await SnapshotAsync(db, cancellationToken);
        var query = Filtered(db, campaignId, filter);
        // The stored figures give the count when at most one of reason, domain and link is chosen: no scan of the clicks.
        var total = await StoredCountAsync(db, campaignId, filter, cancellationToken) ?? await query.CountAsync(cancellationToken);
        var rows = await query
            .OrderBy(x => x.Event.OccurredAtMs).ThenBy(x => x.Event.Id)
            .Skip(Math.Max(0, filter.Page) * filter.PageSize).Take(filter.PageSize)
            .Select(x => new ClickRowData(x.Event.Id, x.Event.RecipientId, x.Recipient.Email, x.Recipient.Domain, x.Url, x.Event.OccurredAtMs, x.Event.Ip, x.Agent, x.Verdict.Verdict, x.Verdict.Score, x.Reasons.Refs))
            .ToListAsync(cancellationToken);
        return new ClickPage(await ItemsAsync(db, campaignId, rows, cancellationToken), total);
    }

    /// <summary>
    /// Clicks after a position in time order (keyset paging: the time and id of the last click of the page before), as
    /// many as asked: each click once however the table grows meanwhile.
    /// </summary>
    public async Task<IReadOnlyList<ClickListItem>> ClicksAfterAsync(int campaignId, ClickFilter filter, (long AtMs, long Id)? after, int limit, CancellationToken cancellationToken = default)
    {
        filter = filter with { Domain = string.IsNullOrWhiteSpace(filter.Domain) ? null : filter.Domain.Trim().ToLowerInvariant() };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var snapshot = await SnapshotAsync(db, cancellationToken);
        var query = Filtered(db, campaignId, filter);
        if (after is { } position)
        {
            query = query.Where(x => x.Event.OccurredAtMs > position.AtMs || (x.Event.OccurredAtMs == position.AtMs && x.Event.Id > position.Id));
        }
        var rows = await query
            .OrderBy(x => x.Event.OccurredAtMs).ThenBy(x => x.Event.Id)
            .Take(limit)
            .Select(x => new ClickRowData(x.Event.Id, x.Event.RecipientId, x.Recipient.Email, x.Recipient.Domain, x.Url, x.Event.OccurredAtMs, x.Event.Ip, x.Agent, x.Verdict.Verdict, x.Verdict.Score, x.Reasons.Refs))
            .ToListAsync(cancellationToken);
        return await ItemsAsync(db, campaignId, rows, cancellationToken);
    }

    private sealed record ClickRowData(long Id, int RecipientId, string Email, string Domain, string? Url, long OccurredAtMs, string? Ip, string? Agent, Verdict Verdict, int Score, string Refs);

    private async Task<IReadOnlyList<ClickListItem>> ItemsAsync(ClickInsightsDbContext db, int campaignId, List<ClickRowData> rows, CancellationToken cancellationToken)
    {
        var stored = (await ReasonsOfAsync(db, [campaignId], cancellationToken)).GetValueOrDefault(campaignId) ?? new Dictionary<int, Reason>();
        return rows.Select(x =>
        {
            var reasons = StrongestFirst(ReasonTable.Resolve(x.Refs, stored), x.Verdict).ToList();
            return new ClickListItem(x.Id, x.RecipientId, x.Email, x.Domain, x.Url, FromMs(x.OccurredAtMs), x.Ip, x.Agent, x.Verdict, x.Score,
                reasons.Select(r => r.Code).ToList()) { Reasons = reasons };
        }).ToList();
    }

    private static IQueryable<ClickJoin> Filtered(ClickInsightsDbContext db, int campaignId, ClickFilter filter)
    {
        var query = ClicksOf(db, campaignId);
        if (filter.Verdict is { } verdict)
        {
            query = query.Where(x => x.Verdict.Verdict == verdict);
        }
        else if (filter.NotHuman)
        {
            query = query.Where(x => x.Verdict.Verdict != Verdict.Human);
        }
        if (!string.IsNullOrWhiteSpace(filter.Reason))
        {
            query = query.Where(x => x.Reasons.Codes.Contains(filter.Reason));
        }
        if (filter.Domain is { } domain)
        {
            query = query.Where(x => x.Recipient.Domain == domain);
        }
        if (filter.LinkId is { } linkId)
        {
            query = query.Where(x => x.Event.LinkId == linkId);
        }
        return query;
    }

    /// <summary>
    /// A click's reasons with the one that decided its verdict first: a person's decision, else the strongest machine
    /// sign for a bot or a suspect, the strongest sign of a person for a person (a table shows the first and counts the rest).
    /// </summary>
    public static IEnumerable<Reason> StrongestFirst(IReadOnlyList<Reason> reasons, Verdict verdict)
    {
        var decisionFirst = reasons.OrderBy(r => r.Code == ClassificationService.OverrideReasonCode ? 0 : 1);
        return verdict == Verdict.Human ? decisionFirst.ThenBy(r => r.Weight) : decisionFirst.ThenByDescending(r => r.Weight);
    }

    private static async Task<int?> StoredCountAsync(ClickInsightsDbContext db, int campaignId, ClickFilter filter, CancellationToken cancellationToken)
    {
        (BreakdownKind Kind, string Key)[] chosen =
        [
            .. string.IsNullOrWhiteSpace(filter.Reason) ? Array.Empty<(BreakdownKind, string)>() : [(BreakdownKind.Reason, filter.Reason)],
            .. string.IsNullOrWhiteSpace(filter.Domain) ? Array.Empty<(BreakdownKind, string)>() : [(BreakdownKind.Domain, filter.Domain)],
            .. filter.LinkId is { } link ? [(BreakdownKind.Link, link.ToString(CultureInfo.InvariantCulture))] : Array.Empty<(BreakdownKind, string)>(),
        ];
        (int Clicks, int Human, int Suspect, int Bot)? counts;
        if (chosen.Length == 0)
        {
            counts = await db.CampaignSummaries.AsNoTracking().Where(s => s.CampaignId == campaignId)
                .Select(s => new { s.Clicks, s.HumanClicks, s.SuspectClicks, s.BotClicks })
                .FirstOrDefaultAsync(cancellationToken) is { } s ? (s.Clicks, s.HumanClicks, s.SuspectClicks, s.BotClicks) : null;
        }
        else if (chosen.Length == 1 && !(chosen[0].Kind == BreakdownKind.Reason && (filter.Verdict is Verdict.Human || filter.Verdict is null && !filter.NotHuman)))
        {
            var (kind, key) = chosen[0];
            var row = await db.CampaignBreakdowns.AsNoTracking().FirstOrDefaultAsync(b => b.CampaignId == campaignId && b.Kind == kind && b.Key == key, cancellationToken);
            if (row is null && kind == BreakdownKind.Reason)
            {
                // Only reasons against a person are counted (suspects and bots); others are counted from the clicks.
                return null;
            }
            counts = row is null ? (0, 0, 0, 0) : (row.Clicks, row.HumanClicks, row.SuspectClicks, row.BotClicks);
        }
        else
        {
            return null;
        }
        if (counts is not { } c)
        {
            return null;
        }
        return filter.Verdict switch
        {
            Verdict.Human => c.Human,
            Verdict.Suspect => c.Suspect,
            Verdict.Bot => c.Bot,
            _ => filter.NotHuman ? c.Suspect + c.Bot : c.Clicks,
        };
    }

    /// <summary>
    /// Makes a view's reads see one state of the store (a read transaction; SQLite's log keeps it apart from writers).
    /// Verdicts name their reasons by number in their campaign's reason table: a recompute committed between reading
    /// the rows and reading the table would otherwise give clicks another classification's reasons.
    /// </summary>
    private static Task<System.Data.Common.DbTransaction?> SnapshotAsync(ClickInsightsDbContext db, CancellationToken cancellationToken) =>
        db.Store.SnapshotAsync(db, cancellationToken);

    /// <summary>Every click of a campaign in the per-click CSV shape (streamed, for exports).</summary>
    public async IAsyncEnumerable<ClickRow> ExportAsync(int campaignId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // A long export sees one state of the store from its first row to its last, reasons included.
        await using var snapshot = await SnapshotAsync(db, cancellationToken);
        var campaign = await db.Campaigns.AsNoTracking().FirstAsync(c => c.Id == campaignId, cancellationToken);
        var rows =
            from x in ClicksOf(db, campaignId)
            orderby x.Event.OccurredAtMs, x.Event.Id
            select new { x.Recipient.Email, x.Url, x.Event.OccurredAtMs, x.Verdict.Verdict, x.Verdict.Score, x.Reasons.Refs, x.Event.ExternalId };
        var stored = (await ReasonsOfAsync(db, [campaignId], cancellationToken)).GetValueOrDefault(campaignId) ?? new Dictionary<int, Reason>();
        await foreach (var x in rows.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return new ClickRow(campaign.ExternalId, x.Email, x.Url, x.OccurredAtMs, x.Verdict, x.Score, ReasonTable.Resolve(x.Refs, stored), x.ExternalId);
        }
    }

    /// <summary>
    /// A campaign's recipients who clicked, each once with their clicks by verdict: the people who really clicked (to
    /// correct lead scores and segments in the sending tool) or those only scanners clicked for. Email order.
    /// </summary>
    public async Task<IReadOnlyList<RecipientClicks>> ClickersAsync(int campaignId, ClickerList which, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await ClicksByRecipient(db, db.Events.AsNoTracking().Where(e => e.CampaignId == campaignId)).ToListAsync(cancellationToken);
        return rows
            .Where(c => which switch { ClickerList.People => c.ClickedAsPerson, ClickerList.ScannerOnly => c.ScannerOnly, _ => true })
            .OrderBy(c => c.Email, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Every click by recipients at one domain, in every campaign of a workspace, as the company's IT asks for it: the
    /// campaign by name and send time, the time after delivery, the network and its owner, the user agent, the verdict
    /// and its reasons. Streamed in campaign order, then time.
    /// </summary>
    public async IAsyncEnumerable<DomainEvidenceRow> DomainEvidenceAsync(int workspaceId, string domain, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        domain = domain.Trim().ToLowerInvariant();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var snapshot = await SnapshotAsync(db, cancellationToken);
        var campaigns = await db.Campaigns.AsNoTracking().Where(c => c.WorkspaceId == workspaceId).ToDictionaryAsync(c => c.Id, c => new { c.Name, c.SentAt }, cancellationToken);
        var recipients = await db.Recipients.AsNoTracking().Where(r => r.WorkspaceId == workspaceId && r.Domain == domain).Select(r => r.Id).ToListAsync(cancellationToken);
        // When each recipient's email was delivered in each campaign (else sent): what "seconds after delivery" counts from.
        var anchors = (await db.Events.AsNoTracking()
                .Where(e => recipients.Contains(e.RecipientId) && (e.Type == EventType.Delivered || e.Type == EventType.Sent))
                .GroupBy(e => new { e.CampaignId, e.RecipientId, e.Type })
                .Select(g => new { g.Key.CampaignId, g.Key.RecipientId, g.Key.Type, At = g.Min(e => e.OccurredAtMs) })
                .ToListAsync(cancellationToken))
            .GroupBy(a => (a.CampaignId, a.RecipientId))
            .ToDictionary(g => g.Key, g => (g.FirstOrDefault(a => a.Type == EventType.Delivered) ?? g.First()).At);
        var rows =
            from x in ClicksOf(db, e => recipients.Contains(e.RecipientId))
            orderby x.Event.CampaignId, x.Event.OccurredAtMs, x.Event.Id
            select new { x.Event.CampaignId, x.Event.RecipientId, x.Recipient.Email, x.Url, x.Event.OccurredAtMs, x.Event.Ip, x.Agent, x.Verdict.Verdict, x.Verdict.Score, x.Reasons.Refs };
        var stored = await ReasonsOfAsync(db, campaigns.Keys.ToList(), cancellationToken);
        await foreach (var x in rows.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var campaign = campaigns[x.CampaignId];
            var network = x.Ip is null ? null : catalogue.MatchNetwork(x.Ip);
            double? after = anchors.TryGetValue((x.CampaignId, x.RecipientId), out var at) ? (x.OccurredAtMs - at) / 1000.0 : null;
            yield return new DomainEvidenceRow(campaign.Name, campaign.SentAt, x.Email, FromMs(x.OccurredAtMs), after, x.Url, x.Ip, network?.Cidr, network?.Owner,
                x.Agent, x.Verdict, x.Score, ReasonTable.Resolve(x.Refs, stored.GetValueOrDefault(x.CampaignId) ?? new Dictionary<int, Reason>()));
        }
    }

    public async Task<IReadOnlyList<DelayBucket>> DelayHistogramAsync(int campaignId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.CampaignBreakdowns.AsNoTracking()
            .Where(b => b.CampaignId == campaignId && b.Kind == BreakdownKind.Delay)
            .ToDictionaryAsync(b => b.Key, cancellationToken);
        return Breakdowns.DelayBuckets.Select((bucket, i) => rows.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out var row)
            ? new DelayBucket(bucket.Label, row.HumanClicks, row.SuspectClicks, row.BotClicks)
            : new DelayBucket(bucket.Label, 0, 0, 0)).ToList();
    }

    /// <summary>Unsubscribes that came within seconds of a bot click of the same recipient: likely a scanner, not the person.</summary>
    public Task<IReadOnlyList<UnsubscribeInBurst>> UnsubscribesInBurstsAsync(int campaignId, CancellationToken cancellationToken = default) =>
        UnsubscribesInBurstsAsync([campaignId], cancellationToken);

    /// <summary>The same for several campaigns (a report's period), oldest first.</summary>
    public async Task<IReadOnlyList<UnsubscribeInBurst>> UnsubscribesInBurstsAsync(IReadOnlyCollection<int> campaignIds, CancellationToken cancellationToken = default)
    {
        if (campaignIds.Count == 0)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await (
            from u in db.Events.AsNoTracking()
            where campaignIds.Contains(u.CampaignId) && u.Type == EventType.Unsubscribe
            join r in db.Recipients on u.RecipientId equals r.Id
            let nearby = (
                from c in db.Events
                join v in db.ClickVerdicts on c.Id equals v.EventId
                where c.CampaignId == u.CampaignId && c.RecipientId == u.RecipientId && c.Type == EventType.Click && v.Verdict == Verdict.Bot
                      && c.OccurredAtMs >= u.OccurredAtMs - 60_000 && c.OccurredAtMs <= u.OccurredAtMs + 60_000
                select c.Id).Count()
            where nearby > 0
            orderby u.OccurredAtMs, u.Id
            select new { u.Id, u.CampaignId, u.RecipientId, r.Email, u.OccurredAtMs, nearby })
            .ToListAsync(cancellationToken);
        return rows.Select(x => new UnsubscribeInBurst(x.Id, x.RecipientId, x.Email, FromMs(x.OccurredAtMs), x.nearby) { CampaignId = x.CampaignId }).ToList();
    }

    /// <summary>The recipient domains of one campaign, ranked by bot clicks.</summary>
    public async Task<IReadOnlyList<CampaignDomainRow>> DomainsOfCampaignAsync(int campaignId, int top = 15, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.CampaignBreakdowns.AsNoTracking()
            .Where(b => b.CampaignId == campaignId && b.Kind == BreakdownKind.Domain)
            .OrderByDescending(b => b.BotClicks).ThenByDescending(b => b.Clicks)
            .Take(top)
            .ToListAsync(cancellationToken);
        var domains = rows.Select(r => r.Key).ToList();
        var gateways = await db.DomainGateways.AsNoTracking().Where(g => domains.Contains(g.Domain)).ToDictionaryAsync(g => g.Domain, g => g.Gateway, cancellationToken);
        return rows.Select(r => new CampaignDomainRow(r.Key, gateways.GetValueOrDefault(r.Key), r.Clickers, r.Clicks, r.HumanClicks, r.SuspectClicks, r.BotClicks, r.HumanClickers)).ToList();
    }

    /// <summary>How many events of a recipient the timeline shows at most (oldest first).</summary>
    public const int TimelineLimit = 2_000;

    public async Task<RecipientTimeline?> TimelineAsync(int recipientId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var snapshot = await SnapshotAsync(db, cancellationToken);
        var recipient = await db.Recipients.AsNoTracking().FirstOrDefaultAsync(r => r.Id == recipientId, cancellationToken);
        if (recipient is null)
        {
            return null;
        }
        var rows = await (
            from e in db.Events.AsNoTracking()
            where e.RecipientId == recipientId
            join c in db.Campaigns on e.CampaignId equals c.Id
            join v in db.ClickVerdicts on e.Id equals v.EventId into verdicts
            from v in verdicts.DefaultIfEmpty()
            join s in db.CampaignReasonSets on new { v.CampaignId, Index = v.ReasonSet } equals new { s.CampaignId, s.Index } into sets
            from s in sets.DefaultIfEmpty()
            join l in db.CampaignLinks on e.LinkId equals l.Id into links
            from l in links.DefaultIfEmpty()
            join u in db.UserAgents on e.UserAgentId equals u.Id into agents
            from u in agents.DefaultIfEmpty()
            orderby e.OccurredAtMs, e.Id
            select new
            {
                e.Id, e.CampaignId, c.Name, e.Type, e.OccurredAtMs, Url = l == null ? null : l.Url, e.Ip, Agent = u == null ? null : u.Value,
                Verdict = v == null ? (Verdict?)null : v.Verdict, Score = v == null ? (int?)null : v.Score, Refs = s == null ? null : s.Refs,
            })
            .Take(TimelineLimit + 1)
            .ToListAsync(cancellationToken);
        var own = await db.Overrides.AsNoTracking()
            .FirstOrDefaultAsync(o => o.WorkspaceId == recipient.WorkspaceId && o.Scope == OverrideScope.Recipient && o.Key == recipient.Email, cancellationToken);
        // One more than shown was asked for: whether there are more than the limit.
        var truncated = rows.Count > TimelineLimit;
        if (truncated)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        var stored = await ReasonsOfAsync(db, rows.Where(x => x.Refs is not null).Select(x => x.CampaignId).Distinct().ToList(), cancellationToken);
        return new RecipientTimeline(recipient.Id, recipient.WorkspaceId, recipient.Email, recipient.Domain,
            rows.Select(x => new TimelineEvent(x.Id, x.CampaignId, x.Name, x.Type, FromMs(x.OccurredAtMs), x.Url, x.Ip,
                x.Ip is null ? null : catalogue.MatchNetwork(x.Ip)?.Owner, x.Agent, x.Verdict, x.Score,
                ReasonTable.Resolve(x.Refs, stored.GetValueOrDefault(x.CampaignId) ?? new Dictionary<int, Reason>()))).ToList(),
            own?.Verdict, own?.Id, truncated);
    }

    public async Task<ClickEvidenceView?> EvidenceAsync(long eventId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var snapshot = await SnapshotAsync(db, cancellationToken);
        var x = await (
            from k in ClicksOf(db, e => e.Id == eventId)
            join c in db.Campaigns on k.Event.CampaignId equals c.Id
            join summary in db.CampaignSummaries on k.Event.CampaignId equals summary.CampaignId
            select new { e = k.Event, c.Name, c.WorkspaceId, k.Recipient.Email, k.Recipient.Domain, k.Url, k.Agent, v = k.Verdict, k.Reasons.Refs, summary.ClassifierVersion, summary.SettingsHash, summary.UpdatedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (x is null)
        {
            return null;
        }
        var key = eventId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var overrides = await db.Overrides.AsNoTracking()
            .Where(o => o.WorkspaceId == x.WorkspaceId && ((o.Scope == OverrideScope.Click && o.Key == key) || (o.Scope == OverrideScope.Recipient && o.Key == x.Email) || (o.Scope == OverrideScope.Domain && o.Key == x.Domain)))
            .ToListAsync(cancellationToken);
        return new ClickEvidenceView(x.e.Id, x.WorkspaceId, x.e.CampaignId, x.Name, x.e.RecipientId, x.Email, x.Domain, x.Url, FromMs(x.e.OccurredAtMs),
            x.e.Ip, x.e.Ip is null ? null : catalogue.MatchNetwork(x.e.Ip)?.Owner, x.Agent, x.v.Verdict, x.v.Score,
            ReasonTable.Resolve(x.Refs, (await ReasonsOfAsync(db, [x.e.CampaignId], cancellationToken)).GetValueOrDefault(x.e.CampaignId) ?? new Dictionary<int, Reason>()),
            x.ClassifierVersion, x.SettingsHash, x.UpdatedAt, await RawRecords.ReadAsync(db, x.e, cancellationToken) ?? "", overrides,
            ClassificationService.SettingsOf(await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == x.WorkspaceId, cancellationToken)));
    }

    /// <summary>A campaign's clicks with their verdict, recipient, link and user agent: the join every click view starts from.</summary>
    private static IQueryable<ClickJoin> ClicksOf(ClickInsightsDbContext db, int campaignId) => ClicksOf(db, e => e.CampaignId == campaignId);

    /// <summary>The clicks among the given events, counted by verdict for each recipient who made them.</summary>
    internal static IQueryable<RecipientClicks> ClicksByRecipient(ClickInsightsDbContext db, IQueryable<EmailEvent> events) =>
        from e in events
        where e.Type == EventType.Click
        join v in db.ClickVerdicts on e.Id equals v.EventId
        join r in db.Recipients on e.RecipientId equals r.Id
        group v.Verdict by new { r.Id, r.Email, r.Domain } into g
        select new RecipientClicks(g.Key.Id, g.Key.Email, g.Key.Domain, g.Count(), g.Count(x => x == Verdict.Human), g.Count(x => x == Verdict.Suspect), g.Count(x => x == Verdict.Bot));

    /// <summary>The clicks among the chosen events, with their verdict, reasons, recipient, link and user agent.</summary>
    private static IQueryable<ClickJoin> ClicksOf(ClickInsightsDbContext db, System.Linq.Expressions.Expression<Func<EmailEvent, bool>> which) =>
        from e in db.Events.AsNoTracking().Where(which)
        where e.Type == EventType.Click
        join v in db.ClickVerdicts on e.Id equals v.EventId
        join s in db.CampaignReasonSets on new { v.CampaignId, Index = v.ReasonSet } equals new { s.CampaignId, s.Index }
        join r in db.Recipients on e.RecipientId equals r.Id
        join l in db.CampaignLinks on e.LinkId equals l.Id into links
        from l in links.DefaultIfEmpty()
        join u in db.UserAgents on e.UserAgentId equals u.Id into agents
        from u in agents.DefaultIfEmpty()
        select new ClickJoin { Event = e, Verdict = v, Reasons = s, Recipient = r, Url = l == null ? null : l.Url, Agent = u == null ? null : u.Value };

    private sealed class ClickJoin
    {
        public required EmailEvent Event { get; init; }
        public required ClickVerdict Verdict { get; init; }
        public required CampaignReasonSet Reasons { get; init; }
        public required Recipient Recipient { get; init; }
        public string? Url { get; init; }
        public string? Agent { get; init; }
    }

    /// <summary>The stored reasons of the given campaigns, by campaign and index.</summary>
    private static async Task<Dictionary<int, Dictionary<int, Reason>>> ReasonsOfAsync(ClickInsightsDbContext db, IReadOnlyCollection<int> campaignIds, CancellationToken cancellationToken)
    {
        var rows = await db.CampaignReasons.AsNoTracking().Where(r => campaignIds.Contains(r.CampaignId)).ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.CampaignId)
            .ToDictionary(g => g.Key, g => g.ToDictionary(r => r.Index, r => new Reason(r.Code, r.Evidence, r.Weight)));
    }

    private static DateTime FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;

    private sealed record BucketCount(int Bucket, int Verdict, int Clicks);
}
