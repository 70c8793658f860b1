using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Domains;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Reports;

/// <summary>A recipient domain over a report's period: its clicks by verdict and the campaigns its scanner clicks fell in.</summary>
/// <param name="ShareOfScannerClicks">The domain's scanner clicks as a share of all the period's scanner clicks.</param>
public sealed record ReportDomain(string Domain, string? Gateway, int Clicks, int HumanClicks, int SuspectClicks, int BotClicks, int CampaignsAffected, double ShareOfScannerClicks)
{
    public double BotShare => Clicks == 0 ? 0 : (double)BotClicks / Clicks;
}

/// <summary>An unsubscribe that came within a minute of a scanner's clicks of the same recipient, with its campaign.</summary>
public sealed record ReportUnsubscribe(string CampaignName, string Email, DateTime At, int ScannerClicksNearby);

/// <summary>What can be done about one gateway's clicks, and the public source that says how the gateway behaves.</summary>
public sealed record GatewayAdvice(string Gateway, string Behaviour, string Advice, string SourceName, string? SourceUrl);

/// <summary>
/// A workspace's report over a period: every campaign sent in it (reported and real figures), the recipient domains
/// that inflate clicks ranked by scanner clicks, the advice per gateway, and the unsubscribes that fell in a scanner burst.
/// </summary>
public sealed record WorkspaceReportData(
    string WorkspaceName,
    string? SendingDomain,
    bool Simulated,
    DateOnly? From,
    DateOnly? To,
    DateTime MadeAt,
    IReadOnlyList<CampaignRow> Campaigns,
    int DistinctPeople,
    IReadOnlyList<ReportDomain> Domains,
    IReadOnlyList<GatewayAdvice> Advice,
    IReadOnlyList<ReportUnsubscribe> Unsubscribes)
{
    public string ClassifierVersion => ClickClassifier.Version;
    public int Delivered => Campaigns.Sum(c => c.Delivered);
    public int ReportedClickers => Campaigns.Sum(c => c.UniqueClickers);
    public int PeopleClickers => Campaigns.Sum(c => c.HumanClickers);
    public int Clicks => Campaigns.Sum(c => c.Clicks);
    public int HumanClicks => Campaigns.Sum(c => c.HumanClicks);
    public int SuspectClicks => Campaigns.Sum(c => c.SuspectClicks);
    public int BotClicks => Campaigns.Sum(c => c.BotClicks);
    /// <summary>Campaigns whose delivered count a person entered (clicks-only files).</summary>
    public int DeliveredByHand => Campaigns.Count(c => c.DeliveredByHand);
    /// <summary>Campaigns without a delivered count: left out of the rates.</summary>
    public int WithoutDelivered => Campaigns.Count(c => c.Delivered == 0);
    /// <summary>Of the deliveries of campaigns that have a delivered count, the share a person clicked (per campaign, added up).</summary>
    public double? RealClickRate => RatedDelivered == 0 ? null : (double)RatedPeopleClickers / RatedDelivered;
    public double? ReportedClickRate => RatedDelivered == 0 ? null : (double)RatedReportedClickers / RatedDelivered;
    /// <summary>People who clicked, per campaign and added up, in the campaigns that have a delivered count.</summary>
    public int RatedPeopleClickers => Campaigns.Where(c => c.Delivered > 0).Sum(c => c.HumanClickers);
    public int RatedReportedClickers => Campaigns.Where(c => c.Delivered > 0).Sum(c => c.UniqueClickers);
    private int RatedDelivered => Campaigns.Where(c => c.Delivered > 0).Sum(c => c.Delivered);
}

public sealed class WorkspaceReport(IDbContextFactory<ClickInsightsDbContext> dbFactory, ReportService reports, ClickReports clicks, TimeProvider time)
{
    /// <summary>How many domains the report ranks at most.</summary>
    public const int MaxDomains = 25;

