using System.Runtime.CompilerServices;
using System.Text;
using ClickInsights.Core.Data;
using nietras.SeparatedValues;

namespace ClickInsights.Core.Import;

/// <summary>
/// Any provider's CSV export, read through a <see cref="CsvColumnMapping"/>: streamed row by row (Sep), quoted
/// cells and line breaks inside quotes handled, a malformed row named by its line and column.
/// </summary>
public sealed class CsvEventReader(CsvColumnMapping mapping, char delimiter = ',', bool isUtf8 = true) : IEventReader
{
    public const string SourceName = "csv";
    public const string FormatName = "CSV export (columns chosen by you)";

    public CsvColumnMapping Mapping => mapping;

    public string Format => FormatName;

    public bool CanRead(ReadOnlySpan<byte> head) => CsvHeader.TrySniff(head, isWholeFile: false, out _);

    public async IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var text = new StreamReader(stream, isUtf8 ? new UTF8Encoding(false, throwOnInvalidBytes: false) : Encoding.Latin1, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        // The header row is read as a row: Sep refuses a header that names a column twice or leaves two names blank,
        // as exports edited in a spreadsheet often do. Names are compared without case; a repeated name keeps its first column.
        using var reader = await Sep.Reader(o => o with
        {
            Sep = new Sep(delimiter),
            HasHeader = false,
            Unescape = true,
            DisableColCountCheck = true,
        }).FromAsync(text, cancellationToken);

        if (!await NextRowAsync(reader, 1, fileName, cancellationToken) || reader.Current.ColCount == 1 && reader.Current[0].Span.IsWhiteSpace())
        {
            throw new ImportFormatException(fileName, "line 1", "the file is empty; expected a header row naming the columns");
        }
        var header = new string[reader.Current.ColCount];
        for (int i = 0; i < header.Length; i++)
        {
            header[i] = reader.Current[i].ToString();
        }
        var columns = Resolve(header, fileName);
        var cells = new string[header.Length];
        long row = 1;
        while (await NextRowAsync(reader, ++row, fileName, cancellationToken))
        {
            if (Map(reader.Current, columns, cells, fileName) is { } e)
            {
                yield return e;
            }
        }
    }

    /// <summary>The next row; a row too long for the reader (over 16 MB, a file that is not CSV or a hostile one) refuses the file.</summary>
    private static async ValueTask<bool> NextRowAsync(SepReader reader, long row, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.MoveNextAsync(cancellationToken);
        }
        catch (NotSupportedException)
        {
            throw new ImportFormatException(fileName, $"row {row:N0}", "expected CSV rows of at most a few megabytes; this row is longer (is the file a CSV export?)");
        }
    }

    private readonly record struct Columns(int Count, int Email, int Time, int Type, int Url, int Ip, int Agent, int Campaign, int EventId);

    private Columns Resolve(IReadOnlyList<string> header, string fileName)
    {
        var names = header.Select(h => h.Trim()).ToList();
        int Index(string? column, string field, bool required)
        {
            if (string.IsNullOrWhiteSpace(column))
            {
                return required
                    ? throw new ImportFormatException(fileName, "line 1", $"no column is chosen for the {field}")
                    : -1;
            }
            var index = names.FindIndex(n => string.Equals(n, column.Trim(), StringComparison.OrdinalIgnoreCase));
            return index >= 0 ? index : throw new ImportFormatException(fileName, "line 1",
                $"expected a column \"{column}\" for the {field}, but the header row has: {string.Join(", ", names.Select(n => $"\"{n}\""))}");
        }

        if (string.IsNullOrWhiteSpace(mapping.Campaign) && string.IsNullOrWhiteSpace(mapping.CampaignName))
        {
            throw new ImportFormatException(fileName, "line 1", "no column is chosen for the campaign, and no campaign name is given");
        }
        return new Columns(names.Count,
            Index(mapping.Email, "email address", true),
            Index(mapping.Timestamp, "time", true),
            Index(mapping.EventType, "event type", false),
            Index(mapping.Url, "link", false),
            Index(mapping.Ip, "IP address", false),
            Index(mapping.UserAgent, "user agent", false),
            Index(mapping.Campaign, "campaign", false),
            Index(mapping.EventId, "event id", false));
    }

    private NormalizedEvent? Map(SepReader.Row row, Columns columns, string[] cells, string fileName)
    {
        var line = row.LineNumberFrom;
        if (row.ColCount == 1 && row[0].Span.IsWhiteSpace())
        {
            // A blank line (often the last one).
            return null;
        }
        if (row.ColCount != columns.Count)
        {
            throw new ImportFormatException(fileName, $"line {line}",
                $"expected {columns.Count} cells as in the header row, found {row.ColCount} (a missing quote, or a delimiter inside a cell without quotes?)");
        }
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = row[i].ToString().Trim();
        }
        string At(string? column) => $"line {line}, column \"{column}\"";
        string? Optional(int index) => index >= 0 && cells[index].Length > 0 ? cells[index] : null;

        var email = cells[columns.Email].ToLowerInvariant();
        if (!email.Contains('@'))
        {
            throw new ImportFormatException(fileName, At(mapping.Email), $"expected an email address, found \"{Shorten(cells[columns.Email])}\"");
        }
        if (!CsvTimestampFormat.TryParse(cells[columns.Time], mapping.TimestampFormat, out var occurredAt))
        {
            throw new ImportFormatException(fileName, At(mapping.Timestamp),
                $"expected a time in {CsvTimestampFormat.Describe(mapping.TimestampFormat)}, found \"{Shorten(cells[columns.Time])}\"");
        }
        EventType type;
        if (columns.Type >= 0)
        {
            if (cells[columns.Type].Length == 0)
            {
                throw new ImportFormatException(fileName, At(mapping.EventType), "expected the kind of event (like click or open), found an empty cell");
            }
            type = CsvEventValues.Resolve(cells[columns.Type], mapping.EventValues);
        }
        else
        {
            type = mapping.FixedEventType;
        }

        var campaign = Optional(columns.Campaign) ?? mapping.CampaignName ?? "Imported CSV";
        var url = Optional(columns.Url);
        return new NormalizedEvent
        {
            Source = SourceName,
            // The cells, not the text of the line: the same row quoted differently is the same event.
            ExternalId = Optional(columns.EventId) ?? ImportJson.ContentHash(string.Join('\u001f', cells)),
            CampaignKey = campaign,
            CampaignName = campaign,
            Email = email,
            Type = type,
            OccurredAtMs = occurredAt,
            Url = url,
            Ip = Optional(columns.Ip),
            UserAgent = Optional(columns.Agent),
            Raw = row.Span.ToString(),
        };
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
