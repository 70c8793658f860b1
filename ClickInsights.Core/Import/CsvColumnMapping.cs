using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// Which column of a CSV export holds what. Providers do not document the headers of their UI exports, so a person
/// chooses (or confirms a guess), and the choice is remembered for files with the same header row.
/// Columns are named by their header text.
/// </summary>
public sealed record CsvColumnMapping
{
    public string? Email { get; init; }
    public string? Timestamp { get; init; }
    /// <summary><see cref="CsvTimestampFormat.Iso"/>, <see cref="CsvTimestampFormat.UnixSeconds"/>, <see cref="CsvTimestampFormat.UnixMilliseconds"/>, or a .NET format string (read as UTC).</summary>
    public string TimestampFormat { get; init; } = CsvTimestampFormat.Iso;
    /// <summary>The column naming the event (click, open, …); null when every row is <see cref="FixedEventType"/>.</summary>
    public string? EventType { get; init; }
    /// <summary>Values of the event column in this file and what they mean, on top of the common words (<see cref="CsvEventValues"/>).</summary>
    public Dictionary<string, EventType> EventValues { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>For a file of one kind of event (a clicks export), when there is no event column.</summary>
    public EventType FixedEventType { get; init; } = Data.EventType.Click;
    public string? Url { get; init; }
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    /// <summary>The column naming the campaign; null when the whole file is one campaign named <see cref="CampaignName"/>.</summary>
    public string? Campaign { get; init; }
    public string? CampaignName { get; init; }
    /// <summary>The provider's event id, when the export has one; otherwise events are told apart by a hash of the row.</summary>
    public string? EventId { get; init; }

    /// <summary>The columns this mapping reads, for checking them against a header.</summary>
    [JsonIgnore]
    public IEnumerable<(string Field, string Column)> Columns
    {
        get
        {
            (string Field, string? Column)[] all =
            [
                ("email", Email), ("time", Timestamp), ("event type", EventType), ("link", Url), ("IP address", Ip),
                ("user agent", UserAgent), ("campaign", Campaign), ("event id", EventId),
            ];
            return all.Where(c => !string.IsNullOrWhiteSpace(c.Column)).Select(c => (c.Field, c.Column!));
        }
    }

    /// <summary>What is still needed before a file can be read: email and time columns, and a campaign.</summary>
    public IReadOnlyList<string> Missing()
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(Email))
        {
            missing.Add("email address");
        }
        if (string.IsNullOrWhiteSpace(Timestamp))
        {
            missing.Add("time");
        }
        if (string.IsNullOrWhiteSpace(Campaign) && string.IsNullOrWhiteSpace(CampaignName))
        {
            missing.Add("campaign");
        }
        return missing;
    }

    public string ToJson() => JsonSerializer.Serialize(this, CsvMappingJsonContext.Default.CsvColumnMapping);

    public static CsvColumnMapping? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, CsvMappingJsonContext.Default.CsvColumnMapping) is { } mapping
                ? mapping with { EventValues = new Dictionary<string, EventType>(mapping.EventValues, StringComparer.OrdinalIgnoreCase) }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public static class CsvTimestampFormat
{
    public const string Iso = "iso";
    public const string UnixSeconds = "unix-s";
    public const string UnixMilliseconds = "unix-ms";

    /// <summary>Formats tried on sample values when guessing, after ISO 8601 and Unix times.</summary>
    public static IReadOnlyList<string> Common { get; } =
    [
        "M/d/yyyy H:mm:ss", "M/d/yyyy H:mm", "M/d/yyyy h:mm:ss tt", "M/d/yyyy h:mm tt", "M/d/yy H:mm", "M/d/yy h:mm tt",
        "d/M/yyyy H:mm:ss", "d/M/yyyy H:mm", "d.M.yyyy H:mm:ss", "d.M.yyyy H:mm", "yyyy/MM/dd HH:mm:ss", "dd-MM-yyyy HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss 'UTC'", "ddd, dd MMM yyyy HH:mm:ss", "MMM d, yyyy h:mm tt", "MMM d, yyyy HH:mm",
    ];

    /// <summary>Reads a time in the given format as UTC Unix milliseconds.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, string format, out long unixMs)
    {
        text = text.Trim();
        unixMs = 0;
        if (text.IsEmpty)
        {
            return false;
        }
        switch (format)
        {
            case Iso:
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var iso))
                {
                    unixMs = iso.ToUnixTimeMilliseconds();
                    return true;
                }
                return false;
            case UnixSeconds or UnixMilliseconds:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || number < 0)
                {
                    return false;
                }
                var ms = format == UnixSeconds ? number * 1000 : number;
                if (ms > 253_402_300_799_000)
                {
                    return false;
                }
                unixMs = (long)Math.Round(ms);
                return true;
            default:
                if (DateTimeOffset.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var exact))
                {
                    unixMs = exact.ToUnixTimeMilliseconds();
                    return true;
                }
                return false;
        }
    }

    public static string Describe(string format) => format switch
    {
        Iso => "ISO 8601 (like 2026-03-02T14:00:07Z)",
        UnixSeconds => "Unix time in seconds",
        UnixMilliseconds => "Unix time in milliseconds",
        _ => $"the format {format}",
    };
}

