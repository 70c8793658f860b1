using System.Globalization;
using System.Text.Json;
using ClickInsights.Core.Import;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Providers.Mailgun;

/// <summary>
/// Pulls a Mailgun domain's events (<c>GET /v3/{domain}/events</c>, oldest first, following <c>paging.next</c> until a
/// page is empty). Mailgun indexes events late, so the newest <see cref="ProviderOptions.MailgunNotFinal"/> are
/// stored now but read again next time. Pages go through <see cref="MailgunReader"/>.
/// </summary>
public sealed class MailgunSync(MailgunClient client, IOptions<ProviderOptions> options) : IProviderSync
{
    public string Provider => ProviderNames.Mailgun;

    public RequestGate CreateGate(SyncContext context) => new(null, null, null, context.Connection.RequestsToday, context.Connection.RequestCountDate, context.Time, MailgunClient.ProviderName);

    private static string DomainOf(SyncContext context) =>
        context.RequiredSetting(SettingNames.Domain, "Enter the Mailgun sending domain (for example mg.example.com).");

    public async Task<string> TestAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var domain = DomainOf(context);
        var body = await client.GetAsync(context, new Uri(client.BaseUri(context), $"v3/{Uri.EscapeDataString(domain)}/events?limit=1"), cancellationToken);
        using var json = client.Http.Parse(body, "the events list");
        Items(json.RootElement, "the events list");
        return $"Connected to Mailgun: events of {domain} can be read.";
    }

    public async Task SyncAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var state = context.LoadState<State>();
        var domain = DomainOf(context);
        var baseUri = client.BaseUri(context);
        var now = context.Time.GetUtcNow();
        var begin = state.Begin ?? now.AddDays(-options.Value.FirstSyncDays);
        var url = new Uri(baseUri, $"v3/{Uri.EscapeDataString(domain)}/events?begin={begin.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}&ascending=yes&limit=300");
        for (int page = 1; ; page++)
        {
            var what = $"the events list (page {page})";
            context.Report($"Events of {domain}, page {page}");
            var body = await client.GetAsync(context, url, cancellationToken);
            string? next;
            int count;
            using (var json = client.Http.Parse(body, what))
            {
                count = Items(json.RootElement, what).Count();
                next = json.RootElement.TryGetProperty("paging", out var paging) && paging.ValueKind == JsonValueKind.Object
                    && paging.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            }
            if (count == 0)
            {
                context.CountEmptyPage();
                break;
            }
            await context.ImportPageAsync(body, $"mailgun/{domain}/events/page-{page}.json", cancellationToken);
            if (next is null)
            {
                break;
            }
            url = client.Http.ResolveNext(baseUri, next);
        }
        var final = now - options.Value.MailgunNotFinal;
        state.Begin = final > begin ? final : begin;
        await context.SaveStateAsync(state, cancellationToken);
    }

    private IEnumerable<JsonElement> Items(JsonElement root, string what) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray()
            : throw client.Http.Unexpected(what, "an object with an \"items\" list");

    public sealed class State
    {
        /// <summary>Events before this are final and read; the next sync begins here.</summary>
        public DateTimeOffset? Begin { get; set; }
    }
}
