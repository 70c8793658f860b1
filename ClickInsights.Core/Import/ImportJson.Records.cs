using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ClickInsights.Core.Import;

/// <summary>
/// One record read from a JSON file: an element of a page's array (<c>$.tracking_activities[3]</c>), an element of
/// a top-level array (<c>$[3]</c>), or a top-level object that is not a page (a webhook body, an NDJSON line:
/// <c>line 7, $</c>). After the last record of a page comes a record with <see cref="IsPageEnd"/> set, when the
/// page's own fields (which may follow its array) are all known.
/// </summary>
internal sealed class JsonRecord
{
    public required string FileName { get; init; }
    public required string Path { get; init; }
    public required JsonPage Page { get; init; }
    public JsonElement Element { get; init; }
    /// <summary>The exact text of the record in the file.</summary>
    public string Raw { get; init; } = "";
    /// <summary>The page array the record is an element of; null for a top-level record or an element of a top-level array.</summary>
    public string? Array { get; init; }
    public bool IsPageEnd { get; init; }

    public LocatedJson Value => new(Element, FileName, Path, "record");
}

/// <summary>The fields of a page object other than its record arrays (<c>campaign_id</c>, <c>total_items</c>, <c>_links</c>), as read so far.</summary>
internal sealed class JsonPage(string fileName, string path)
{
    internal Dictionary<string, JsonElement> Fields { get; } = new(StringComparer.Ordinal);

    public string Path => path;

    public LocatedJson this[string name] => new(Fields.TryGetValue(name, out var value) ? value : default, fileName, $"{path}.{name}", name);
}

internal static partial class ImportJson
{
    /// <summary>
    /// Streams the records of a JSON file without holding more of it than one record (or one page's small fields):
    /// pages (a top-level object with one of <paramref name="pageArrays"/>), arrays, single objects, and several
    /// top-level values one after another (NDJSON). Malformed JSON throws <see cref="ImportFormatException"/> with
    /// its line and column.
    /// </summary>
    /// <param name="expected">What the file should be, in words, for the message when it is empty or not JSON.</param>
    public static async IAsyncEnumerable<JsonRecord> ReadRecordsAsync(Stream stream, string fileName, string expected, IReadOnlyCollection<string> pageArrays,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var scanner = new RecordScanner(fileName, expected, pageArrays);
        var ready = new List<JsonRecord>();
        bool more = true;
        while (more)
        {
            more = await scanner.FillAsync(stream, cancellationToken);
            scanner.Scan(isFinalBlock: !more, ready);
            foreach (var record in ready)
            {
                yield return record;
            }
            ready.Clear();
        }
    }

    /// <summary>
    /// Utf8JsonReader over a buffer refilled from the stream. Bytes are dropped once read, except from the start of
    /// a value still being read (a record, or a top-level object not yet known to be a page), which is parsed
    /// from the buffer when its end arrives.
    /// </summary>
    private sealed class RecordScanner(string fileName, string expected, IReadOnlyCollection<string> pageArrays)
    {
        private enum Level { BetweenValues, TopArray, TopObject }

        private byte[] _buffer = new byte[64 * 1024];
        private int _length;
        private int _consumed;
        private int _keepFrom = -1;
        private long _lineAtStart = 1;
        private long _columnAtStart;
        private bool _started;
        private JsonReaderState _state = new(new JsonReaderOptions { AllowMultipleValues = true });

        private Level _level;
        private int _topValues;
        private string _prefix = "$";
        private string _recordPrefix = "line 1, $";
        private JsonPage _page = new(fileName, "$");
        private int _topStart = -1;
        private int _lastFieldEnd = -1;
        private int _valueStart = -1;
        private bool _isPage;
        private bool _inPageArray;
        private bool _capturing;
        private bool _skipping;
        private string? _property;
        private string? _pageArray;
        private int _index;

