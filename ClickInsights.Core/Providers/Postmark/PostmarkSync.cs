using System.Text.Json;
using ClickInsights.Core.Import;

namespace ClickInsights.Core.Providers.Postmark;

/// <summary>
/// Pulls Postmark's click records (<c>GET /messages/outbound/clicks?count&amp;offset</c>) through
/// <see cref="PostmarkReader"/>. Newest first: a later sync stops at the first page that reaches what it read before.
/// Postmark lets the offset go no further than 10,000 records.
/// </summary>
public sealed class PostmarkSync(PostmarkClient client) : IProviderSync
{
    private const int PageSize = 500;
    private const int MaxRecords = 10_000;

    public string Provider => ProviderNames.Postmark;

    public RequestGate CreateGate(SyncContext context) => new(null, null, null, context.Connection.RequestsToday, context.Connection.RequestCountDate, context.Time, PostmarkClient.ProviderName);

    public async Task<string> TestAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var body = await client.GetAsync(context, new Uri(client.BaseUri(context), "messages/outbound/clicks?count=1&offset=0"), cancellationToken);
        using var json = client.Http.Parse(body, "the clicks list");
        var total = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("TotalCount", out var t) && t.TryGetInt32(out var n) ? n : 0;
        return $"Connected to Postmark: {total:N0} click record(s) can be read.";
    }

    public async Task SyncAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var state = context.LoadState<State>();
        var baseUri = client.BaseUri(context);
        long? newest = state.Newest;
        int read = 0, total = 0;
        bool reachedEnd = false;
        // Advance by what came, not by what was asked for: a page may hold fewer than PageSize.
        for (int offset = 0, page = 1, count = 0; offset < MaxRecords; offset += count, page++)
        {
            var what = $"the clicks list (page {page})";
            context.Report($"Clicks, page {page}");
            var body = await client.GetAsync(context, new Uri(baseUri, $"messages/outbound/clicks?count={Math.Min(PageSize, MaxRecords - offset)}&offset={offset}"), cancellationToken);
            List<long> times;
            using (var json = client.Http.Parse(body, what))
            {
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Clicks", out var clicks) || clicks.ValueKind != JsonValueKind.Array)
                {
                    throw client.Http.Unexpected(what, "an object with a \"Clicks\" list");
                }
                var items = clicks.EnumerateArray().ToList();
                count = items.Count;
                total = root.TryGetProperty("TotalCount", out var t) && t.TryGetInt32(out var n) ? n : count;
                times = items
                    .Select(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("ReceivedAt", out var r) && r.ValueKind == JsonValueKind.String && ImportJson.TryParseIsoTime(r.GetString()!, out var ms) ? ms : (long?)null)
                    .OfType<long>()
                    .ToList();
            }
            if (count == 0)
            {
                context.CountEmptyPage();
                reachedEnd = true;
                break;
            }
            read = offset + count;
            await context.ImportPageAsync(body, $"postmark/clicks/page-{page}.json", cancellationToken);
            if (times.Count > 0)
            {
                newest = Math.Max(newest ?? long.MinValue, times.Max());
            }
            bool newestFirst = times.Count >= 2 && times[0] >= times[^1];
            // Postmark's times have 100 ns precision: reaching the newest time seen means reaching what was read.
            if (offset + count >= total || (newestFirst && state.Newest is { } seen && times.Min() <= seen))
            {
                reachedEnd = true;
                break;
            }
        }
        if (!reachedEnd && total > read)
        {
            // Postmark serves no record past the 10,000th of the list: older ones are out of reach.
            context.Notes.Add($"Postmark gives only its newest {MaxRecords:N0} click records; up to {total - read:N0} older ones " +
                $"{(state.Newest is null ? "" : "since the last fetch ")}could not be read. A shorter fetch interval keeps fewer from piling up in between.");
        }
        state.Newest = newest;
        await context.SaveStateAsync(state, cancellationToken);
    }

    public sealed class State
    {
        /// <summary>The newest click time read (Unix ms).</summary>
        public long? Newest { get; set; }
    }
}
