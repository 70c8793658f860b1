using System.Globalization;
using System.Text.Json;
using ClickInsights.Core.Import;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers.Mailchimp;

/// <summary>
/// Pulls a Mailchimp account: the reports list (names, send times), and per sent campaign its links
/// (click-details), recipients (sent-to) and email activity. Pages go through <see cref="MailchimpReader"/>.
/// </summary>
/// <remarks>
/// Incremental: email activity is asked <c>since</c> the start of the last complete read; links are read once;
/// recipients until a few days after the send (bounces come in late). Pages after the first are fetched several
/// at a time, never more than Mailchimp's 10 concurrent connections per key, and stored in order.
/// </remarks>
public sealed class MailchimpSync(MailchimpClient client, ProviderLimits limits, IOptions<ProviderOptions> options) : IProviderSync
{
    private const int PageSize = 1000;
    /// <summary>Bounces reach sent-to for a while after the send.</summary>
    private static readonly TimeSpan RecipientsSettle = TimeSpan.FromDays(3);
    /// <summary>Read activity a little before the last read started, in case the clocks differ.</summary>
    private static readonly TimeSpan SinceOverlap = TimeSpan.FromMinutes(10);

    public string Provider => ProviderNames.Mailchimp;

    public RequestGate CreateGate(SyncContext context) => new(
        pacer: null,
        limits.ConcurrencyFor("mailchimp:" + MailchimpClient.ApiKeyOf(context), options.Value.MailchimpMaxConcurrency),
        dailyQuota: null,
        context.Connection.RequestsToday,
        context.Connection.RequestCountDate,
        context.Time,
        MailchimpClient.ProviderName);

