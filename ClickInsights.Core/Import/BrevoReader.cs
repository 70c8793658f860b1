using System.Runtime.CompilerServices;
using System.Text.Json;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// Brevo transactional webhook events: one object per POST, saved as one object, an array, or one per line.
/// <c>ts_epoch</c> in milliseconds; <c>proxy_open</c> is Brevo's own flag for opens by a mail proxy. Clicks carry
/// neither the clicker's IP nor a user agent (<c>sending_ip</c> is Brevo's own server).
/// </summary>
public sealed class BrevoReader : IEventReader
{
    public const string SourceName = "brevo";

    private const string Expected = "Brevo webhook events (objects with \"event\", \"email\" and \"ts_epoch\")";

    public string Format => "Brevo webhook JSON";

    public bool CanRead(ReadOnlySpan<byte> head) =>
        ImportJson.ScanHead(head).AnyRecord(r => r.Contains("event") && (r.Contains("ts_epoch") || r.Contains("message-id"))
            && !r.Contains("timestamp") && !r.Contains("sg_event_id"));

    public async IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in ImportJson.ReadRecordsAsync(stream, fileName, Expected, [], cancellationToken))
        {
            yield return Map(record);
        }
    }

    private static NormalizedEvent Map(JsonRecord record)
    {
        var e = record.Value.RequireObject("a Brevo webhook event");
        var name = e["event"].RequiredString();
        var campaign = CampaignOf(e);
        return new NormalizedEvent
        {
            Source = SourceName,
            ExternalId = ImportJson.ContentHash(record.Element),
            CampaignKey = campaign,
            CampaignName = campaign == "none" ? "Events without a campaign" : campaign,
            Email = e["email"].RequiredEmail(),
            Type = name switch
            {
                "request" => EventType.Sent,
                "delivered" => EventType.Delivered,
                "opened" or "unique_opened" or "proxy_open" => EventType.Open,
                "click" => EventType.Click,
                "hard_bounce" or "soft_bounce" => EventType.Bounce,
                "deferred" => EventType.Deferred,
                "blocked" => EventType.Dropped,
                "unsubscribed" => EventType.Unsubscribe,
                "spam" => EventType.SpamReport,
                _ => EventType.Other,
            },
            OccurredAtMs = TimeOf(e),
            Url = e["link"].OptionalString(),
            ProviderBotFlag = name == "proxy_open" ? "brevo:proxy_open" : null,
            Raw = record.Raw,
        };
    }

    /// <summary><c>ts_epoch</c> (milliseconds, the reliable one), else <c>ts_event</c> or <c>ts</c> (seconds), else <c>date</c> (UTC assumed).</summary>
    private static long TimeOf(LocatedJson e)
    {
        foreach (var name in (ReadOnlySpan<string>)["ts_epoch", "ts_event", "ts"])
        {
            if (!e[name].IsMissing)
            {
                return e[name].RequiredUnixTime();
            }
        }
        // Some of Brevo's documented samples carry only "date" ("2020-10-09 00:00:00"): its zone is not stated; UTC is assumed.
        if (!e["date"].IsMissing)
        {
            return e["date"].RequiredIsoTime();
        }
        throw e["ts_epoch"].Error("expected the event's time in \"ts_epoch\" (Unix milliseconds), \"ts_event\", \"ts\" or \"date\"; it is missing");
    }

    /// <summary>
    /// The first tag: <c>tags</c> is an array, <c>tag</c> a string that may itself hold a JSON array
    /// (<c>"[\"welcome\"]"</c>, as in Brevo's examples).
    /// </summary>
    private static string CampaignOf(LocatedJson e)
    {
        foreach (var tags in (ReadOnlySpan<string>)["tags", "tag"])
        {
            var field = e[tags];
            var first = field.Value.ValueKind == JsonValueKind.Array
                ? field.OptionalItems().Select(t => t.OptionalString()).FirstOrDefault(t => t is not null)
                : FirstOfTagText(field.OptionalString());
            if (first is not null)
            {
                return first;
            }
        }
        return "none";
    }

    private static string? FirstOfTagText(string? text)
    {
        if (text is null || !text.TrimStart().StartsWith('['))
        {
            return text;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.EnumerateArray()
                .Where(t => t.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(t.GetString()))
                .Select(t => t.GetString())
                .FirstOrDefault();
        }
        catch (JsonException)
        {
            // A tag that only looks like a list is a tag.
            return text;
        }
    }
}
