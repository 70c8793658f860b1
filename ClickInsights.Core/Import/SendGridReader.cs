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
        var elements = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(prefixed, topLevelValues: lines, cancellationToken: cancellationToken);
        await using var enumerator = elements.GetAsyncEnumerator(cancellationToken);
        int index = 0;
        while (true)
        {
            bool hasNext;
            try
            {
                hasNext = await enumerator.MoveNextAsync();
            }
            catch (JsonException e)
            {
                throw new ImportFormatException(fileName, ImportJson.JsonErrorPosition(e, lines ? $"line {index + 1}" : $"event {index + 1}"), ImportJson.DescribeJsonError(e));
            }
            if (!hasNext)
            {
                break;
            }
            var path = lines ? $"line {index + 1}" : $"$[{index}]";
            NormalizedEvent mapped;
            try
            {
                mapped = Map(enumerator.Current, fileName, path);
            }
            catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
            {
                throw new ImportFormatException(fileName, path, "the event holds text that is not valid UTF-8; expected a UTF-8 JSON file");
            }
            yield return mapped;
            index++;
        }
        if (index == 0 && !lines)
        {
            // An empty array is a valid, empty export: nothing to store.
            yield break;
        }
    }

    internal static NormalizedEvent Map(JsonElement e, string fileName, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new ImportFormatException(fileName, path, $"expected an event object, found {e.ValueKind.ToString().ToLowerInvariant()}");
        }
        var raw = e.GetRawText();
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
            ExternalId = OptionalString(e, "sg_event_id") ?? ImportJson.ContentHash(raw),
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
            Raw = raw,
        };
    }

    private static EventType TypeOf(string name) => name switch
    {
        "processed" => EventType.Sent,
        "delivered" => EventType.Delivered,
        "open" => EventType.Open,
        "click" => EventType.Click,
        "bounce" => EventType.Bounce,
        "dropped" => EventType.Dropped,
        "deferred" => EventType.Deferred,
        "unsubscribe" or "group_unsubscribe" => EventType.Unsubscribe,
        "spamreport" => EventType.SpamReport,
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
