using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClickInsights.Tests.Sync;

/// <summary>
/// Mailchimp Marketing API 3.0 as documented: HTTP Basic with the key as password, <c>count</c>/<c>offset</c> paging
/// with <c>total_items</c>, <c>since</c> on email-activity. It sends at most <see cref="PageCap"/> items a page.
/// Served under <c>/{dc}/3.0</c>, so that the data centre in the host name is visible in the path.
/// </summary>
public sealed class FakeMailchimp
{
    public const string ApiKey = "0123456789abcdef0123456789abcdef-us14";
    public const string CampaignId = "42694e9e57";
    public const string EmptyCampaignId = "b03bfc273a";
    public static readonly string[] Links = ["https://bakery.example/autumn", "https://bakery.example/order", "https://bakery.example/hours"];
    private static readonly DateTime Sent = new(2026, 3, 2, 14, 0, 0, DateTimeKind.Utc);

    private readonly List<(string Email, List<(string Action, DateTime At, string? Url, string? Ip)> Activity)> _members = [];

    public FakeServer Server { get; private set; } = null!;
    public int PageCap { get; init; } = 4;
    public TimeSpan Delay { get; init; }
    public int ThrottleFirst { get; set; }
    public List<string> Since { get; } = [];

    /// <summary>The API root the options template gives for the key's data centre: <c>…/{dc}/3.0</c>.</summary>
    public string ApiTemplate => Server.BaseUrl + "/{dc}/3.0";

    public static async Task<FakeMailchimp> StartAsync(int people = 10, int pageCap = 4, TimeSpan delay = default)
    {
        var fake = new FakeMailchimp { PageCap = pageCap, Delay = delay };
        fake.Seed(people);
        fake.Server = await FakeServer.StartAsync(fake.Map);
        return fake;
    }

    private void Seed(int people)
    {
        for (int i = 0; i < people; i++)
        {
            var scanned = i % 3 == 0;
            var email = scanned ? $"staff{i}@bigcorp.example" : $"friend{i}@home{i % 4}.example";
            var activity = new List<(string, DateTime, string?, string?)>();
            if (scanned)
            {
                // A mail filter: every link within two seconds, from Microsoft's filtering network.
                activity.Add(("open", Sent.AddSeconds(20), null, "40.94.31.7"));
                for (int l = 0; l < Links.Length; l++)
                {
                    activity.Add(("click", Sent.AddSeconds(21 + l / 2.0), Links[l], "40.94.31.7"));
                }
            }
            else if (i % 3 == 1)
            {
                activity.Add(("open", Sent.AddHours(2 + i), null, $"81.2.{i}.9"));
                activity.Add(("click", Sent.AddHours(2 + i).AddMinutes(1), Links[i % Links.Length], $"81.2.{i}.9"));
            }
            else if (i == 2)
            {
                activity.Add(("bounce", Sent.AddMinutes(1), null, null));
            }
            _members.Add((email, activity));
        }
    }

    public void AddActivity(string email, string action, DateTime at, string? url, string? ip) =>
        _members.First(m => m.Email == email).Activity.Add((action, at, url, ip));

    public string ReportsPage() => $$"""
        {"reports": [
          {"id": "{{CampaignId}}", "campaign_title": "Autumn Newsletter", "type": "regular", "list_id": "57afe96172", "emails_sent": {{_members.Count}}, "send_time": "2026-03-02T14:00:00+00:00", "opens": {"opens_total": 5, "proxy_excluded_opens": 0}, "_links": []},
          {"id": "{{EmptyCampaignId}}", "campaign_title": "Winter draft", "type": "regular", "emails_sent": 0, "send_time": "", "_links": []}
         ], "total_items": 2, "_links": []}
        """;

    public string ClickDetailsPage() =>
        $$"""{"urls_clicked": [{{string.Join(", ", Links.Select((l, i) => $$"""{"id": "u{{i}}", "url": "{{l}}", "total_clicks": 1, "unique_clicks": 1, "campaign_id": "{{CampaignId}}", "_links": []}"""))}}], "campaign_id": "{{CampaignId}}", "total_items": {{Links.Length}}, "_links": []}""";

    public string SentToPage(int offset, int count)
    {
        var page = _members.Skip(offset).Take(Math.Min(count, PageCap)).Select(m =>
            $$"""{"email_id": "{{Md5(m.Email)}}", "email_address": "{{m.Email}}", "status": "{{(m.Activity.Any(a => a.Action == "bounce") ? "hard" : "sent")}}", "open_count": 0, "campaign_id": "{{CampaignId}}", "list_id": "57afe96172", "_links": []}""");
        return $$"""{"sent_to": [{{string.Join(", ", page)}}], "campaign_id": "{{CampaignId}}", "total_items": {{_members.Count}}, "_links": []}""";
    }

