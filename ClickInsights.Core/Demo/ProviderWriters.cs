using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Demo;

/// <summary>A file a provider would give, as written from simulated events.</summary>
public sealed record ProviderFile(string Name, byte[] Content);

/// <summary>
/// Writes simulated events in the real formats of <c>providers.md</c>: Mailchimp report pages, Constant Contact
/// tracking pages, Mailgun events pages, Postmark clicks and opens pages, SendGrid webhook JSON. Each keeps only
/// what that provider reports (no user agent at Mailchimp, neither IP nor agent and whole minutes at Constant
/// Contact, only the first click per recipient and link at Postmark).
/// </summary>
public static class ProviderWriters
{
    public static IReadOnlyList<ProviderFile> Write(IEnumerable<SimulatedEvent> events, SourceShape shape) => shape switch
    {
        SourceShape.SendGrid => [SendGrid(events)],
        SourceShape.Mailchimp => Mailchimp(events),
        SourceShape.ConstantContact => ConstantContact(events),
        SourceShape.Mailgun => Mailgun(events),
        SourceShape.Postmark => Postmark(events),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    /// <summary>The Constant Contact campaign activity id standing for a simulated campaign.</summary>
    public static string ActivityIdOf(string campaignId) =>
        new Guid(MD5.HashData(Encoding.UTF8.GetBytes(campaignId))).ToString();

    private static ProviderFile SendGrid(IEnumerable<SimulatedEvent> events)
    {
        using var stream = new MemoryStream();
        DemoSimulator.WriteSendGridJson(events, stream);
        return new("sendgrid-events.json", stream.ToArray());
    }

    private static List<ProviderFile> Mailchimp(IEnumerable<SimulatedEvent> events)
    {
        var files = new List<ProviderFile>();
        foreach (var campaign in events.GroupBy(e => e.CampaignId))
        {
            var id = campaign.Key;
            var first = campaign.First();
            files.Add(Json($"mailchimp/{id}/report.json", w =>
            {
                w.WriteString("id", id);
                w.WriteString("campaign_title", first.CampaignName);
                w.WriteNumber("emails_sent", campaign.Count(e => e.Type == EventType.Sent));
                w.WriteString("send_time", Iso(first.CampaignSendAtMs, "yyyy-MM-dd'T'HH:mm:ss'+00:00'"));
            }));
            var bounced = campaign.Where(e => e.Type == EventType.Bounce).Select(e => e.Email).ToHashSet();
            files.Add(Json($"mailchimp/{id}/sent-to.json", w =>
            {
                w.WriteStartArray("sent_to");
                foreach (var e in campaign.Where(e => e.Type == EventType.Sent))
                {
                    w.WriteStartObject();
                    w.WriteString("email_address", e.Email);
                    w.WriteString("status", bounced.Contains(e.Email) ? "hard" : "sent");
                    w.WriteString("campaign_id", id);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteString("campaign_id", id);
            }));
            int page = 0;
            foreach (var chunk in campaign.Where(e => e.Type is EventType.Open or EventType.Click).GroupBy(e => e.Email).Chunk(1000))
            {
                files.Add(Json($"mailchimp/{id}/email-activity-{++page}.json", w =>
                {
                    w.WriteStartArray("emails");
                    foreach (var person in chunk)
                    {
                        w.WriteStartObject();
                        w.WriteString("campaign_id", id);
                        w.WriteString("list_id", "a1b2c3d4e5");
                        w.WriteString("email_id", Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(person.Key))));
                        w.WriteString("email_address", person.Key);
                        w.WriteStartArray("activity");
                        foreach (var e in person.OrderBy(e => e.TimeMs))
                        {
                            w.WriteStartObject();
                            w.WriteString("action", e.Type == EventType.Click ? "click" : "open");
                            w.WriteString("timestamp", Iso(e.TimeMs, "yyyy-MM-dd'T'HH:mm:ss'+00:00'"));
                            if (e.Url is not null)
                            {
                                w.WriteString("url", e.Url);
                            }
                            if (e.Ip is not null)
                            {
                                w.WriteString("ip", e.Ip);
                            }
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteString("campaign_id", id);
                }));
            }
        }
        return files;
    }

    private static List<ProviderFile> ConstantContact(IEnumerable<SimulatedEvent> events)
    {
        var files = new List<ProviderFile>();
        foreach (var campaign in events.GroupBy(e => e.CampaignId))
        {
            var activity = ActivityIdOf(campaign.Key);
            var kinds = new (EventType Type, string Report, string Code)[]
            {
                (EventType.Sent, "sends", "em_sends"), (EventType.Open, "opens", "em_opens"), (EventType.Click, "clicks", "em_clicks"),
                (EventType.Bounce, "bounces", "em_bounces"), (EventType.Unsubscribe, "optouts", "em_optouts"),
            };
            foreach (var (type, report, code) in kinds)
            {
                files.Add(Json($"constantcontact/{activity}/{report}.json", w =>
                {
                    w.WriteStartArray("tracking_activities");
                    foreach (var e in campaign.Where(e => e.Type == type))
                    {
                        w.WriteStartObject();
                        w.WriteString("contact_id", new Guid(MD5.HashData(Encoding.UTF8.GetBytes(e.Email))).ToString());
                        w.WriteString("campaign_activity_id", activity);
                        w.WriteString("tracking_activity_type", code);
                        w.WriteString("email_address", e.Email);
                        if (type is EventType.Click or EventType.Open)
                        {
                            w.WriteString("device_type", "computer");
                        }
                        if (type == EventType.Click)
                        {
                            w.WriteString("url_id", UrlId(e.Url!));
                            w.WriteString("link_url", e.Url);
                        }
                        if (type == EventType.Bounce)
                        {
                            w.WriteString("bounce_code", "B");
                        }
                        // The documented examples are whole minutes.
                        w.WriteString("created_time", Iso(e.TimeMs / 60_000 * 60_000, "yyyy-MM-dd'T'HH:mm:ss'.000Z'"));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartObject("_links");
                    w.WriteEndObject();
                }));
            }
            files.Add(Json($"constantcontact/{activity}/links.json", w =>
            {
                w.WriteString("campaign_activity_id", activity);
                w.WriteStartArray("link_click_counts");
                foreach (var url in campaign.Where(e => e.Url is not null).Select(e => e.Url!).Distinct())
                {
                    w.WriteStartObject();
                    w.WriteString("link_url", url);
                    w.WriteString("url_id", UrlId(url));
                    w.WriteNumber("unique_clicks", campaign.Where(e => e.Url == url).Select(e => e.Email).Distinct().Count());
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }));
        }
        return files;
    }

    private static List<ProviderFile> Mailgun(IEnumerable<SimulatedEvent> events)
    {
        var files = new List<ProviderFile>();
        int page = 0;
        foreach (var chunk in events.Chunk(300))
        {
            files.Add(Json($"mailgun/events-{++page}.json", w =>
            {
                w.WriteStartArray("items");
                foreach (var e in chunk)
                {
                    var name = e.Type switch
                    {
                        EventType.Sent => "accepted",
                        EventType.Delivered => "delivered",
                        EventType.Open => "opened",
                        EventType.Click => "clicked",
                        EventType.Bounce => "failed",
                        EventType.Unsubscribe => "unsubscribed",
                        _ => null,
                    };
                    if (name is null)
                    {
                        continue;
                    }
                    w.WriteStartObject();
                    w.WriteString("event", name);
                    w.WriteString("id", e.EventId);
                    w.WriteNumber("timestamp", e.TimeMs / 1000.0);
                    w.WriteString("recipient", e.Email);
                    if (e.Type == EventType.Bounce)
                    {
                        w.WriteString("severity", "permanent");
                    }
                    if (e.Url is not null)
                    {
                        w.WriteString("url", e.Url);
                    }
                    if (e.Ip is not null)
                    {
                        w.WriteString("ip", e.Ip);
                    }
                    w.WriteStartArray("tags");
                    w.WriteEndArray();
                    w.WriteStartArray("campaigns");
                    w.WriteStartObject();
                    w.WriteString("id", e.CampaignId);
                    w.WriteString("name", e.CampaignName);
                    w.WriteEndObject();
                    w.WriteEndArray();
                    if (e.Type is EventType.Click or EventType.Open)
                    {
                        w.WriteStartObject("client-info");
                        w.WriteString("user-agent", e.UserAgent ?? "");
                        w.WriteString("bot", e.MachineOpen ? "apple" : "");
                        w.WriteEndObject();
                    }
                    w.WriteStartObject("message");
                    w.WriteStartObject("headers");
                    w.WriteString("message-id", e.MessageId + "@mg.example.com");
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("paging");
                w.WriteString("next", $"https://api.mailgun.net/v3/mg.example.com/events/page-{page + 1}");
                w.WriteEndObject();
            }));
        }
        return files;
    }

    private static List<ProviderFile> Postmark(IEnumerable<SimulatedEvent> events)
    {
        var files = new List<ProviderFile>();
        var list = events.ToList();
        var clicks = ClassifierEvaluation.FirstClicks(list).ToList();
        var opens = list.Where(e => e.Type == EventType.Open).ToList();
        PostmarkPages(files, "Clicks", clicks);
        PostmarkPages(files, "Opens", opens);
        return files;
    }

    /// <summary>Postmark's <c>/messages/outbound/{clicks|opens}</c> pages: 500 records each, the same record shape.</summary>
    private static void PostmarkPages(List<ProviderFile> files, string kind, List<SimulatedEvent> records)
    {
        int page = 0;
        foreach (var chunk in records.Chunk(500))
        {
            files.Add(Json($"postmark/{kind.ToLowerInvariant()}-{++page}.json", w =>
            {
                w.WriteNumber("TotalCount", records.Count);
                w.WriteStartArray(kind);
                foreach (var e in chunk)
                {
                    w.WriteStartObject();
                    w.WriteString("RecordType", kind == "Clicks" ? "Click" : "Open");
                    if (kind == "Clicks")
                    {
                        w.WriteString("ClickLocation", "HTML");
                    }
                    w.WriteString("UserAgent", e.UserAgent ?? "");
                    if (kind == "Clicks")
                    {
                        w.WriteString("OriginalLink", e.Url);
                    }
                    w.WriteStartObject("Geo");
                    w.WriteString("IP", e.Ip);
                    w.WriteEndObject();
                    w.WriteString("MessageID", e.MessageId);
                    w.WriteString("MessageStream", "broadcast");
                    w.WriteString("ReceivedAt", Iso(e.TimeMs, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"));
                    w.WriteString("Tag", e.CampaignId);
                    w.WriteString("Recipient", e.Email);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }));
        }
    }

    private static string UrlId(string url) =>
        (BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(url)), 0) % 9_000_000_000_000 + 1_000_000_000_000).ToString(CultureInfo.InvariantCulture);

    private static string Iso(long ms, string format) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString(format, CultureInfo.InvariantCulture);

    private static ProviderFile Json(string name, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return new ProviderFile(name, stream.ToArray());
    }
}