        public async ValueTask<bool> FillAsync(Stream stream, CancellationToken cancellationToken)
        {
            var keep = _keepFrom >= 0 ? Math.Min(_keepFrom, _consumed) : _consumed;
            if (keep > 0)
            {
                (_lineAtStart, var column) = Locate(keep);
                _columnAtStart = column - 1;
                _buffer.AsSpan(keep, _length - keep).CopyTo(_buffer);
                _length -= keep;
                _consumed -= keep;
                Shift(ref _keepFrom, keep);
                Shift(ref _topStart, keep);
                Shift(ref _lastFieldEnd, keep);
                Shift(ref _valueStart, keep);
            }
            if (_length == _buffer.Length)
            {
                // One record (or the start of a page before its array) larger than the buffer; beyond the limit it is
                // refused, never held whole.
                if (_buffer.Length >= MaxRecordBytes)
                {
                    var (line, column) = Locate(_keepFrom >= 0 ? _keepFrom : 0);
                    throw new ImportFormatException(fileName, $"line {line}, column {column}", $"expected records of at most {MaxRecordBytes / (1024 * 1024)} MB; this one is larger");
                }
                System.Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            var read = await stream.ReadAsync(_buffer.AsMemory(_length), cancellationToken);
            _length += read;
            return read > 0;
        }

        private static void Shift(ref int offset, int by)
        {
            if (offset >= 0)
            {
                offset -= by;
            }
        }

        public void Scan(bool isFinalBlock, List<JsonRecord> output)
        {
            if (!_started)
            {
                if (_length < 3 && !isFinalBlock)
                {
                    return;
                }
                if (_buffer.AsSpan(0, _length).StartsWith("\uFEFF"u8))
                {
                    _consumed = 3;
                    _columnAtStart = -3;
                }
                _started = true;
            }
            if (isFinalBlock && _topValues == 0 && _level == Level.BetweenValues && IsBlank(_buffer.AsSpan(_consumed, _length - _consumed)))
            {
                throw new ImportFormatException(fileName, "line 1", $"the file is empty; expected {expected}");
            }

            var origin = _consumed;
            var reader = new Utf8JsonReader(_buffer.AsSpan(origin, _length - origin), isFinalBlock, _state);
            try
            {
                while (reader.Read())
                {
                    Handle(ref reader, origin + (int)reader.TokenStartIndex, origin + (int)reader.BytesConsumed, output);
                }
            }
            catch (JsonException e)
            {
                var (line, column) = Locate(origin + (int)reader.BytesConsumed);
                throw new ImportFormatException(fileName, ImportJson.JsonErrorPosition(e, $"line {line}, column {column}"), ImportJson.DescribeJsonError(e));
            }
            _consumed = origin + (int)reader.BytesConsumed;
            _state = reader.CurrentState;
        }

        private void Handle(ref Utf8JsonReader reader, int start, int end, List<JsonRecord> output)
        {
            var depth = reader.CurrentDepth;
            var token = reader.TokenType;
            switch (_level)
            {
                case Level.BetweenValues:
                    StartTopValue(token, start);
                    break;
                case Level.TopArray when depth == 0:
                    _level = Level.BetweenValues;
                    break;
                case Level.TopArray:
                    Element(token, depth, 1, start, end, output);
                    break;
                case Level.TopObject when depth == 0:
                    output.Add(_isPage
                        ? new JsonRecord { FileName = fileName, Path = _page.Path, Page = _page, IsPageEnd = true }
                        : Record(_topStart, end, _recordPrefix, null));
                    _keepFrom = -1;
                    _level = Level.BetweenValues;
                    break;
                case Level.TopObject when _inPageArray:
                    if (depth == 1)
                    {
                        _inPageArray = false;
                    }
                    else
                    {
                        Element(token, depth, 2, start, end, output);
                    }
                    break;
                case Level.TopObject when !_isPage:
                    TopObjectField(ref reader, token, depth, start, end);
                    break;
                case Level.TopObject:
                    PageField(ref reader, token, depth, start, end);
                    break;
            }
        }

        private void StartTopValue(JsonTokenType token, int start)
        {
            _topValues++;
            var (line, column) = Locate(start);
            _prefix = _topValues == 1 ? "$" : $"line {line}, $";
            _recordPrefix = $"line {line}, $";
            _page = new JsonPage(fileName, _prefix);
            _index = 0;
            switch (token)
            {
                case JsonTokenType.StartArray:
                    _level = Level.TopArray;
                    break;
                case JsonTokenType.StartObject:
                    _level = Level.TopObject;
                    _isPage = _inPageArray = _capturing = _skipping = false;
                    _property = _pageArray = null;
                    _topStart = _keepFrom = start;
                    _lastFieldEnd = -1;
                    break;
                default:
                    throw new ImportFormatException(fileName, $"line {line}, column {column}", $"expected {expected}, found a bare {TokenName(token)}");
            }
        }

        /// <summary>A field of a top-level object not yet known to be a page; it becomes one at the first page array.</summary>
        private void TopObjectField(ref Utf8JsonReader reader, JsonTokenType token, int depth, int start, int end)
        {
            if (depth != 1)
            {
                return;
            }
            switch (token)
            {
                case JsonTokenType.PropertyName:
                    _property = PropertyName(ref reader, start);
                    break;
                case JsonTokenType.StartArray when _property is not null && pageArrays.Contains(_property):
                    // The fields before the array are complete values: close them into an object to keep them.
                    if (_lastFieldEnd >= 0)
                    {
                        var fields = new byte[_lastFieldEnd - _topStart + 1];
                        _buffer.AsSpan(_topStart, _lastFieldEnd - _topStart).CopyTo(fields);
                        fields[^1] = (byte)'}';
                        using var document = JsonDocument.Parse(fields);
                        CheckText(fields, document.RootElement, _topStart);
                        foreach (var field in document.RootElement.EnumerateObject())
                        {
                            _page.Fields[field.Name] = field.Value.Clone();
                        }
                    }
                    _isPage = true;
                    _keepFrom = -1;
                    StartPageArray();
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    break;
                default:
                    // A scalar, or the end of an object or array: a field's value is complete.
                    _lastFieldEnd = end;
                    break;
            }
        }

        /// <summary>A field of a page outside its record arrays: kept (small values and objects), or skipped (other arrays).</summary>
        private void PageField(ref Utf8JsonReader reader, JsonTokenType token, int depth, int start, int end)
        {
            if (_capturing || _skipping)
            {
                if (depth == 1)
                {
                    if (_capturing)
                    {
                        _page.Fields[_property!] = Parse(_valueStart, end);
                        _keepFrom = -1;
                    }
                    _capturing = _skipping = false;
                }
                return;
            }
            switch (token)
            {
                case JsonTokenType.PropertyName:
                    _property = PropertyName(ref reader, start);
                    break;
                case JsonTokenType.StartArray when pageArrays.Contains(_property!):
                    StartPageArray();
                    break;
                case JsonTokenType.StartArray:
                    _skipping = true;
                    break;
                case JsonTokenType.StartObject:
                    _capturing = true;
                    _valueStart = _keepFrom = start;
                    break;
                default:
                    _page.Fields[_property!] = Parse(start, end);
                    break;
            }
        }

        private void StartPageArray()
        {
            _inPageArray = true;
            _pageArray = _property;
            _index = 0;
        }

        /// <summary>A token of a record array at <paramref name="elementDepth"/>: records start and end there.</summary>
        private void Element(JsonTokenType token, int depth, int elementDepth, int start, int end, List<JsonRecord> output)
        {
            if (depth != elementDepth)
            {
                return;
            }
            switch (token)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    _valueStart = _keepFrom = start;
                    return;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    start = _valueStart;
                    _keepFrom = -1;
                    break;
            }
            var inPage = _level == Level.TopObject;
            output.Add(Record(start, end, inPage ? $"{_prefix}.{_pageArray}[{_index}]" : $"{_prefix}[{_index}]", inPage ? _pageArray : null));
            _index++;
        }

