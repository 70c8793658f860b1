using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClickInsights.Tests.Sync;

/// <summary>
/// Constant Contact V3 as shared/reference/providers.md documents it: OAuth2 token endpoint (Basic client auth),
/// <c>/emails</c>, <c>/emails/{id}</c>, tracking reports with <c>_links.next.href</c> (relative for most reports,
/// absolute for sends), the links report, bearer tokens, 429 with <c>error_key</c>. Reports come newest first.
/// </summary>
public sealed class FakeConstantContact
{
    public const string ClientId = "app-key-123";
    public const string ClientSecret = "app-secret-456";
    public const string CampaignId = "0f3c2b1a-6d5e-4f70-8a9b-1c2d3e4f5a60";
    public const string DraftId = "0f3c2b1a-6d5e-4f70-8a9b-1c2d3e4f5a61";
    public const string Primary = "7d4a1e2c-0b5f-4c1e-9a0e-3f6b2d8c1a01";
    public const string Resend = "7d4a1e2c-0b5f-4c1e-9a0e-3f6b2d8c1a02";
    public const int PageSize = 3;
    public static readonly string[] Kinds = ["sends", "bounces", "opens", "clicks", "optouts"];
    public static readonly string[] Links = ["https://shop.example/spring", "https://shop.example/menu", "https://shop.example/hours"];
    private static readonly DateTime Sent = new(2026, 3, 2, 14, 0, 0, DateTimeKind.Utc);

    private readonly Dictionary<(string Activity, string Kind), List<(DateTime At, string Json)>> _records = [];
    private readonly HashSet<string> _accessTokens = ["at-0"];
    private readonly HashSet<string> _refreshTokens = ["rt-0"];
    private int _tokens;

    public FakeServer Server { get; private set; } = null!;
    public string ApiBase => Server.BaseUrl + "/v3";
    public string AuthBase => Server.BaseUrl + "/oauth2/default/v1";

    /// <summary>429 "throttled" for the next requests whose path contains the key, this many times.</summary>
    public Dictionary<string, int> ThrottleNext { get; } = [];
    public bool QuotaExceeded { get; set; }
    public bool RefreshTokenDead { get; set; }
    /// <summary>Runs (once) when a refresh-token request comes in, before it is answered.</summary>
    public Func<Task>? BeforeRefresh { get; set; }
    /// <summary>The sign-in service answers 429 to this many token requests.</summary>
    public int TokenThrottles { get; set; }
    /// <summary>Serves broken JSON for this report page (activity, kind, 1-based page).</summary>
    public (string Activity, string Kind, int Page)? Malformed { get; set; }
    public List<string> TokenGrants { get; } = [];

    public static async Task<FakeConstantContact> StartAsync()
    {
        var fake = new FakeConstantContact();
        fake.Seed();
        fake.Server = await FakeServer.StartAsync(fake.Map);
        return fake;
    }

    private void Seed()
    {
        string[] people = ["ann@home.example", "bob@home.example", "cat@shop.example", "dan@shop.example", "eve@mail.example", "fay@mail.example"];
        string[] scanned = ["p1@bigcorp.example", "p2@bigcorp.example", "p3@bigcorp.example", "p4@bigcorp.example"];
        foreach (var email in people.Concat(scanned))
        {
            Add(Primary, "sends", email, Sent);
        }
        Add(Primary, "bounces", "fay@mail.example", Sent.AddMinutes(2), """, "bounce_code": "B", "current_email_address": "fay@mail.example" """);
        foreach (var email in scanned)
        {
            Add(Primary, "opens", email, Sent.AddMinutes(1), """, "device_type": "computer" """);
            for (int i = 0; i < Links.Length; i++)
            {
                Add(Primary, "clicks", email, Sent.AddMinutes(1), Click(i));
            }
        }
        Add(Primary, "opens", "ann@home.example", Sent.AddHours(3), """, "device_type": "mobile" """);
        Add(Primary, "clicks", "ann@home.example", Sent.AddHours(3).AddMinutes(1), Click(0));
        Add(Primary, "opens", "bob@home.example", Sent.AddHours(5), """, "device_type": "computer" """);
        Add(Primary, "clicks", "bob@home.example", Sent.AddHours(5).AddMinutes(1), Click(0));
        Add(Primary, "clicks", "bob@home.example", Sent.AddHours(5).AddMinutes(9), Click(1));
        Add(Primary, "clicks", "cat@shop.example", Sent.AddDays(1), Click(1));
        Add(Primary, "optouts", "dan@shop.example", Sent.AddHours(2), """, "opt_out_reason": "Too many emails" """);
        foreach (var email in new[] { "dan@shop.example", "eve@mail.example" })
        {
            Add(Resend, "sends", email, Sent.AddDays(3));
        }
        Add(Resend, "clicks", "eve@mail.example", Sent.AddDays(3).AddHours(4), Click(2, Resend));
    }