    public async Task<string> TestAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var body = await client.GetAsync(context, new Uri(client.BaseUri(context), "reports?count=1&fields=total_items"), cancellationToken);
        using var json = client.Http.Parse(body, "the reports list");
        var total = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("total_items", out var t) && t.TryGetInt32(out var n) ? n : 0;
        return total == 0 ? "Connected to Mailchimp. The account has no sent campaigns yet." : $"Connected to Mailchimp: {total:N0} sent campaign(s) can be read.";
    }

    public async Task SyncAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var state = context.LoadState<State>();
        var baseUri = client.BaseUri(context);
        var now = context.Time.GetUtcNow().UtcDateTime;

        context.Report("Listing campaigns");
        var reports = new List<Report>();
        await ReadPagesAsync(context, baseUri, "reports", "reports", "the reports list", "mailchimp/reports", page =>
        {
            foreach (var r in page)
            {
                if (Text(r, "id") is { } id && (r.TryGetProperty("emails_sent", out var sent) && sent.TryGetInt32(out var n) ? n : 0) > 0)
                {
                    reports.Add(new Report(id, Text(r, "campaign_title") ?? id, Time(r, "send_time")));
                }
            }
        }, cancellationToken);

        var due = reports
            .Where(r => !(state.Campaigns.GetValueOrDefault(r.Id) is { CompletedAt: { } done } && r.SentAt is { } sentAt && done - sentAt > TimeSpan.FromDays(options.Value.RecheckDays)))
            .OrderByDescending(r => r.SentAt ?? DateTime.MinValue)
            .ToList();
        for (int i = 0; i < due.Count; i++)
        {
            var report = due[i];
            var saved = state.Campaigns.GetValueOrDefault(report.Id) ?? new CampaignState();
            var label = $"Campaign {i + 1} of {due.Count}: {report.Name}";
            var id = Uri.EscapeDataString(report.Id);
            try
            {
                if (saved.LinksAt is null)
                {
                    context.Report($"{label}, links");
                    await ReadPagesAsync(context, baseUri, $"reports/{id}/click-details", "urls_clicked", $"the links of “{report.Name}”", $"mailchimp/{report.Id}/click-details", null, cancellationToken);
                    saved.LinksAt = now;
                }
                if (saved.RecipientsAt is null || report.SentAt is null || saved.RecipientsAt < report.SentAt + RecipientsSettle)
                {
                    context.Report($"{label}, recipients");
                    await ReadPagesAsync(context, baseUri, $"reports/{id}/sent-to", "sent_to", $"the recipients of “{report.Name}”", $"mailchimp/{report.Id}/sent-to", null, cancellationToken);
                    saved.RecipientsAt = now;
                }
                context.Report($"{label}, opens and clicks");
                var since = saved.ActivitySince is { } s ? "&since=" + Uri.EscapeDataString((s - SinceOverlap).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture)) : "";
                await ReadPagesAsync(context, baseUri, $"reports/{id}/email-activity", "emails", $"the email activity of “{report.Name}”", $"mailchimp/{report.Id}/email-activity", null, cancellationToken, since);
                saved.ActivitySince = now;
                saved.CompletedAt = now;
            }
            catch (ProviderException e) when (e.Problem == ProviderProblem.NotFound)
            {
                context.Report($"{report.Name} no longer exists at Mailchimp; skipped");
            }
            state.Campaigns[report.Id] = saved;
            await context.SaveStateAsync(state, cancellationToken);
        }
    }

    /// <summary>
    /// Reads every page of a count/offset list: the first alone (it tells the total), the rest several at a time,
    /// each imported in order as it would be from a file.
    /// </summary>
    private async Task ReadPagesAsync(SyncContext context, Uri baseUri, string path, string array, string what, string fileStem,
        Action<List<JsonElement>>? onPage, CancellationToken cancellationToken, string extraQuery = "")
    {
        Uri PageUrl(int offset) => new(baseUri, $"{path}?count={PageSize}&offset={offset}{extraQuery}");

        var first = await client.GetAsync(context, PageUrl(0), cancellationToken);
        var (total, received) = await StoreAsync(first, 1);
        if (received == 0 || received >= total)
        {
            return;
        }
        // The provider may send fewer than asked for: its first page tells its page size.
        var pageSize = received;
        var offsets = new List<int>();
        for (int offset = pageSize; offset < total; offset += pageSize)
        {
            offsets.Add(offset);
        }
        int pageNumber = 1;
        foreach (var window in offsets.Chunk(options.Value.MailchimpMaxConcurrency))
        {
            var bodies = await Task.WhenAll(window.Select(offset => client.GetAsync(context, PageUrl(offset), cancellationToken)));
            foreach (var body in bodies)
            {
                await StoreAsync(body, ++pageNumber);
            }
        }

        async Task<(int Total, int Received)> StoreAsync(byte[] body, int page)
        {
            var pageWhat = $"{what} (page {page})";
            int total, received;
            using (var json = client.Http.Parse(body, pageWhat))
            {
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(array, out var items) || items.ValueKind != JsonValueKind.Array)
                {
                    throw client.Http.Unexpected(pageWhat, $"an object with a \"{array}\" list");
                }
                var list = items.EnumerateArray().ToList();
                received = list.Count;
                total = root.TryGetProperty("total_items", out var t) && t.TryGetInt32(out var n) ? n : received;
                onPage?.Invoke(list);
            }
            if (received > 0)
            {
                await context.ImportPageAsync(body, $"{fileStem}/page-{page}.json", cancellationToken);
            }
            else
            {
                context.CountEmptyPage();
            }
            return (total, received);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTime? Time(JsonElement element, string name) =>
        Text(element, name) is { Length: > 0 } text && ImportJson.TryParseIsoTime(text, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime : null;

    private sealed record Report(string Id, string Name, DateTime? SentAt);

    public sealed class State
    {
        public Dictionary<string, CampaignState> Campaigns { get; set; } = [];
    }

    public sealed class CampaignState
    {
        public DateTime? LinksAt { get; set; }
        public DateTime? RecipientsAt { get; set; }
        /// <summary>When the last complete read of the email activity started; the next asks only for what came since.</summary>
        public DateTime? ActivitySince { get; set; }
        public DateTime? CompletedAt { get; set; }
    }
}
