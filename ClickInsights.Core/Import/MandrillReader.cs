using System.Runtime.CompilerServices;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// Mailchimp Transactional (Mandrill) webhook events: the JSON array a webhook call carries in its form field
/// <c>mandrill_events</c>, saved as it came or decoded by the webhook endpoint. Each event has its kind, <c>ts</c>
/// (Unix seconds), the message's <c>_id</c>, and for opens and clicks the clicker's <c>ip</c> and <c>user_agent</c>;
/// <c>msg</c> holds the recipient, subject and tags. Emails are grouped into campaigns by their first tag, else
/// their subject.
/// </summary>
public sealed class MandrillReader : IEventReader
{
    public const string SourceName = "mandrill";

    private const string Expected = "Mailchimp Transactional webhook events (objects with \"event\", \"ts\", \"_id\" and \"msg\")";

    public string Format => "Mailchimp Transactional (Mandrill) webhook JSON";

    public bool CanRead(ReadOnlySpan<byte> head) =>
        ImportJson.ScanHead(head).AnyRecord(r => r.Contains("event") && r.Contains("ts") && r.Contains("msg") && r.Contains("_id"));

    public async IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in ImportJson.ReadRecordsAsync(stream, fileName, Expected, [], cancellationToken))
        {
            yield return Map(record);
        }
    }

    private static NormalizedEvent Map(JsonRecord record)
    {
        var e = record.Value.RequireObject("a Mailchimp Transactional webhook event");
        var name = e["event"].RequiredString();
        var msg = e["msg"].RequireObject("the message of the event (\"msg\")");
        var (key, campaignName) = CampaignOf(msg);
        var occurredAt = e["ts"].RequiredUnixTime();
        var url = e["url"].OptionalString();
        return new NormalizedEvent
        {
            Source = SourceName,
            // _id is the message's: one message has many events, so its kind, time and link make each one's id.
            ExternalId = $"{e["_id"].RequiredString()}/{name}/{occurredAt}" + (url is null ? "" : "/" + ImportJson.ContentHash(url)[7..23]),
            CampaignKey = key,
            CampaignName = campaignName,
            Email = (msg["email"].OptionalString() is not null ? msg["email"] : e["email"]).RequiredEmail(),
            Type = name switch
            {
                "send" => EventType.Sent,
                "deferral" => EventType.Deferred,
                "hard_bounce" or "soft_bounce" => EventType.Bounce,
                "open" => EventType.Open,
                "click" => EventType.Click,
                "spam" => EventType.SpamReport,
                "unsub" => EventType.Unsubscribe,
                "reject" => EventType.Dropped,
                _ => EventType.Other,
            },
            OccurredAtMs = occurredAt,
            Url = url,
            Ip = e["ip"].OptionalString(),
            UserAgent = e["user_agent"].OptionalString(),
            Raw = record.Raw,
        };
    }

    private static (string Key, string? Name) CampaignOf(LocatedJson msg)
    {
        var tag = msg["tags"].IsMissing ? null : msg["tags"].OptionalItems().Select(t => t.OptionalString()).FirstOrDefault(t => t is not null);
        if (tag is not null)
        {
            return (tag, tag);
        }
        if (msg["subject"].OptionalString() is { } subject)
        {
            return ("subject:" + (subject.Length > 200 ? subject[..200] : subject), subject.Length > 500 ? subject[..500] : subject);
        }
        return ("none", "Events without a campaign");
    }
}