    private static string Click(int link, string activity = Primary) =>
        $$""", "device_type": "computer", "url_id": "{{1100407204171 + link}}", "link_url": "{{Links[link]}}" """;

    /// <summary>A new record, as if it happened after the last sync.</summary>
    public void Add(string activity, string kind, string email, DateTime at, string extra = "")
    {
        var type = "em_" + kind;
        var contact = new Guid(MD5.HashData(Encoding.UTF8.GetBytes(email)));
        var json = $$"""{"contact_id": "{{contact}}", "campaign_activity_id": "{{activity}}", "tracking_activity_type": "{{type}}", "email_address": "{{email}}", "created_time": "{{at.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}}" """ + extra + "}";
        if (!_records.TryGetValue((activity, kind), out var list))
        {
            _records[(activity, kind)] = list = [];
        }
        list.Add((at, json));
    }

    public int PageCount(string activity, string kind) => Math.Max(1, (Records(activity, kind).Count + PageSize - 1) / PageSize);

    /// <summary>Serve reports oldest first (a sync then resumes at the last page it read) instead of newest first.</summary>
    public bool OldestFirst { get; set; }

    private List<(DateTime At, string Json)> Records(string activity, string kind) =>
        !_records.TryGetValue((activity, kind), out var list) ? []
        : OldestFirst ? [.. list.OrderBy(r => r.At)]
        : [.. list.OrderByDescending(r => r.At)];

    /// <summary>A report page as served (1-based), with its next link: absolute for sends, relative for the others.</summary>
    public string Page(string activity, string kind, int page)
    {
        var records = Records(activity, kind);
        var items = records.Skip((page - 1) * PageSize).Take(PageSize).Select(r => r.Json);
        var path = $"/v3/reports/email_reports/{activity}/tracking/{kind}?limit=500&cursor={page + 1}";
        var next = page * PageSize < records.Count
            ? $$""", "_links": {"next": {"href": "{{(kind == "sends" ? Server.BaseUrl + path : path)}}"} }"""
            : "";
        return $$"""{"tracking_activities": [{{string.Join(", ", items)}}]{{next}}}""";
    }

    public static string LinksPage() =>
        $$"""{"link_click_counts": [{{string.Join(", ", Links.Select((l, i) => $$"""{"url_id": "{{1100407204171 + i}}", "link_url": "{{l}}", "unique_clicks": 0}"""))}}]}""";

    /// <summary>Every report page and links report as files, named as the sync names them.</summary>
    public IEnumerable<(string FileName, string Json)> AllPages()
    {
        foreach (var activity in new[] { Primary, Resend })
        {
            foreach (var kind in Kinds)
            {
                if (Records(activity, kind).Count == 0)
                {
                    continue;
                }
                for (int page = 1; page <= PageCount(activity, kind); page++)
                {
                    yield return ($"constantcontact/{activity}/{kind}/page-{page}.json", Page(activity, kind, page));
                }
            }
            yield return ($"constantcontact/{activity}/links.json", LinksPage());
        }
    }

    public void ExpireAccessTokens() => _accessTokens.Clear();

