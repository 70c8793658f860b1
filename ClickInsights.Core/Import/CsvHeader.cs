using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// The header row of a CSV file and a few rows after it, sniffed from the first bytes: the delimiter (comma,
/// semicolon or tab), the column names, and the key under which a mapping for this header set is remembered.
/// </summary>
public sealed partial record CsvHeader(char Delimiter, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Samples, bool IsUtf8)
{
    private static readonly char[] Delimiters = [',', ';', '\t'];

    /// <summary>SHA-256 of the header names, trimmed, lower-cased and in order: the same export layout gets the same key.</summary>
    public string Key { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', Columns.Select(c => c.Trim().ToLowerInvariant())))));

    public string DelimiterName => Delimiter switch { ',' => "comma", ';' => "semicolon", '\t' => "tab", _ => $"'{Delimiter}'" };

    /// <summary>Whether the start of a file is a delimited text file with a header row of at least two columns.</summary>
    /// <param name="isWholeFile">The head is the whole file, so its last row is complete.</param>
    public static bool TrySniff(ReadOnlySpan<byte> head, bool isWholeFile, out CsvHeader? header)
    {
        header = null;
        if (head.StartsWith("\uFEFF"u8))
        {
            head = head[3..];
        }
        if (head.IsEmpty || head.IndexOf((byte)0) >= 0)
        {
            return false;
        }
        var isUtf8 = IsValidUtf8(head, isWholeFile);
        var text = isUtf8 ? Encoding.UTF8.GetString(head) : Encoding.Latin1.GetString(head);
        var first = text.AsSpan().TrimStart();
        if (first.IsEmpty || first[0] is '{' or '[' or '<')
        {
            return false;
        }

        List<List<string>>? best = null;
        char bestDelimiter = ',';
        foreach (var delimiter in Delimiters)
        {
            var records = ParseRecords(text, delimiter, 21, isWholeFile);
            if (records.Count == 0 || records[0].Count < 2 || records[0].All(string.IsNullOrWhiteSpace))
            {
                continue;
            }
            var columns = records[0].Count;
            // Every sampled row has as many cells as the header; a file of prose with a comma or two does not.
            if (records.Skip(1).Any(r => r.Count != columns))
            {
                continue;
            }
            if (best is null || columns > best[0].Count)
            {
                (best, bestDelimiter) = (records, delimiter);
            }
        }
        if (best is null)
        {
            return false;
        }
        header = new CsvHeader(bestDelimiter, best[0].Select(c => c.Trim()).ToArray(), best.Skip(1).Select(r => (IReadOnlyList<string>)r).ToArray(), isUtf8);
        return true;
    }

    /// <summary>UTF-8 throughout, allowing a character cut at the end of the head.</summary>
    private static bool IsValidUtf8(ReadOnlySpan<byte> head, bool isWholeFile)
    {
        if (Utf8.IsValid(head))
        {
            return true;
        }
        if (isWholeFile)
        {
            return false;
        }
        for (int cut = 1; cut <= 3 && cut < head.Length; cut++)
        {
            if (Utf8.IsValid(head[..^cut]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>RFC 4180 records (quoted cells with doubled quotes and line breaks), blank lines skipped; an unfinished last record is dropped.</summary>
    internal static List<List<string>> ParseRecords(string text, char delimiter, int max, bool complete)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false, cellStarted = false;
        for (int i = 0; i < text.Length && records.Count < max; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        cell.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    cell.Append(c);
                }
                continue;
            }
            if (c == '"' && cell.Length == 0)
            {
                quoted = cellStarted = true;
            }
            else if (c == delimiter)
            {
                record.Add(cell.ToString());
                cell.Clear();
                cellStarted = true;
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                if (cellStarted || cell.Length > 0 || record.Count > 0)
                {
                    record.Add(cell.ToString());
                    records.Add(record);
                    record = [];
                }
                cell.Clear();
                cellStarted = false;
            }
            else
            {
                cell.Append(c);
                cellStarted = true;
            }
        }
        if (complete && records.Count < max && !quoted && (cellStarted || cell.Length > 0 || record.Count > 0))
        {
            record.Add(cell.ToString());
            records.Add(record);
        }
        return records;
    }

    /// <summary>
    /// A mapping guessed from the header names and sample values, and what it could not find. Confident when the
    /// email, the time (in a format every sample reads in) and the kind of event (a column, or a clicks file) are known.
    /// </summary>
    public CsvMappingGuess Guess(string fileName)
    {
        var normalized = Columns.Select(Normalize).ToArray();
        var used = new HashSet<int>();

        int Find(string[] exact, Func<string, bool>? loose = null)
        {
            foreach (var name in exact)
            {
                var index = Array.IndexOf(normalized, name);
                if (index >= 0 && used.Add(index))
                {
                    return index;
                }
            }
            if (loose is not null)
            {
                for (int i = 0; i < normalized.Length; i++)
                {
                    if (!used.Contains(i) && loose(normalized[i]) && used.Add(i))
                    {
                        return i;
                    }
                }
            }
            return -1;
        }

        // A column no header name gave away, recognised by its values: every sampled value passes the test.
        int FindByValues(Func<string, bool> test)
        {
            for (int i = 0; i < normalized.Length; i++)
            {
                if (!used.Contains(i) && ValuesAt(i) is { Count: > 0 } values && values.All(test) && used.Add(i))
                {
                    return i;
                }
            }
            return -1;
        }

        bool IsWordsColumn(int i)
        {
            var values = ValuesAt(i);
            return values.Count > 0
                && values.All(v => v.Length <= 30 && v.All(c => char.IsLetter(c) || c is ' ' or '_' or '-'))
                && values.Distinct(StringComparer.OrdinalIgnoreCase).Count() >= 2;
        }

        static bool IsTimeLike(string n) => n.Contains("time") || n.Contains("date") || n.EndsWith("at", StringComparison.Ordinal) && n.Length > 4 && (n.StartsWith("click") || n.StartsWith("open") || n.StartsWith("creat") || n.StartsWith("occur") || n.StartsWith("receiv"));

        // Exact names first for every field, so that "Campaign send date" cannot take the campaign's place by a loose match.
        int eventId = Find(["eventid", "sgeventid", "activityid", "trackingid", "eventuuid"]);
        int email = Find(["email", "emailaddress", "recipient", "recipientemail", "recipientaddress", "address", "contactemail", "subscriber", "subscriberemail", "emailaddr", "to", "toaddress", "mail"]);
        int time = Find(["timestamp", "clickedat", "clicktime", "clickdate", "clickdatetime", "eventtime", "eventdate", "eventtimestamp", "occurredat", "createdtime", "createdat", "datetime", "date", "time", "when", "tsepoch", "ts", "receivedat", "openedat"]);
        int type = Find(["event", "eventtype", "type", "activity", "activitytype", "action", "trackingactivitytype", "eventname", "recordtype"]);
        int url = Find(["url", "link", "linkurl", "clickedurl", "clickedlink", "originallink", "href", "targeturl", "linkclicked"]);
        int ip = Find(["ip", "ipaddress", "clientip", "clickip", "remoteip", "ipaddr", "sourceip"]);
        int agent = Find(["useragent", "browser", "ua", "agent", "clientuseragent", "useragentstring", "client"]);
        int campaign = Find(["campaignname", "campaigntitle", "campaign", "singlesendname", "emailname", "mailingname", "mailing", "newsletter", "campaignid", "singlesendid", "subject"]);

        email = email >= 0 ? email : Find([], n => n.Contains("email") && !n.Contains("id"));
        time = time >= 0 ? time : Find([], IsTimeLike);
        url = url >= 0 ? url : Find([], n => (n.Contains("url") || n.Contains("link")) && !n.EndsWith("id", StringComparison.Ordinal));
        ip = ip >= 0 ? ip : Find([], n => n.StartsWith("ip", StringComparison.Ordinal) || n.EndsWith("ipaddress", StringComparison.Ordinal));
        agent = agent >= 0 ? agent : Find([], n => n.Contains("useragent") || n.Contains("browser"));
        campaign = campaign >= 0 ? campaign : Find([], n => n.Contains("campaign") && !n.Contains("date") && !n.Contains("time"));
        type = type >= 0 ? type : Find([], n => (n.Contains("event") || n.Contains("activity")) && !n.Contains("id") && !IsTimeLike(n));
        email = email >= 0 ? email : FindByValues(v => EmailPattern().IsMatch(v));
        url = url >= 0 ? url : FindByValues(v => v.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || v.StartsWith("http://", StringComparison.OrdinalIgnoreCase));
        // Dates written out only: a column of plain numbers is as likely an id as a Unix time.
        time = time >= 0 ? time : FindByValues(v => !NumberPattern().IsMatch(v) && GuessTimeFormat([v]) is not null);

        string? Name(int index) => index >= 0 ? Columns[index] : null;
        var timeSamples = time >= 0 ? ValuesAt(time) : [];
        var timeFormat = time >= 0 ? GuessTimeFormat(timeSamples) : CsvTimestampFormat.Iso;
        // A column left over that holds a few different words (Klick, Öffnung, …) may well say what happened: then the
        // file is not taken for a list of clicks just because it has links.
        var wordsLeft = type < 0 && Enumerable.Range(0, normalized.Length).Any(i => !used.Contains(i) && IsWordsColumn(i));
        var clicksFile = type < 0 && !wordsLeft && (url >= 0 || normalized.Any(n => n.Contains("click")) || fileName.Contains("click", StringComparison.OrdinalIgnoreCase));
        var opensFile = type < 0 && !clicksFile && !wordsLeft && (normalized.Any(n => n.Contains("open")) || fileName.Contains("open", StringComparison.OrdinalIgnoreCase));

        var eventValues = new Dictionary<string, EventType>(StringComparer.OrdinalIgnoreCase);
        var mapping = new CsvColumnMapping
        {
            Email = Name(email),
            Timestamp = Name(time),
            TimestampFormat = timeFormat ?? CsvTimestampFormat.Iso,
            EventType = Name(type),
            EventValues = eventValues,
            FixedEventType = opensFile ? EventType.Open : EventType.Click,
            Url = Name(url),
            Ip = Name(ip),
            UserAgent = Name(agent),
            Campaign = Name(campaign),
            CampaignName = campaign >= 0 ? null : CampaignNameFromFile(fileName),
            EventId = Name(eventId),
        };

        var unsure = new List<string>(mapping.Missing());
        if (time >= 0 && timeFormat is null)
        {
            unsure.Add($"the time format of \"{Columns[time]}\"");
        }
        else if (timeFormat is not null && DayMonthSwapped(timeFormat) is { } swapped && timeSamples.All(v => CsvTimestampFormat.TryParse(v, swapped, out _)))
        {
            // 03/04/2026 is 3 April in Britain and March 4 in the US: when every sampled date reads both ways, the user says which.
            unsure.Add($"the order of day and month in \"{Columns[time]}\"");
        }
        if (type < 0 && !clicksFile && !opensFile)
        {
            unsure.Add("event type");
        }
        return new CsvMappingGuess(mapping, unsure);
    }

    /// <summary>The values of a column in the sampled rows, distinct, for showing what the event column holds.</summary>
    public IReadOnlyList<string> SampleValues(string column)
    {
        var index = IndexOf(column);
        return index < 0 ? [] : ValuesAt(index).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>The sampled rows' values of a column, trimmed, empty cells left out.</summary>
    private List<string> ValuesAt(int index) =>
        Samples.Where(r => index < r.Count).Select(r => r[index].Trim()).Where(v => v.Length > 0).ToList();

    public int IndexOf(string? column)
    {
        if (string.IsNullOrWhiteSpace(column))
        {
            return -1;
        }
        for (int i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], column.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A format that reads every sample value, or null when none does.</summary>
    public static string? GuessTimeFormat(IReadOnlyList<string> samples)
    {
        if (samples.Count == 0)
        {
            return CsvTimestampFormat.Iso;
        }
        if (samples.All(s => NumberPattern().IsMatch(s.Trim())))
        {
            var largest = samples.Max(s => double.Parse(s.Trim(), System.Globalization.CultureInfo.InvariantCulture));
            // 100,000,000,000 s is the year 5138; anything larger is milliseconds.
            return largest > 100_000_000_000 ? CsvTimestampFormat.UnixMilliseconds : CsvTimestampFormat.UnixSeconds;
        }
        if (samples.All(s => IsoPattern().IsMatch(s.Trim()) && CsvTimestampFormat.TryParse(s, CsvTimestampFormat.Iso, out _)))
        {
            return CsvTimestampFormat.Iso;
        }
        return CsvTimestampFormat.Common.FirstOrDefault(format => samples.All(s => CsvTimestampFormat.TryParse(s, format, out _)));
    }

    /// <summary>The same format with day and month the other way round (M/d/… ↔ d/M/…), or null when it has no such twin.</summary>
    private static string? DayMonthSwapped(string format) =>
        format.StartsWith("M/d/", StringComparison.Ordinal) ? "d/M/" + format[4..]
        : format.StartsWith("d/M/", StringComparison.Ordinal) ? "M/d/" + format[4..]
        : null;

    internal static string CampaignNameFromFile(string fileName)
    {
        var name = Path.GetFileNameWithoutExtension(fileName.Replace('\\', '/').Split('/')[^1]).Trim();
        return name.Length == 0 ? "Imported CSV" : name;
    }

    internal static string Normalize(string header)
    {
        var builder = new StringBuilder(header.Length);
        foreach (var c in header)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }
        return builder.ToString();
    }

    [GeneratedRegex(@"^\d{9,14}(\.\d+)?$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoPattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();
}

/// <summary>A mapping guessed from a header, and the fields it could not settle (empty when it is confident).</summary>
public sealed record CsvMappingGuess(CsvColumnMapping Mapping, IReadOnlyList<string> Unsure)
{
    public bool IsConfident => Unsure.Count == 0;
}
