using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// SendGrid Event Webhook events: a JSON array (as posted, or saved to a file) or one event per line (NDJSON).
/// Timestamps in seconds or milliseconds, <c>category</c> as string or array, <c>url_offset</c> as object or integer.
/// </summary>
public sealed class SendGridReader : IEventReader
{
    public const string SourceName = "sendgrid";

    public string Format => "SendGrid Event Webhook JSON";

    public bool CanRead(ReadOnlySpan<byte> head)
    {
        var text = Encoding.UTF8.GetString(head);
        var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
            && (text.Contains("\"sg_event_id\"", StringComparison.Ordinal)
                || text.Contains("\"sg_message_id\"", StringComparison.Ordinal)
                || (text.Contains("\"event\"", StringComparison.Ordinal) && text.Contains("\"timestamp\"", StringComparison.Ordinal) && text.Contains("\"email\"", StringComparison.Ordinal)));
    }

    public async IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (prefixed, first) = await PeekFirstByteAsync(stream, cancellationToken);
        if (first is not ((byte)'[' or (byte)'{'))
        {
            throw new ImportFormatException(fileName, "line 1", first is null
                ? "the file is empty; expected a JSON array of SendGrid events"
                : "expected a JSON array of SendGrid events ('[') or one event object per line");
        }
        bool lines = first == (byte)'{';
        var scanner = new SendGridScanner(fileName, lines);
        var ready = new List<ImportItem>();
        bool more = true;
        while (more)
        {
            more = await scanner.FillAsync(prefixed, cancellationToken);
            scanner.Scan(isFinalBlock: !more, ready);
            foreach (var item in ready)
            {
                yield return item;
            }
            ready.Clear();
        }
    }

    /// <param name="rawUtf8">The record's bytes as read, kept as its raw copy; null takes the element's own text.</param>
    public static NormalizedEvent Map(JsonElement e, string fileName, string path, byte[]? rawUtf8 = null)
    {
        try
        {
            return MapChecked(e, fileName, path, rawUtf8);
        }
        catch (InvalidOperationException)
        {
            // The JSON is well formed but a string in it is not text (an unpaired \ud800 escape).
            throw new ImportFormatException(fileName, path, "expected UTF-8 text; found an unpaired \\u surrogate escape in a field");
        }
    }

    private static NormalizedEvent MapChecked(JsonElement e, string fileName, string path, byte[]? rawUtf8)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new ImportFormatException(fileName, path, $"expected an event object, found {e.ValueKind.ToString().ToLowerInvariant()}");
        }
        var raw = rawUtf8 ?? Encoding.UTF8.GetBytes(e.GetRawText());
        var email = RequiredString(e, "email", fileName, path).Trim().ToLowerInvariant();
        if (!email.Contains('@'))
        {
            throw new ImportFormatException(fileName, $"{path}.email", $"expected an email address, found \"{email}\"");
        }
        var eventName = RequiredString(e, "event", fileName, path);
        if (!e.TryGetProperty("timestamp", out var timestamp))
        {
            throw new ImportFormatException(fileName, path, "expected a \"timestamp\" field");
        }
        var occurredAt = ImportJson.UnixTimeMs(timestamp, fileName, $"{path}.timestamp");
        if (occurredAt == NormalizedEvent.UnknownTime)
        {
            // 0 would read as "no time known"; SendGrid always says when.
            throw new ImportFormatException(fileName, $"{path}.timestamp", $"expected a time between {EventFields.Earliest:yyyy-MM-dd} and a week from now, found 0 (1970-01-01)");
        }

        var (campaignKey, campaignName) = CampaignOf(e);
        long? sendAt = e.TryGetProperty("send_at", out var sendAtElement) && sendAtElement.ValueKind is JsonValueKind.Number or JsonValueKind.String
            ? ImportJson.UnixTimeMs(sendAtElement, fileName, $"{path}.send_at")
            : null;
        if (sendAt == 0)
        {
            sendAt = null;
        }

        var type = TypeOf(eventName);
        string? botFlag = null;
        if (e.TryGetProperty("sg_machine_open", out var machine) && (machine.ValueKind == JsonValueKind.True || (machine.ValueKind == JsonValueKind.String && machine.GetString() == "true")))
        {
            botFlag = "sg_machine_open";
        }

        return new NormalizedEvent
        {
            Source = SourceName,
            ExternalId = EventId(OptionalString(e, "sg_event_id") ?? ImportJson.ContentHash(raw), type),
            CampaignKey = campaignKey,
            CampaignName = campaignName,
            CampaignSentAtMs = sendAt,
            Email = email,
            Type = type,
            OccurredAtMs = occurredAt,
            Url = OptionalString(e, "url"),
            LinkPosition = LinkPositionOf(e),
            Ip = OptionalString(e, "ip"),
            UserAgent = e.TryGetProperty("useragent", out var agent) && agent.ValueKind == JsonValueKind.String ? agent.GetString() : null,
            ProviderBotFlag = botFlag,
            RawUtf8 = raw,
        };
    }

    private static EventType TypeOf(string name) => TypeOf(Encoding.UTF8.GetBytes(name));

    internal static EventType TypeOf(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("processed"u8) => EventType.Sent,
        _ when name.SequenceEqual("delivered"u8) => EventType.Delivered,
        _ when name.SequenceEqual("open"u8) => EventType.Open,
        _ when name.SequenceEqual("click"u8) => EventType.Click,
        _ when name.SequenceEqual("bounce"u8) => EventType.Bounce,
        _ when name.SequenceEqual("dropped"u8) => EventType.Dropped,
        _ when name.SequenceEqual("deferred"u8) => EventType.Deferred,
        _ when name.SequenceEqual("unsubscribe"u8) || name.SequenceEqual("group_unsubscribe"u8) => EventType.Unsubscribe,
        _ when name.SequenceEqual("spamreport"u8) => EventType.SpamReport,
        _ => EventType.Other,
    };

    private static (string Key, string Name) CampaignOf(JsonElement e)
    {
        if (OptionalString(e, "singlesend_id") is { } singleSend)
        {
            return (singleSend, OptionalString(e, "singlesend_name") ?? $"Single Send {singleSend}");
        }
        if (OptionalString(e, "marketing_campaign_id") is { } campaign)
        {
            return (campaign, OptionalString(e, "marketing_campaign_name") ?? $"Campaign {campaign}");
        }
        if (e.TryGetProperty("category", out var category))
        {
            var first = category.ValueKind switch
            {
                JsonValueKind.String => category.GetString(),
                JsonValueKind.Array => category.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()).FirstOrDefault(),
                _ => null,
            };
            if (!string.IsNullOrWhiteSpace(first))
            {
                return (first, first);
            }
        }
        return ("none", "Events without a campaign");
    }

    private static int? LinkPositionOf(JsonElement e)
    {
        if (!e.TryGetProperty("url_offset", out var offset))
        {
            return null;
        }
        return offset.ValueKind switch
        {
            JsonValueKind.Number when offset.TryGetInt32(out var i) => i,
            JsonValueKind.Object when offset.TryGetProperty("index", out var index) && index.TryGetInt32(out var i) => i,
            _ => null,
        };
    }

    /// <summary>
    /// An event's id is its <c>sg_event_id</c> together with its kind: SendGrid's own documented sample gives every event
    /// the same placeholder id, so an id alone would drop a click as a duplicate of the "processed" event before it.
    /// Stored events were re-keyed the same way (migration <c>SendGridIdAndType</c>).
    /// </summary>
    public static string EventId(string sgEventId, EventType type) => $"{sgEventId}/{TypeName(type)}";

    public static string TypeName(EventType type) => type.ToString().ToLowerInvariant();

    private static string RequiredString(JsonElement e, string name, string fileName, string path)
    {
        if (!e.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new ImportFormatException(fileName, path, $"expected a text field \"{name}\"");
        }
        return value.GetString()!;
    }

    private static string? OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String when !string.IsNullOrEmpty(value.GetString()) => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    /// <summary>Reads up to the first non-blank byte and gives back a stream that still starts at the beginning.</summary>
    private static async Task<(Stream Stream, byte? First)> PeekFirstByteAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }
            filled += read;
            var first = FirstNonBlank(buffer.AsSpan(0, filled));
            if (first is not null)
            {
                break;
            }
        }
        return (new PrefixedStream(buffer.AsMemory(0, filled), stream), FirstNonBlank(buffer.AsSpan(0, filled)));
    }

    private static byte? FirstNonBlank(ReadOnlySpan<byte> bytes)
    {
        var start = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        foreach (var b in bytes[start..])
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return b;
            }
        }
        return null;
    }
}
