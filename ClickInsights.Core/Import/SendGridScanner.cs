using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ClickInsights.Core.Import;

/// <summary>
/// The fast way through a SendGrid file: one pass of <see cref="Utf8JsonReader"/> over a refilled buffer, taking
/// each event's fields straight from the bytes, repeated text (addresses, links, agents, campaign names) kept once,
/// and the record's own bytes as its raw copy. An event in any shape it does not expect (an escaped or numeric
/// text field, a time as text, a missing field) is handed to <see cref="SendGridReader.Map"/> exactly as read, so
/// both ways give the same events and the same messages.
/// </summary>
internal sealed class SendGridScanner(string fileName, bool lines)
{
    private const int MaxPooledLength = 512;

    private byte[] _buffer = new byte[1 << 20];
    private int _length;
    private int _consumed;
    // Several arrays one after another are read too: webhook request bodies saved one per line.
    private JsonReaderState _state = new(new JsonReaderOptions { AllowMultipleValues = true });
    private int _index;
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly char[] _chars = new char[MaxPooledLength];
    private readonly char[] _lower = new char[MaxPooledLength];

    /// <summary>How many events were read so far.</summary>
    public int Count => _index;

    /// <summary>Moves unread bytes to the front and reads more; false at the end of the stream.</summary>
    public async ValueTask<bool> FillAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (_consumed > 0)
        {
            _buffer.AsSpan(_consumed, _length - _consumed).CopyTo(_buffer);
            _length -= _consumed;
            _consumed = 0;
        }
        if (_length == _buffer.Length)
        {
            // One event larger than the buffer; beyond the limit it is refused, never held whole (a ZIP of 1 MB can unpack to gigabytes).
            if (_buffer.Length >= ImportJson.MaxRecordBytes)
            {
                throw new ImportFormatException(fileName, $"after event {_index}", $"expected events of at most {ImportJson.MaxRecordBytes / (1024 * 1024)} MB; the next one is larger");
            }
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        int read = await stream.ReadAsync(_buffer.AsMemory(_length), cancellationToken);
        _length += read;
        return read > 0;
    }