    /// <param name="from">First day (UTC) of the period, inclusive; null: from the first campaign.</param>
    /// <param name="to">Last day (UTC) of the period, inclusive; null: up to the last campaign.</param>
    /// <returns>Null when there is no such workspace.</returns>
    public async Task<WorkspaceReportData?> MakeAsync(int workspaceId, DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspace = await db.Workspaces.AsNoTracking().FirstOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
        if (workspace is null)
        {
            return null;
        }
        var campaigns = (await reports.CampaignsAsync(workspaceId, cancellationToken))
            .Where(c => InPeriod(c.SentOrFirstEventAt, from, to))
            .ToList();
        var ids = campaigns.Select(c => c.Id).ToList();

        var domainRows = await db.CampaignBreakdowns.AsNoTracking()
            .Where(b => ids.Contains(b.CampaignId) && b.Kind == BreakdownKind.Domain)
            .GroupBy(b => b.Key)
            .Select(g => new
            {
                Domain = g.Key,
                Clicks = g.Sum(x => x.Clicks),
                Human = g.Sum(x => x.HumanClicks),
                Suspect = g.Sum(x => x.SuspectClicks),
                Bot = g.Sum(x => x.BotClicks),
                Affected = g.Count(x => x.BotClicks > 0),
            })
            .Where(d => d.Bot > 0)
            .ToListAsync(cancellationToken);
        var top = domainRows.OrderByDescending(d => d.Bot).ThenByDescending(d => d.Clicks).ThenBy(d => d.Domain, StringComparer.Ordinal).Take(MaxDomains).ToList();
        var topDomains = top.Select(d => d.Domain).ToList();
        var gateways = await db.DomainGateways.AsNoTracking().Where(g => topDomains.Contains(g.Domain)).ToDictionaryAsync(g => g.Domain, g => g.Gateway, cancellationToken);
        var allBots = campaigns.Sum(c => c.BotClicks);
        var domains = top.Select(d => new ReportDomain(d.Domain, gateways.GetValueOrDefault(d.Domain), d.Clicks, d.Human, d.Suspect, d.Bot, d.Affected,
            allBots == 0 ? 0 : (double)d.Bot / allBots)).ToList();

        // Distinct people over the period: a person who clicked in three campaigns is one person here.
        var people = ids.Count == 0 ? 0 : await (
            from e in db.Events.AsNoTracking()
            join v in db.ClickVerdicts on e.Id equals v.EventId
            where ids.Contains(v.CampaignId) && v.Verdict == Verdict.Human
            select e.RecipientId).Distinct().CountAsync(cancellationToken);

        var names = campaigns.ToDictionary(c => c.Id, c => c.Name);
        var unsubscribes = (await clicks.UnsubscribesInBurstsAsync(ids, cancellationToken))
            .Select(u => new ReportUnsubscribe(names[u.CampaignId], u.Email, u.At, u.BotClicksNearby))
            .ToList();

        var advice = domains.Select(d => d.Gateway).Distinct().Select(Gateways.AdviceFor).OfType<GatewayAdvice>().ToList();
        return new WorkspaceReportData(workspace.Name, workspace.SendingDomain, workspace.IsDemo, from, to, time.GetUtcNow().UtcDateTime,
            campaigns, people, domains, advice, unsubscribes);
    }

    private static bool InPeriod(DateTime? at, DateOnly? from, DateOnly? to)
    {
        if (from is null && to is null)
        {
            return true;
        }
        if (at is not { } when)
        {
            return false;
        }
        var day = DateOnly.FromDateTime(when);
        return (from is null || day >= from) && (to is null || day <= to);
    }
}

/// <summary>What each link-checking gateway does to a sender's clicks, what can be done, and the public source.</summary>
public static class Gateways
{
    public static GatewayAdvice? AdviceFor(string? gateway) => gateway switch
    {
        "Microsoft 365" => new(gateway,
            "Microsoft Defender for Office 365 (Safe Links) checks every link of an email before or just after delivery, from Microsoft's own networks, often with an old browser's name or none.",
            "Nothing the sender sets stops it, SPF, DKIM and DMARC included. Count the people, not the clicks; for the recipient's IT, the per-domain evidence shows the checks came from Microsoft's filtering networks within seconds of delivery.",
            "Microsoft Learn: Safe Links in Microsoft Defender for Office 365 (\"URLs are scanned prior to message delivery, regardless of whether the URLs are rewritten\")",
            "https://learn.microsoft.com/en-us/defender-office-365/safe-links-about"),
        "Mimecast" => new(gateway,
            "Mimecast URL Protect checks a link at the time of each click: its fetch arrives a moment before the person's own click on the same link.",
            "Each check comes with a real person behind it: ClickInsights counts the person and leaves out the check. Nothing to change.",
            "Mimecast URL Protect documentation (time-of-click checks)", null),
        "Proofpoint" => new(gateway,
            "Proofpoint checks links at the time of click and checks a few links of an email in advance; it can change UTM codes.",
            "Do not rely on UTM codes alone to attribute clicks from these recipients; count the people, not the clicks.",
            "Mautic issue 9798 (Proofpoint scrambles UTM codes; scanners follow unsubscribe links)", "https://github.com/mautic/mautic/issues/9798"),
        "Barracuda" => new(gateway,
            "Barracuda's Email Security Service clicks the first link of an email only, often \"View in browser\", and does not name itself.",
            "Put a link whose clicks do not matter first (\"View in browser\"), so the check lands there and not on your offer.",
            "Act-On help: bot clicks and security scanners (Barracuda clicks the first link)", null),
        "Cisco" or "Trend Micro" or "Symantec/Broadcom" or "Sophos" or "Forcepoint" or "Hornetsecurity" or "Trellix" or "Trustwave" or "SpamTitan" or "SolarWinds" or "Cloudflare Area 1" => new(gateway,
            $"{gateway} is a mail security gateway; gateways like it check links of incoming mail.",
            "Count the people, not the clicks; the per-domain evidence shows the recipient's IT when and from where the links were fetched.",
            "Gophish issue 2853 (forwarding, replying and phishing-report buttons also create clicks)", "https://github.com/gophish/gophish/issues/2853"),
        _ => null,
    };

    /// <summary>The gateway as a reader would name it, the same on every page, report and export; "Unknown" is no gateway ClickInsights knows.</summary>
    public static string Name(string? gateway) => gateway switch
    {
        null => "not looked up yet",
        GatewayResolver.Unknown => "no known security gateway",
        _ => gateway,
    };
}
