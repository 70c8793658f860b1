using System.Text.Json;

namespace ClickInsights.Core.Import;

/// <summary>
/// A JSON value with where it is in the file (<c>$.emails[3].activity[1].timestamp</c>), so that every read of a
/// field either succeeds or throws an <see cref="ImportFormatException"/> naming the place and what was expected.
/// A missing property is a value of kind <see cref="JsonValueKind.Undefined"/>.
/// </summary>
internal readonly struct LocatedJson(JsonElement value, string fileName, string path, string name)
{
    public JsonElement Value => value;

    public bool IsMissing => value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;

    public LocatedJson this[string property] =>
        new(value.ValueKind == JsonValueKind.Object && value.TryGetProperty(property, out var found) ? found : default, fileName, $"{path}.{property}", property);

    public ImportFormatException Error(string problem) => new(fileName, path, problem);

    public LocatedJson RequireObject(string what) =>
        value.ValueKind == JsonValueKind.Object ? this : throw Error($"expected {what} (a JSON object), found {Describe()}");

    public string RequiredString()
    {
        if (IsMissing)
        {
            throw Error($"expected a text field \"{name}\"; it is missing");
        }
        return OptionalString() ?? throw Error($"expected \"{name}\" to be non-empty text, found {Describe()}");
    }

    /// <summary>Text, or a number as written; null when missing, null or empty.</summary>
    public string? OptionalString() => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()) ? null : value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => throw Error($"expected \"{name}\" to be text, found {Describe()}"),
    };

    /// <summary>true or false; null when missing or null.</summary>
    public bool? OptionalBool() => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error($"expected \"{name}\" to be true or false, found {Describe()}"),
    };

    /// <summary>An address, trimmed and lower-cased.</summary>
    public string RequiredEmail()
    {
        var email = RequiredString().Trim().ToLowerInvariant();
        return email.Contains('@') ? email : throw Error($"expected an email address in \"{name}\", found \"{email}\"");
    }

    public long RequiredIsoTime() =>
        IsMissing ? throw Error($"expected an ISO 8601 time in \"{name}\"; it is missing") : OptionalIsoTime() ?? throw Error($"expected an ISO 8601 time in \"{name}\", found {Describe()}");

    /// <summary>An ISO 8601 time as UTC Unix milliseconds; null when missing, null or empty (an unsent campaign's send time).</summary>
    public long? OptionalIsoTime()
    {
        if (IsMissing || (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())))
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && ImportJson.TryParseIsoTime(value.GetString()!, out var ms))
        {
            return ms;
        }
        throw Error($"expected an ISO 8601 time in \"{name}\" (like 2019-04-25T11:08:00.000Z), found {Describe()}");
    }

    /// <summary>Unix seconds (with or without a fraction) or milliseconds, as UTC Unix milliseconds.</summary>
    public long RequiredUnixTime() =>
        IsMissing ? throw Error($"expected Unix time in \"{name}\"; it is missing") : ImportJson.UnixTimeMs(value, fileName, path);

    /// <summary>The items of an array; none when the field is missing or null.</summary>
    public IEnumerable<LocatedJson> OptionalItems()
    {
        if (IsMissing)
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error($"expected \"{name}\" to be an array, found {Describe()}");
        }
        return Items(value, fileName, path);
    }

    public IEnumerable<LocatedJson> RequiredItems() =>
        IsMissing ? throw Error($"expected an array \"{name}\"; it is missing") : OptionalItems();

    private static IEnumerable<LocatedJson> Items(JsonElement array, string fileName, string path)
    {
        int index = 0;
        foreach (var item in array.EnumerateArray())
        {
            yield return new LocatedJson(item, fileName, $"{path}[{index}]", $"[{index}]");
            index++;
        }
    }

    /// <summary>The value in words for a message: <c>number 5</c>, <c>text "x"</c>, <c>an object</c>.</summary>
    public string Describe() => value.ValueKind switch
    {
        JsonValueKind.Undefined => "nothing",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"text \"{Shorten(value.GetString()!)}\"",
        JsonValueKind.Number => $"number {value.GetRawText()}",
        _ => value.GetRawText(),
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
