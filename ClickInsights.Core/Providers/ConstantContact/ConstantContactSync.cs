using System.Text.Json;
using ClickInsights.Core.Import;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers.ConstantContact;

/// <summary>
/// Pulls a Constant Contact account: campaigns (<c>/emails</c>), their primary and resend activities
/// (<c>/emails/{id}</c>), and per activity the sends, bounces, opens, clicks and opt-outs reports and the link list.
/// Every page goes through <see cref="ConstantContactReader"/>, as a file of the same name would.
/// </summary>
/// <remarks>
/// Incremental: the reports have no "since" filter, so each report remembers the newest time it saw and the order
/// pages come in. Newest-first reports are read until a page reaches what was seen (an older record, or only
/// known records no newer than it); oldest-first ones resume at the last page read. Campaigns quiet for <see cref="ProviderOptions.RecheckDays"/> and read completely since
/// are not read again. Requests are paced to the per-second limit and counted against the daily quota.
/// </remarks>
public sealed class ConstantContactSync(ConstantContactClient client, ProviderLimits limits, IOptions<ProviderOptions> options) : IProviderSync
{
    private static readonly string[] Reports = ["sends", "bounces", "opens", "clicks", "optouts"];
    private static readonly string[] ReportedRoles = ["primary_email", "resend"];
    private static readonly string[] UnsentStatuses = ["draft", "scheduled", "removed", "error"];

    public string Provider => ProviderNames.ConstantContact;

    public RequestGate CreateGate(SyncContext context) => new(
        limits.PacerFor("constantcontact:" + (context.Setting(SettingNames.ClientId) ?? context.ConnectionId.ToString()), options.Value.ConstantContactRequestsPerSecond),
        concurrency: null,
        options.Value.ConstantContactDailyQuota,
        context.Connection.RequestsToday,
        context.Connection.RequestCountDate,
        context.Time,
        ConstantContactClient.ProviderName);

