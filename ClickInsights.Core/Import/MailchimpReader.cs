using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// Mailchimp Marketing API report pages: <c>/reports/{id}/email-activity</c> (<c>emails[].activity[]</c>, one event
/// per activity), <c>/reports/{id}/sent-to</c> (sent and bounced recipients, without a time),
/// <c>/reports/{id}/click-details</c> (the links), and <c>/reports</c> or <c>/reports/{id}</c> (campaign names and
/// send times). Email activity carries IPs but no user agents.
/// </summary>
public sealed class MailchimpReader : IEventReader
{
    public const string SourceName = "mailchimp";

    private const string Expected = "a Mailchimp report: a page with an \"emails\", \"sent_to\", \"urls_clicked\" or \"reports\" array, or one campaign report";
    private static readonly string[] PageArrays = ["emails", "sent_to", "urls_clicked", "reports"];

    public string Format => "Mailchimp report JSON";

    public bool CanRead(ReadOnlySpan<byte> head)
    {
        var json = ImportJson.ScanHead(head);
        return json.RootHasAny("sent_to", "urls_clicked")
            || json.AnyRecord(r => r.Contains("campaign_title"))
            || (json.RootKeys.Contains("emails") && (json.RootKeys.Contains("total_items") || json.AnyRecord(r => r.Contains("activity") && r.Contains("email_address"))))
            || (json.RootKeys.Contains("reports") && json.RootKeys.Contains("total_items"));
    }

    public async IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Records without their own campaign_id take the page's, which Mailchimp writes after the array.
        var waiting = new List<JsonRecord>();
        await foreach (var record in ImportJson.ReadRecordsAsync(stream, fileName, Expected, PageArrays, cancellationToken))
        {
            if (record.IsPageEnd)
            {
                if (waiting.Count > 0)
                {
                    var campaignKey = record.Page["campaign_id"].OptionalString()
                        ?? throw waiting[0].Value.Error("expected a \"campaign_id\", in the record or at the top level of the page");
                    foreach (var item in waiting.SelectMany(w => Map(w, campaignKey)))
                    {
                        yield return item;
                    }
                    waiting.Clear();
                }
                continue;
            }
            if (record.Array is null or "reports")
            {
                yield return Report(record);
                continue;
            }
            var ownKey = record.Value.RequireObject(What(record.Array))["campaign_id"].OptionalString() ?? record.Page["campaign_id"].OptionalString();
            if (ownKey is null)
            {
                waiting.Add(record);
                continue;
            }
            foreach (var item in Map(record, ownKey))
            {
                yield return item;
            }
        }
    }

    private static string What(string array) => array switch
    {
        "emails" => "a recipient's email activity",
        "sent_to" => "a sent-to recipient",
        _ => "a clicked URL",
    };

    private static IEnumerable<ImportItem> Map(JsonRecord record, string campaignKey) => record.Array switch
    {
        "emails" => Activities(record, campaignKey),
        "sent_to" => [SentTo(record, campaignKey)],
        _ => [new LinkInfo { Source = SourceName, CampaignKey = campaignKey, Url = record.Value["url"].RequiredString() }],
    };

    private static IEnumerable<NormalizedEvent> Activities(JsonRecord record, string campaignKey)
    {
        var member = record.Value;
        var email = member["email_address"].RequiredEmail();
        foreach (var activity in member["activity"].RequiredItems())
        {
            activity.RequireObject("an activity");
            var action = activity["action"].RequiredString();
            var occurredAt = activity["timestamp"].RequiredIsoTime();
            var url = activity["url"].OptionalString();
            var ip = activity["ip"].OptionalString();
            yield return new NormalizedEvent
            {
                Source = SourceName,
                CampaignKey = campaignKey,
                ExternalId = ImportJson.IdHash(campaignKey, email, action, occurredAt.ToString(CultureInfo.InvariantCulture), url, ip),
                Email = email,
                Type = action switch
                {
                    "open" => EventType.Open,
                    "click" => EventType.Click,
                    "bounce" => EventType.Bounce,
                    _ => EventType.Other,
                },
                OccurredAtMs = occurredAt,
                Url = url,
                Ip = ip,
                Raw = ActivityRaw(member.Value, campaignKey, activity.Value),
            };
        }
    }

    /// <summary>The activity with the recipient it belongs to, so that the stored record stands on its own.</summary>
    private static string ActivityRaw(JsonElement member, string campaignKey, JsonElement activity)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("campaign_id", campaignKey);
            foreach (var name in (ReadOnlySpan<string>)["list_id", "email_id", "email_address"])
            {
                if (member.TryGetProperty(name, out var value))
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }
            }
            writer.WritePropertyName("activity");
            activity.WriteTo(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static NormalizedEvent SentTo(JsonRecord record, string campaignKey)
    {
        var recipient = record.Value;
        var email = recipient["email_address"].RequiredEmail();
        var status = recipient["status"].RequiredString();
        return new NormalizedEvent
        {
            Source = SourceName,
            CampaignKey = campaignKey,
            ExternalId = ImportJson.IdHash(campaignKey, email, "sent-to", status),
            Email = email,
            Type = status switch
            {
                "sent" => EventType.Sent,
                "hard" or "soft" => EventType.Bounce,
                _ => throw recipient["status"].Error($"expected \"status\" to be sent, hard or soft, found \"{status}\""),
            },
            OccurredAtMs = NormalizedEvent.UnknownTime,
            Raw = record.Raw,
        };
    }

    private static CampaignInfo Report(JsonRecord record)
    {
        var report = record.Value.RequireObject("a campaign report");
        if (record.Array is null && report["campaign_title"].IsMissing && report["send_time"].IsMissing && report["emails_sent"].IsMissing)
        {
            throw report.Error($"expected {Expected}");
        }
        return new CampaignInfo
        {
            Source = SourceName,
            CampaignKey = report["id"].RequiredString(),
            Name = report["campaign_title"].OptionalString(),
            SentAtMs = report["send_time"].OptionalIsoTime(),
        };
    }
}