        private JsonRecord Record(int start, int end, string path, string? array) => new()
        {
            FileName = fileName,
            Path = path,
            Page = _page,
            Element = Parse(start, end),
            Raw = Encoding.UTF8.GetString(_buffer, start, end - start),
            Array = array,
        };

        private JsonElement Parse(int start, int end)
        {
            var bytes = _buffer.AsMemory(start, end - start);
            using var document = JsonDocument.Parse(bytes);
            CheckText(bytes.Span, document.RootElement, start);
            return document.RootElement.Clone();
        }

        private string PropertyName(ref Utf8JsonReader reader, int start)
        {
            try
            {
                return reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                throw NotText(start);
            }
        }

        /// <summary>
        /// The JSON reader checks syntax but not the text inside strings: bytes that are not UTF-8, or an unpaired
        /// <c>\uD800</c> escape, would only fail later, when a reader takes the text.
        /// </summary>
        private void CheckText(ReadOnlySpan<byte> bytes, JsonElement value, int start)
        {
            if (!Utf8.IsValid(bytes) || (bytes.IndexOf("\\u"u8) >= 0 && !IsText(value)))
            {
                throw NotText(start);
            }
        }

        private static bool IsText(JsonElement value)
        {
            try
            {
                switch (value.ValueKind)
                {
                    case JsonValueKind.String:
                        _ = value.GetString();
                        return true;
                    case JsonValueKind.Array:
                        return value.EnumerateArray().All(IsText);
                    case JsonValueKind.Object:
                        return value.EnumerateObject().All(p => p.Name is not null && IsText(p.Value));
                    default:
                        return true;
                }
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        private ImportFormatException NotText(int start)
        {
            var (line, column) = Locate(start);
            return new ImportFormatException(fileName, $"line {line}, column {column}",
                "expected UTF-8 text; found bytes that are not UTF-8 (was the file saved in another encoding?) or an unpaired \\u surrogate escape");
        }

        /// <summary>Line and column (both from 1) of a byte in the buffer.</summary>
        private (long Line, long Column) Locate(int offset)
        {
            var before = _buffer.AsSpan(0, offset);
            var lastNewline = before.LastIndexOf((byte)'\n');
            return lastNewline < 0
                ? (_lineAtStart, _columnAtStart + offset + 1)
                : (_lineAtStart + before.Count((byte)'\n'), offset - lastNewline);
        }

        private static bool IsBlank(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept(" \t\r\n"u8) < 0;

        private static string TokenName(JsonTokenType token) => token switch
        {
            JsonTokenType.String => "text value",
            JsonTokenType.Number => "number",
            JsonTokenType.True or JsonTokenType.False => "true/false value",
            JsonTokenType.Null => "null",
            _ => token.ToString(),
        };
    }
}