    public async Task<string> TestAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var body = await client.GetAsync(context, new Uri(client.BaseUri(context), "emails?limit=50"), cancellationToken);
        using var json = client.Http.Parse(body, "the campaign list");
        var count = Items(json.RootElement, "campaigns", "the campaign list").Count();
        var more = Next(json.RootElement) is not null;
        return count == 0
            ? "Connected to Constant Contact. The account has no campaigns yet."
            : $"Connected to Constant Contact: {count}{(more ? " or more" : "")} campaign(s) can be read.";
    }

    public async Task SyncAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var state = context.LoadState<State>();
        var baseUri = client.BaseUri(context);
        var now = context.Time.GetUtcNow().UtcDateTime;

        context.Report("Listing campaigns");
        var campaigns = await CampaignsAsync(context, baseUri, cancellationToken);
        var sent = campaigns.Where(c => !UnsentStatuses.Contains(c.Status, StringComparer.OrdinalIgnoreCase)).ToList();
        for (int i = 0; i < sent.Count; i++)
        {
            var campaign = sent[i];
            var saved = state.Campaigns.GetValueOrDefault(campaign.Id) ?? new CampaignState();
            if (saved.CompletedAt is { } done && campaign.UpdatedAt is { } updated && done - updated > TimeSpan.FromDays(options.Value.RecheckDays))
            {
                continue;
            }
            context.Report($"Campaign {i + 1} of {sent.Count}: {campaign.Name}");
            try
            {
                if (saved.Activities.Count == 0 || saved.UpdatedAt != campaign.UpdatedAt)
                {
                    saved.Activities = await ActivitiesAsync(context, baseUri, campaign, saved.Activities, cancellationToken);
                    saved.UpdatedAt = campaign.UpdatedAt;
                }
                foreach (var activity in saved.Activities)
                {
                    foreach (var report in Reports)
                    {
                        context.Report($"Campaign {i + 1} of {sent.Count}: {campaign.Name}, {ReportName(report)}");
                        await SyncReportAsync(context, baseUri, campaign, activity, report, cancellationToken);
                    }
                    if (!activity.LinksFetched)
                    {
                        var links = await client.GetAsync(context, new Uri(baseUri, $"reports/email_reports/{Uri.EscapeDataString(activity.Id)}/links?no_clicks=true"), cancellationToken);
                        using (var json = client.Http.Parse(links, $"the link list of “{campaign.Name}”"))
                        {
                            Items(json.RootElement, "link_click_counts", $"the link list of “{campaign.Name}”");
                        }
                        // The links report does not name its activity; the file name does, as for a saved file.
                        await context.ImportPageAsync(links, $"constantcontact/{activity.Id}/links.json", cancellationToken);
                        activity.LinksFetched = true;
                    }
                    await context.NameCampaignAsync(ProviderNames.ConstantContact, activity.Id,
                        activity.Role == "resend" ? $"{campaign.Name} (resend)" : campaign.Name, cancellationToken);
                    state.Campaigns[campaign.Id] = saved;
                    await context.SaveStateAsync(state, cancellationToken);
                }
            }
            catch (ProviderException e) when (e.Problem == ProviderProblem.NotFound)
            {
                // Deleted while we were reading: nothing more to fetch for it.
                context.Report($"Campaign {campaign.Name} no longer exists at Constant Contact; skipped");
            }
            saved.CompletedAt = now;
            state.Campaigns[campaign.Id] = saved;
            await context.SaveStateAsync(state, cancellationToken);
        }
    }

    private static string ReportName(string report) => report switch
    {
        "sends" => "sends",
        "bounces" => "bounces",
        "opens" => "opens",
        "clicks" => "clicks",
        _ => "opt-outs",
    };

    private async Task SyncReportAsync(SyncContext context, Uri baseUri, Campaign campaign, ActivityState activity, string report, CancellationToken cancellationToken)
    {
        var saved = activity.Reports.GetValueOrDefault(report) ?? new ReportState();
        var first = new Uri(baseUri, $"reports/email_reports/{Uri.EscapeDataString(activity.Id)}/tracking/{report}?limit=500");
        var resuming = saved.Order == Order.OldestFirst && saved.ResumeAt is not null;
        var url = resuming ? client.Http.ResolveNext(baseUri, saved.ResumeAt!) : first;
        var newest = saved.Newest;
        var order = saved.Order;
        // Identical records (same contact, link and minute) are numbered over the whole report, not page by page; a run
        // that resumes at a remembered page goes on from the counts that page started with.
        var numbering = new ContentNumbering(resuming ? saved.ResumeCounts : null);
        for (int page = 1; ; page++)
        {
            numbering.StartPage();
            var what = $"the {ReportName(report)} report of “{campaign.Name}” (page {page})";
            byte[] body;
            try
            {
                body = await client.GetAsync(context, url, cancellationToken);
            }
            catch (ProviderException e) when (e.Problem is ProviderProblem.NotFound or ProviderProblem.BadData && url != first)
            {
                // A remembered page link that no longer works: read the report from its start instead.
                url = first;
                numbering = new ContentNumbering();
                numbering.StartPage();
                body = await client.GetAsync(context, url, cancellationToken);
            }
            List<long> times;
            string? next;
            int count;
            using (var json = client.Http.Parse(body, what))
            {
                var items = Items(json.RootElement, "tracking_activities", what).ToList();
                count = items.Count;
                times = items
                    .Select(a => a.ValueKind == JsonValueKind.Object && a.TryGetProperty("created_time", out var t) && t.ValueKind == JsonValueKind.String && ImportJson.TryParseIsoTime(t.GetString()!, out var ms) ? ms : (long?)null)
                    .OfType<long>()
                    .ToList();
                next = Next(json.RootElement);
            }
            int added = 0;
            if (count > 0)
            {
                added = (await context.ImportPageAsync(body, $"constantcontact/{activity.Id}/{report}/page-{page}.json", cancellationToken, numbering))?.EventsAdded ?? 0;
            }
            else
            {
                context.CountEmptyPage();
            }
            order ??= OrderOf(times);
            if (times.Count > 0)
            {
                newest = Math.Max(newest ?? long.MinValue, times.Max());
            }
            if (next is null)
            {
                saved.ResumeAt = order == Order.OldestFirst ? url.PathAndQuery : null;
                saved.ResumeCounts = saved.ResumeAt is null ? null : new(numbering.AtPageStart);
                break;
            }
            if (order != Order.OldestFirst && saved.Newest is { } seen && times.Count > 0 && (times.Min() < seen || (added == 0 && times.Max() <= seen)))
            {
                // Newest first, and this page reached what the last sync read: the rest is older still. Times are
                // often whole minutes, so a page of equal times counts as reached only when it brought nothing new.
                break;
            }
            url = client.Http.ResolveNext(baseUri, next);
        }
        saved.Newest = newest;
        saved.Order = order;
        activity.Reports[report] = saved;
    }

    private static Order? OrderOf(List<long> times) =>
        times.Count < 2 || times[0] == times[^1] ? null
        : times[0] > times[^1] ? Order.NewestFirst
        : Order.OldestFirst;

    private async Task<List<Campaign>> CampaignsAsync(SyncContext context, Uri baseUri, CancellationToken cancellationToken)
    {
        var campaigns = new List<Campaign>();
        var url = new Uri(baseUri, "emails?limit=500");
        for (int page = 1; ; page++)
        {
            var what = $"the campaign list (page {page})";
            var body = await client.GetAsync(context, url, cancellationToken);
            using var json = client.Http.Parse(body, what);
            foreach (var c in Items(json.RootElement, "campaigns", what))
            {
                var id = Text(c, "campaign_id") ?? throw client.Http.Unexpected(what, "a \"campaign_id\" on every campaign");
                campaigns.Add(new Campaign(id, Text(c, "name") ?? id, Text(c, "current_status") ?? "", Time(c, "updated_at") ?? Time(c, "created_at")));
            }
            if (Next(json.RootElement) is not { } next)
            {
                break;
            }
            url = client.Http.ResolveNext(baseUri, next);
        }
        // Recent campaigns first: when the daily quota runs short, they matter most.
        return campaigns.OrderByDescending(c => c.UpdatedAt ?? DateTime.MinValue).ToList();
    }

    private async Task<List<ActivityState>> ActivitiesAsync(SyncContext context, Uri baseUri, Campaign campaign, List<ActivityState> known, CancellationToken cancellationToken)
    {
        var what = $"the details of “{campaign.Name}”";
        var body = await client.GetAsync(context, new Uri(baseUri, $"emails/{Uri.EscapeDataString(campaign.Id)}"), cancellationToken);
        using var json = client.Http.Parse(body, what);
        var activities = new List<ActivityState>();
        foreach (var a in Items(json.RootElement, "campaign_activities", what))
        {
            var id = Text(a, "campaign_activity_id");
            var role = Text(a, "role");
            if (id is not null && role is not null && ReportedRoles.Contains(role))
            {
                activities.Add(known.FirstOrDefault(k => k.Id == id) ?? new ActivityState { Id = id, Role = role });
            }
        }
        return activities;
    }

    private IEnumerable<JsonElement> Items(JsonElement root, string array, string what) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(array, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray()
            : throw client.Http.Unexpected(what, $"an object with a \"{array}\" list");

    private static string? Next(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("_links", out var links) && links.ValueKind == JsonValueKind.Object
        && links.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.Object
        && next.TryGetProperty("href", out var href) && href.ValueKind == JsonValueKind.String && href.GetString() is { Length: > 0 } text
            ? text
            : null;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTime? Time(JsonElement element, string name) =>
        Text(element, name) is { } text && ImportJson.TryParseIsoTime(text, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime : null;

    private sealed record Campaign(string Id, string Name, string Status, DateTime? UpdatedAt);

    public enum Order
    {
        NewestFirst,
        OldestFirst,
    }

    /// <summary>Where the last sync got to, per campaign, activity and report (stored as the connection's sync state).</summary>
    public sealed class State
    {
        public Dictionary<string, CampaignState> Campaigns { get; set; } = [];
    }

    public sealed class CampaignState
    {
        public DateTime? UpdatedAt { get; set; }
        /// <summary>When every report of the campaign was last read to the end.</summary>
        public DateTime? CompletedAt { get; set; }
        public List<ActivityState> Activities { get; set; } = [];
    }

    public sealed class ActivityState
    {
        public string Id { get; set; } = "";
        public string Role { get; set; } = "";
        public bool LinksFetched { get; set; }
        public Dictionary<string, ReportState> Reports { get; set; } = [];
    }

    public sealed class ReportState
    {
        /// <summary>The newest activity time read (Unix ms).</summary>
        public long? Newest { get; set; }
        public Order? Order { get; set; }
        /// <summary>For oldest-first reports: the last page read, where the next sync starts again.</summary>
        public string? ResumeAt { get; set; }
        /// <summary>How often each identical record came before <see cref="ResumeAt"/>'s page (<see cref="ContentNumbering.AtPageStart"/>).</summary>
        public Dictionary<string, int>? ResumeCounts { get; set; }
    }
}