    private void Map(WebApplication app)
    {
        app.MapPost("/oauth2/default/v1/token", async context =>
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
            if (context.Request.Headers.Authorization != expected)
            {
                await FakeServer.Json(context, """{"error": "invalid_client", "error_description": "Client authentication failed."}""", 401);
                return;
            }
            var form = await context.Request.ReadFormAsync();
            var grant = form["grant_type"].ToString();
            if (grant == "refresh_token" && BeforeRefresh is { } before)
            {
                BeforeRefresh = null;
                await before();
            }
            if (TokenThrottles > 0)
            {
                TokenThrottles--;
                await FakeServer.Json(context, """{"error": "too_many_requests"}""", 429);
                return;
            }
            lock (TokenGrants)
            {
                TokenGrants.Add(grant);
            }
            var valid = grant switch
            {
                "authorization_code" => form["code"] == "good-code" && form["redirect_uri"] == "http://dashboard.test/connections/constantcontact/callback",
                "refresh_token" => !RefreshTokenDead && _refreshTokens.Remove(form["refresh_token"].ToString()),
                _ => false,
            };
            if (!valid)
            {
                await FakeServer.Json(context, """{"error": "invalid_grant", "error_description": "The refresh token is invalid or expired."}""", 400);
                return;
            }
            var n = Interlocked.Increment(ref _tokens);
            _accessTokens.Add($"at-{n}");
            _refreshTokens.Add($"rt-{n}");
            await FakeServer.Json(context, $$"""{"access_token": "at-{{n}}", "refresh_token": "rt-{{n}}", "token_type": "Bearer", "expires_in": 86400, "scope": "campaign_data offline_access"}""");
        });

        app.MapGet("/v3/{**path}", async (HttpContext context, string path) =>
        {
            if (context.Request.Headers.Authorization.ToString() is not { } auth || !auth.StartsWith("Bearer ", StringComparison.Ordinal) || !_accessTokens.Contains(auth[7..]))
            {
                await FakeServer.Json(context, """[{"error_key": "unauthorized", "error_message": "Unauthorized"}]""", 401);
                return;
            }
            if (QuotaExceeded)
            {
                await FakeServer.Json(context, """[{"error_key": "quota_exceeded", "error_message": "Daily quota exceeded"}]""", 429);
                return;
            }
            foreach (var (key, times) in ThrottleNext)
            {
                if (times > 0 && (context.Request.Path + context.Request.QueryString).Contains(key, StringComparison.Ordinal))
                {
                    ThrottleNext[key] = times - 1;
                    context.Response.Headers.RetryAfter = "0";
                    await FakeServer.Json(context, """[{"error_key": "throttled", "error_message": "Too many requests"}]""", 429);
                    return;
                }
            }
            var segments = path.Split('/');
            switch (segments)
            {
                case ["emails"]:
                {
                    // One campaign per page, to page the list too.
                    var cursor = int.TryParse(context.Request.Query["cursor"], out var c) ? c : 1;
                    var campaign = cursor == 1
                        ? $$"""{"campaign_id": "{{CampaignId}}", "name": "Spring Sale", "current_status": "DONE", "type": "NEWSLETTER", "created_at": "2026-03-01T10:00:00.000Z", "updated_at": "2026-03-02T14:00:00.000Z"}"""
                        : $$"""{"campaign_id": "{{DraftId}}", "name": "Summer draft", "current_status": "DRAFT", "type": "NEWSLETTER", "created_at": "2026-03-05T10:00:00.000Z", "updated_at": "2026-03-05T10:00:00.000Z"}""";
                    var next = cursor == 1 ? """, "_links": {"next": {"href": "/v3/emails?limit=500&cursor=2"} }""" : "";
                    await FakeServer.Json(context, $$"""{"campaigns": [{{campaign}}]{{next}}}""");
                    return;
                }
                case ["emails", CampaignId]:
                    await FakeServer.Json(context, $$"""
                        {"campaign_id": "{{CampaignId}}", "name": "Spring Sale", "current_status": "DONE",
                         "campaign_activities": [{"campaign_activity_id": "{{Primary}}", "role": "primary_email"},
                                                 {"campaign_activity_id": "5c1e0000-0000-4000-8000-000000000003", "role": "permalink"},
                                                 {"campaign_activity_id": "{{Resend}}", "role": "resend"}]}
                        """);
                    return;
                case ["reports", "email_reports", var activity, "tracking", var kind]:
                {
                    var page = int.TryParse(context.Request.Query["cursor"], out var c) ? c : 1;
                    if (Malformed is { } bad && bad.Activity == activity && bad.Kind == kind && bad.Page == page)
                    {
                        await FakeServer.Json(context, """{"tracking_activities": [{"contact_id": "x", "email_address": """);
                        return;
                    }
                    await FakeServer.Json(context, Page(activity, kind, page));
                    return;
                }
                case ["reports", "email_reports", _, "links"]:
                    await FakeServer.Json(context, LinksPage());
                    return;
                default:
                    await FakeServer.Json(context, """[{"error_key": "not_found", "error_message": "Not found"}]""", 404);
                    return;
            }
        });
    }
}