    /// <summary>Reads every whole event in the buffer into <paramref name="output"/>; the rest waits for more bytes.</summary>
    public void Scan(bool isFinalBlock, List<ImportItem> output)
    {
        var data = _buffer.AsSpan(_consumed, _length - _consumed);
        var reader = new Utf8JsonReader(data, isFinalBlock, _state);
        int done = 0;
        var safe = _state;
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (!lines && reader.CurrentDepth == 0)
                {
                    // The arrays' own brackets.
                    if (token is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
                    {
                        throw new ImportFormatException(fileName, $"after event {_index}", $"expected a JSON array of events, found {KindName(token)}");
                    }
                    done = (int)reader.BytesConsumed;
                    safe = reader.CurrentState;
                    continue;
                }
                if (token != JsonTokenType.StartObject)
                {
                    throw new ImportFormatException(fileName, PathOfCurrent(), $"expected an event object, found {KindName(token)}");
                }
                var start = (int)reader.TokenStartIndex;
                if (!TryReadEvent(ref reader, data, start, out var item))
                {
                    break;
                }
                output.Add(item);
                _index++;
                done = (int)reader.BytesConsumed;
                safe = reader.CurrentState;
            }
        }
        catch (JsonException e)
        {
            var position = ImportJson.JsonErrorPosition(e, lines ? $"line {_index + 1}" : $"event {_index + 1}");
            // A file cut inside a value ("timestamp":17000) fails on that value; its end says what really happened.
            var end = data.TrimEnd(" \t\r\n"u8);
            if (isFinalBlock && (end.IsEmpty || end[^1] is not ((byte)']' or (byte)'}')))
            {
                throw new ImportFormatException(fileName, position, "the file ends in the middle of an event; it looks truncated");
            }
            throw new ImportFormatException(fileName, position, ImportJson.DescribeJsonError(e));
        }
        _consumed += done;
        _state = safe;
        if (isFinalBlock && _consumed < _length && data[done..].IndexOfAnyExcept(" \t\r\n"u8) >= 0)
        {
            throw new ImportFormatException(fileName, lines ? $"line {_index + 1}" : $"event {_index + 1}", "the file ends in the middle of an event (is it truncated?)");
        }
    }

    /// <summary>Where the event being read is, as messages name it (made only when needed: a million events would make a million strings).</summary>
    private string PathOfCurrent() => lines ? $"line {_index + 1}" : $"$[{_index}]";

    private static string KindName(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Reads one event from its opening brace; false when the buffer ends inside it (it is read again after a refill).
    /// </summary>
    private bool TryReadEvent(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, int start, out ImportItem item)
    {
        item = null!;
        int depth = reader.CurrentDepth;
        bool odd = false;
        ReadOnlySpan<byte> email = default, eventName = default, eventId = default, singleSend = default, singleSendName = default,
            campaign = default, campaignName = default, category = default, url = default, ip = default, agent = default;
        bool hasAgent = false, machineOpen = false;
        long timestamp = -1, sendAt = -1;
        int? position = null;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth)
            {
                break;
            }
            if (reader.ValueIsEscaped)
            {
                odd = true;
            }
            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                return false;
            }
            var token = reader.TokenType;
            if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                if (name.SequenceEqual("category"u8) && token == JsonTokenType.StartArray)
                {
                    if (!TryFirstString(ref reader, ref category, ref odd))
                    {
                        return false;
                    }
                }
                else if (name.SequenceEqual("url_offset"u8) && token == JsonTokenType.StartObject)
                {
                    if (!TryUrlOffset(ref reader, ref position, ref odd))
                    {
                        return false;
                    }
                }
                else if (!reader.TrySkip())
                {
                    return false;
                }
                continue;
            }
            switch (name.Length)
            {
                case 2 when name.SequenceEqual("ip"u8): odd |= !Text(ref reader, ref ip); break;
                case 3 when name.SequenceEqual("url"u8): odd |= !Text(ref reader, ref url); break;
                case 5 when name.SequenceEqual("email"u8): odd |= !Text(ref reader, ref email); break;
                case 5 when name.SequenceEqual("event"u8): odd |= !Text(ref reader, ref eventName); break;
                case 7 when name.SequenceEqual("send_at"u8): odd |= !Time(ref reader, out sendAt); break;
                case 8 when name.SequenceEqual("category"u8): odd |= !Text(ref reader, ref category); break;
                case 9 when name.SequenceEqual("timestamp"u8): odd |= !Time(ref reader, out timestamp); break;
                case 9 when name.SequenceEqual("useragent"u8):
                    if (token == JsonTokenType.String)
                    {
                        odd |= !Text(ref reader, ref agent);
                        hasAgent = true;
                    }
                    break;
                case 10 when name.SequenceEqual("url_offset"u8):
                    if (token == JsonTokenType.Number && reader.TryGetInt32(out var index))
                    {
                        position = index;
                    }
                    break;
                case 11 when name.SequenceEqual("sg_event_id"u8): odd |= !Text(ref reader, ref eventId); break;
                case 13 when name.SequenceEqual("singlesend_id"u8): odd |= !Text(ref reader, ref singleSend); break;
                case 15 when name.SequenceEqual("sg_machine_open"u8):
                    if (token == JsonTokenType.True)
                    {
                        machineOpen = true;
                    }
                    else if (token == JsonTokenType.String)
                    {
                        odd = true;
                    }
                    break;
                case 15 when name.SequenceEqual("singlesend_name"u8): odd |= !Text(ref reader, ref singleSendName); break;
                case 21 when name.SequenceEqual("marketing_campaign_id"u8): odd |= !Text(ref reader, ref campaign); break;
                case 23 when name.SequenceEqual("marketing_campaign_name"u8): odd |= !Text(ref reader, ref campaignName); break;
            }
        }

        var raw = data[start..(int)reader.BytesConsumed];
        if (!Utf8.IsValid(raw))
        {
            throw new ImportFormatException(fileName, PathOfCurrent(), "the event holds text that is not valid UTF-8; expected a UTF-8 JSON file");
        }
        var rawCopy = raw.ToArray();
        if (odd || email.IsEmpty || eventName.IsEmpty || timestamp <= 0)
        {
            item = General(rawCopy, PathOfCurrent());
            return true;
        }
        var address = Pooled(email, lowerTrim: true);
        if (!address.Contains('@') || (!char.IsAsciiLetter((char)eventName[0]) && string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(eventName))))
        {
            item = General(rawCopy, PathOfCurrent());
            return true;
        }

        string key, campaignTitle;
        if (!singleSend.IsEmpty)
        {
            key = Pooled(singleSend);
            campaignTitle = singleSendName.IsEmpty ? $"Single Send {key}" : Pooled(singleSendName);
        }
        else if (!campaign.IsEmpty)
        {
            key = Pooled(campaign);
            campaignTitle = campaignName.IsEmpty ? $"Campaign {key}" : Pooled(campaignName);
        }
        else if (!category.IsEmpty && !string.IsNullOrWhiteSpace(key = Pooled(category)))
        {
            campaignTitle = key;
        }
        else
        {
            (key, campaignTitle) = ("none", "Events without a campaign");
        }

        var type = SendGridReader.TypeOf(eventName);
        item = new NormalizedEvent
        {
            Source = SendGridReader.SourceName,
            ExternalId = SendGridReader.EventId(eventId.IsEmpty ? ImportJson.ContentHash(rawCopy) : Encoding.UTF8.GetString(eventId), type),
            CampaignKey = key,
            CampaignName = campaignTitle,
            CampaignSentAtMs = sendAt > 0 ? sendAt : null,
            Email = address,
            Type = type,
            OccurredAtMs = timestamp,
            Url = url.IsEmpty ? null : Pooled(url),
            LinkPosition = position,
            Ip = ip.IsEmpty ? null : Pooled(ip),
            UserAgent = hasAgent ? Pooled(agent) : null,
            ProviderBotFlag = machineOpen ? "sg_machine_open" : null,
            RawUtf8 = rawCopy,
        };
        return true;
    }

    private NormalizedEvent General(byte[] raw, string path)
    {
        using var document = JsonDocument.Parse(raw);
        return SendGridReader.Map(document.RootElement, fileName, path, raw);
    }

    /// <summary>
    /// An unescaped text value (empty text stays unset, as the general way reads it); false for escaped text (rare
    /// in SendGrid's own fields, its exact reading is left to the general way) and for any other kind but null.
    /// </summary>
    private static bool Text(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueIsEscaped:
                return false;
            case JsonTokenType.String:
                value = reader.ValueSpan;
                return true;
            case JsonTokenType.Null:
            case JsonTokenType.True:
            case JsonTokenType.False:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Unix seconds or milliseconds as a whole number; false for anything else (left to the general way).</summary>
    private static bool Time(ref Utf8JsonReader reader, out long ms)
    {
        ms = -1;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var number) || number < 0)
        {
            return false;
        }
        // 100,000,000,000 s is the year 5138; anything larger is milliseconds.
        ms = number > 100_000_000_000 ? number : number * 1000;
        return ms <= 253_402_300_799_000;
    }

    private static bool TryFirstString(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> value, ref bool odd)
    {
        int depth = reader.CurrentDepth;
        bool found = false;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }
            if (reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth)
            {
                return true;
            }
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                if (!reader.TrySkip())
                {
                    return false;
                }
            }
            else if (reader.TokenType == JsonTokenType.String && !found)
            {
                found = true;
                odd |= reader.ValueIsEscaped;
                value = reader.ValueSpan;
            }
        }
    }

    private static bool TryUrlOffset(ref Utf8JsonReader reader, ref int? position, ref bool odd)
    {
        int depth = reader.CurrentDepth;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }
            odd |= reader.ValueIsEscaped;
            bool isIndex = reader.ValueSpan.SequenceEqual("index"u8);
            if (!reader.Read())
            {
                return false;
            }
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                if (!reader.TrySkip())
                {
                    return false;
                }
            }
            else if (isIndex && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var index))
            {
                position = index;
            }
        }
    }

    /// <summary>The text of UTF-8 bytes, one string for all equal values.</summary>
    private string Pooled(ReadOnlySpan<byte> utf8, bool lowerTrim = false)
    {
        if (utf8.Length > MaxPooledLength)
        {
            var text = Encoding.UTF8.GetString(utf8);
            return lowerTrim ? text.Trim().ToLowerInvariant() : text;
        }
        var count = Encoding.UTF8.GetChars(utf8, _chars);
        ReadOnlySpan<char> chars = _chars.AsSpan(0, count);
        if (lowerTrim)
        {
            chars = chars.Trim();
            var lower = _lower.AsSpan(0, chars.Length);
            chars.ToLowerInvariant(lower);
            chars = lower;
        }
        var lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars, out var pooled))
        {
            return pooled;
        }
        var added = chars.ToString();
        _pool.Add(added, added);
        return added;
    }
}
