using System.Text.Json;

namespace ClickInsights.Core.Import;

/// <summary>
/// The property names at the start of a JSON file, by place: the keys of top-level objects, and the keys of each
/// object in a record's place (a top-level object, an element of a top-level array, an element of an array held
/// by a top-level object). Readers tell formats apart by these, not by words anywhere in the text, so that a
/// <c>message-id</c> deep inside a Mailgun event does not look like Brevo's top-level one.
/// </summary>
internal sealed class JsonHead
{
    public HashSet<string> RootKeys { get; } = new(StringComparer.Ordinal);

    public List<HashSet<string>> Records { get; } = [];

    public bool RootHasAny(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (RootKeys.Contains(key))
            {
                return true;
            }
        }
        return false;
    }

    public bool AnyRecord(Func<HashSet<string>, bool> test) => Records.Exists(r => test(r));
}

internal static partial class ImportJson
{
    /// <summary>Reads the keys of a file's head; stops quietly where the head is cut or stops being JSON.</summary>
    public static JsonHead ScanHead(ReadOnlySpan<byte> head)
    {
        var result = new JsonHead();
        if (head.StartsWith("\uFEFF"u8))
        {
            head = head[3..];
        }
        var reader = new Utf8JsonReader(head, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { AllowMultipleValues = true }));
        // For each open container by depth: whether it is an array, and the key set it fills if it is a record.
        var open = new List<(bool IsArray, HashSet<string>? Keys)>();
        try
        {
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        var isRecord = depth == 0
                            || (open[depth - 1].IsArray && (depth == 1 || (depth == 2 && !open[0].IsArray)));
                        HashSet<string>? keys = isRecord ? new(StringComparer.Ordinal) : null;
                        if (keys is not null)
                        {
                            result.Records.Add(keys);
                        }
                        Open(open, depth, (false, keys));
                        break;
                    case JsonTokenType.StartArray:
                        Open(open, depth, (true, null));
                        break;
                    case JsonTokenType.PropertyName when open[depth - 1].Keys is { } owner:
                        var name = reader.GetString()!;
                        owner.Add(name);
                        if (depth == 1)
                        {
                            result.RootKeys.Add(name);
                        }
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON from here on: what was seen before decides.
        }
        return result;
    }

    private static void Open(List<(bool IsArray, HashSet<string>? Keys)> open, int depth, (bool IsArray, HashSet<string>? Keys) container)
    {
        open.RemoveRange(depth, open.Count - depth);
        open.Add(container);
    }
}
