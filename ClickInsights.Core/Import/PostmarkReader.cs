using System.Runtime.CompilerServices;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// Postmark click and open records, and the delivery, bounce, spam complaint and subscription change records a
/// webhook with every trigger on also sends: webhook bodies (one object, an array, or one per line) and the messages API's
/// pages (<c>{"TotalCount":…, "Clicks":[…]}</c>, <c>{"TotalCount":…, "Opens":[…]}</c>). Times have 7 fractional
/// digits; the webhook sends only the first click per recipient, link and message.
/// </summary>
public sealed class PostmarkReader : IEventReader
{
    public const string SourceName = "postmark";

    private const string Expected = "Postmark webhook records (\"RecordType\": \"Click\", \"Open\", \"Delivery\", \"Bounce\", …), or a page {\"TotalCount\":…, \"Clicks\":[…]}";
    private static readonly string[] PageArrays = ["Clicks", "Opens"];

    public string Format => "Postmark click/open JSON";

    public bool CanRead(ReadOnlySpan<byte> head)
    {
        var json = ImportJson.ScanHead(head);
        return json.AnyRecord(r => r.Contains("RecordType"))
            || (json.RootHasAny(PageArrays) && json.RootKeys.Contains("TotalCount"));
    }

    public async IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in ImportJson.ReadRecordsAsync(stream, fileName, Expected, PageArrays, cancellationToken))
        {
            if (!record.IsPageEnd)
            {
                yield return Map(record);
            }
        }
    }

    private static NormalizedEvent Map(JsonRecord record)
    {
        var r = record.Value.RequireObject("a Postmark click or open record");
        // The messages API's pages say the type by their array; the webhook by RecordType.
        var recordType = r["RecordType"].OptionalString()
            ?? record.Array switch
            {
                "Clicks" => "Click",
                "Opens" => "Open",
                _ => throw r["RecordType"].Error("expected a text field \"RecordType\" (Click or Open); it is missing"),
            };
        // With every trigger on, the same address also receives deliveries, bounces, unsubscribes and spam complaints:
        // delivery times help the classifier, unsubscribes and complaints matter to the sender.
        var (type, timeField, emailField) = recordType switch
        {
            "Click" => (EventType.Click, "ReceivedAt", "Recipient"),
            "Open" => (EventType.Open, "ReceivedAt", "Recipient"),
            "Delivery" => (EventType.Delivered, "DeliveredAt", "Recipient"),
            "Bounce" => (EventType.Bounce, "BouncedAt", "Email"),
            "SpamComplaint" => (EventType.SpamReport, "BouncedAt", "Email"),
            "SubscriptionChange" => (r["SuppressSending"].OptionalBool() == false ? EventType.Other : EventType.Unsubscribe, "ChangedAt", "Recipient"),
            _ => throw r["RecordType"].Error($"expected RecordType Click, Open, Delivery, Bounce, SpamComplaint or SubscriptionChange, found \"{recordType}\""),
        };
        var geo = r["Geo"];
        if (!geo.IsMissing)
        {
            geo.RequireObject("the clicker's location");
        }
        var (campaignKey, campaignName) = CampaignOf(r);
        return new NormalizedEvent
        {
            Source = SourceName,
            ExternalId = ImportJson.ContentHash(record.Element),
            CampaignKey = campaignKey,
            CampaignName = campaignName,
            Email = r[emailField].RequiredEmail(),
            Type = type,
            OccurredAtMs = r[timeField].RequiredIsoTime(),
            Url = r["OriginalLink"].OptionalString(),
            Ip = geo["IP"].OptionalString(),
            UserAgent = r["UserAgent"].OptionalString(),
            Raw = record.Raw,
        };
    }

    /// <summary>The tag, else a campaign named in Metadata, else the message stream.</summary>
    private static (string Key, string? Name) CampaignOf(LocatedJson r)
    {
        if (r["Tag"].OptionalString() is { } tag)
        {
            return (tag, tag);
        }
        var metadata = r["Metadata"];
        if (!metadata.IsMissing && ImportJson.CampaignIn(metadata.RequireObject("metadata")) is { } fromMetadata)
        {
            return (fromMetadata, null);
        }
        if (r["MessageStream"].OptionalString() is { } stream)
        {
            return (stream, $"Message stream {stream}");
        }
        return ("none", "Events without a campaign");
    }
}