/// <summary>The words exports use for each kind of event, compared without case, spaces, dashes or underscores.</summary>
public static class CsvEventValues
{
    private static readonly Dictionary<string, EventType> Common = new(StringComparer.Ordinal)
    {
        ["click"] = EventType.Click, ["clicked"] = EventType.Click, ["clicks"] = EventType.Click, ["emclicks"] = EventType.Click, ["linkclick"] = EventType.Click,
        ["open"] = EventType.Open, ["opened"] = EventType.Open, ["opens"] = EventType.Open, ["uniqueopened"] = EventType.Open, ["emopens"] = EventType.Open,
        ["delivered"] = EventType.Delivered, ["delivery"] = EventType.Delivered,
        ["sent"] = EventType.Sent, ["send"] = EventType.Sent, ["processed"] = EventType.Sent, ["request"] = EventType.Sent, ["emsends"] = EventType.Sent,
        ["bounce"] = EventType.Bounce, ["bounced"] = EventType.Bounce, ["hardbounce"] = EventType.Bounce, ["softbounce"] = EventType.Bounce, ["embounces"] = EventType.Bounce,
        ["unsubscribe"] = EventType.Unsubscribe, ["unsubscribed"] = EventType.Unsubscribe, ["optout"] = EventType.Unsubscribe, ["optedout"] = EventType.Unsubscribe, ["emoptouts"] = EventType.Unsubscribe,
        ["spamreport"] = EventType.SpamReport, ["spam"] = EventType.SpamReport, ["complaint"] = EventType.SpamReport, ["complained"] = EventType.SpamReport, ["abuse"] = EventType.SpamReport,
        ["dropped"] = EventType.Dropped, ["blocked"] = EventType.Dropped, ["rejected"] = EventType.Dropped,
        ["deferred"] = EventType.Deferred, ["delayed"] = EventType.Deferred,
    };

    /// <summary>The event a value names: the mapping's own values first, then the common words; <see cref="EventType.Other"/> otherwise (kept, never counted).</summary>
    public static EventType Resolve(string value, IReadOnlyDictionary<string, EventType> own)
    {
        var trimmed = value.Trim();
        if (own.Count > 0 && own.TryGetValue(trimmed, out var chosen))
        {
            return chosen;
        }
        return Common.TryGetValue(Normalize(trimmed), out var common) ? common : EventType.Other;
    }

    public static bool IsKnown(string value) => Common.ContainsKey(Normalize(value));

    private static string Normalize(string value)
    {
        Span<char> buffer = value.Length <= 64 ? stackalloc char[value.Length] : new char[value.Length];
        int n = 0;
        foreach (var c in value)
        {
            if (char.IsLetterOrDigit(c))
            {
                buffer[n++] = char.ToLowerInvariant(c);
            }
        }
        return new string(buffer[..n]);
    }
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CsvColumnMapping))]
internal sealed partial class CsvMappingJsonContext : JsonSerializerContext;