    public string ActivityPage(int offset, int count, DateTime? since = null)
    {
        var members = _members
            .Select(m => (m.Email, Activity: m.Activity.Where(a => since is null || a.At > since).OrderBy(a => a.At).ToList()))
            .Where(m => since is null || m.Activity.Count > 0)
            .ToList();
        var page = members.Skip(offset).Take(Math.Min(count, PageCap)).Select(m =>
            $$"""{"campaign_id": "{{CampaignId}}", "list_id": "57afe96172", "list_is_active": true, "email_id": "{{Md5(m.Email)}}", "email_address": "{{m.Email}}", "activity": [{{string.Join(", ", m.Activity.Select(Activity))}}], "_links": []}""");
        return $$"""{"emails": [{{string.Join(", ", page)}}], "campaign_id": "{{CampaignId}}", "total_items": {{members.Count}}, "_links": []}""";
    }

    private static string Activity((string Action, DateTime At, string? Url, string? Ip) a) =>
        "{" + string.Join(", ", new[]
        {
            $"\"action\": \"{a.Action}\"",
            a.Action == "bounce" ? "\"type\": \"hard\"" : null,
            $"\"timestamp\": \"{a.At.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture)}+00:00\"",
            a.Url is null ? null : $"\"url\": \"{a.Url}\"",
            a.Ip is null ? null : $"\"ip\": \"{a.Ip}\"",
        }.OfType<string>()) + "}";

    /// <summary>Every page the sync reads, named as it names them.</summary>
    public IEnumerable<(string FileName, string Json)> AllPages()
    {
        yield return ("mailchimp/reports/page-1.json", ReportsPage());
        yield return ($"mailchimp/{CampaignId}/click-details/page-1.json", ClickDetailsPage());
        for (int offset = 0, page = 1; offset < _members.Count; offset += PageCap, page++)
        {
            yield return ($"mailchimp/{CampaignId}/sent-to/page-{page}.json", SentToPage(offset, 1000));
        }
        for (int offset = 0, page = 1; offset < _members.Count; offset += PageCap, page++)
        {
            yield return ($"mailchimp/{CampaignId}/email-activity/page-{page}.json", ActivityPage(offset, 1000));
        }
    }

    private static string Md5(string email) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(email.ToLowerInvariant())));

    private void Map(WebApplication app)
    {
        app.MapGet("/{dc}/3.0/{**path}", async (HttpContext context, string dc, string path) =>
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay);
            }
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("clickinsights:" + ApiKey));
            if (dc != "us14" || context.Request.Headers.Authorization != expected)
            {
                await FakeServer.Json(context, """{"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "API Key Invalid", "status": 401, "detail": "Your API key may be invalid, or you've attempted to access the wrong datacenter."}""", 401);
                return;
            }
            if (ThrottleFirst > 0 && Interlocked.Decrement(ref _throttled) >= 0)
            {
                await FakeServer.Json(context, """{"title": "Too Many Requests", "status": 429, "detail": "You have exceeded the limit of 10 simultaneous connections."}""", 429);
                return;
            }
            var query = context.Request.Query;
            var offset = int.TryParse(query["offset"], out var o) ? o : 0;
            var count = int.TryParse(query["count"], out var c) ? c : 10;
            DateTime? since = null;
            if (query.ContainsKey("since"))
            {
                lock (Since)
                {
                    Since.Add(query["since"]!);
                }
                since = DateTimeOffset.Parse(query["since"]!, CultureInfo.InvariantCulture).UtcDateTime;
            }
            switch (path.Split('/'))
            {
                case ["reports"]:
                    await FakeServer.Json(context, ReportsPage());
                    return;
                case ["reports", CampaignId, "click-details"]:
                    await FakeServer.Json(context, ClickDetailsPage());
                    return;
                case ["reports", CampaignId, "sent-to"]:
                    await FakeServer.Json(context, SentToPage(offset, count));
                    return;
                case ["reports", CampaignId, "email-activity"]:
                    await FakeServer.Json(context, ActivityPage(offset, count, since));
                    return;
                default:
                    await FakeServer.Json(context, """{"title": "Resource Not Found", "status": 404, "detail": "The requested resource could not be found."}""", 404);
                    return;
            }
        });
    }

    private int _throttled;

    public void Throttle(int times) => _throttled = ThrottleFirst = times;
}
