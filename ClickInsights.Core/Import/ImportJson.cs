using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClickInsights.Core.Import;

/// <summary>
/// What the JSON readers share: ids for records without one, times, error wording, a look at the head of a
/// file for detection (<c>ImportJson.Head.cs</c>) and streaming the records out of a file (<c>ImportJson.Records.cs</c>).
/// </summary>
internal static partial class ImportJson
{
    /// <summary>The largest record (an event, a page's head) held in memory while reading; larger ones refuse the file.</summary>
    public const int MaxRecordBytes = 16 * 1024 * 1024;

    /// <summary>An id for a record that has none, from its exact text.</summary>
    public static string ContentHash(string raw) => ContentHash(Encoding.UTF8.GetBytes(raw));

    public static string ContentHash(ReadOnlySpan<byte> rawUtf8) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(rawUtf8))[..40];

    /// <summary>An id for a record that has none, from its content written compactly: the same record pretty-printed or not gets the same id.</summary>
    public static string ContentHash(JsonElement record)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            record.WriteTo(writer);
        }
        return ContentHash(buffer.WrittenSpan);
    }

    /// <summary>
    /// An id for a record that has none, from its content without the given fields: those that describe something
    /// else than the event and may change between two reads of it (a contact's name, for one).
    /// </summary>
    public static string ContentHashWithout(JsonElement record, IReadOnlySet<string> leftOut)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            return ContentHash(record);
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in record.EnumerateObject())
            {
                if (!leftOut.Contains(property.Name))
                {
                    property.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        return ContentHash(buffer.WrittenSpan);
    }

    /// <summary>An id from the fields that identify an event, for sources whose records carry no id.</summary>
    public static string IdHash(params string?[] parts) => ContentHash(string.Join('\u001f', parts));

    /// <summary>Unix seconds or milliseconds (told apart by magnitude), as a number or a string; fractions of seconds kept to the millisecond.</summary>
    public static long UnixTimeMs(JsonElement value, string fileName, string path)
    {
        double number = 0;
        var isNumber = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out number),
            JsonValueKind.String => double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
        // 100,000,000,000 s is the year 5138; anything larger is milliseconds.
        var ms = number > 100_000_000_000 ? number : number * 1000;
        if (!isNumber || !double.IsFinite(ms) || ms is < 0 or > 253_402_300_799_000)
        {
            throw new ImportFormatException(fileName, path, $"expected Unix time in seconds or milliseconds, found {value.GetRawText()}");
        }
        return (long)Math.Round(ms);
    }

    /// <summary>An ISO 8601 time (any fraction of a second, up to 7 digits; no offset means UTC) as UTC Unix milliseconds.</summary>
    public static bool TryParseIsoTime(string text, out long unixMs)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var time))
        {
            unixMs = time.ToUnixTimeMilliseconds();
            return true;
        }
        unixMs = 0;
        return false;
    }

    /// <summary>Where a JSON syntax error is, as "line L, column C".</summary>
    public static string JsonErrorPosition(JsonException e, string fallback)
    {
        if (e.LineNumber is not { } line)
        {
            return fallback;
        }
        var where = $"line {line + 1}";
        if (e.BytePositionInLine is { } column)
        {
            where += $", column {column + 1}";
        }
        return where;
    }

    /// <summary>A JSON syntax error in words, saying "truncated" when the file stops in the middle.</summary>
    public static string DescribeJsonError(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }
        var detail = (cut > 0 ? message[..cut] : message).Trim().TrimEnd('.');
        if (detail.Contains("end of data", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("depth to be zero", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("incomplete", StringComparison.OrdinalIgnoreCase))
        {
            return $"the file ends in the middle of the JSON; it looks truncated ({detail})";
        }
        return $"the JSON is malformed: {detail}";
    }

    /// <summary>
    /// The campaign named in a free-form map (Mailgun user-variables, Postmark Metadata): the value of a key such as
    /// <c>campaign_id</c>, <c>campaignId</c>, <c>campaign-id</c> or <c>campaign</c>, preferring an id over a name.
    /// </summary>
    public static string? CampaignIn(LocatedJson map)
    {
        if (map.Value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        string? best = null;
        int bestRank = int.MaxValue;
        foreach (var property in map.Value.EnumerateObject())
        {
            var rank = property.Name.Replace("-", "").Replace("_", "").ToLowerInvariant() switch
            {
                "campaignid" => 0,
                "campaign" or "campaignkey" => 1,
                "campaignname" => 2,
                _ => int.MaxValue,
            };
            if (rank < bestRank && property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number && map[property.Name].OptionalString() is { } value)
            {
                (best, bestRank) = (value, rank);
            }
        }
        return best;
    }

    /// <summary>The first UUID in a file name (Constant Contact names its reports by campaign activity id).</summary>
    public static string? UuidIn(string fileName) =>
        UuidPattern().Match(fileName) is { Success: true } match ? match.Value.ToLowerInvariant() : null;

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex UuidPattern();
}
