using System.Globalization;
using System.Text;
using ClickInsights.Core.Classification;

namespace ClickInsights.Core.Reports;

/// <summary>The per-click CSV of the CLI contract: <c>campaign_id,email,url,clicked_at,verdict,score,reasons</c>.</summary>
public static class ClickCsv
{
    public const string Header = "campaign_id,email,url,clicked_at,verdict,score,reasons,evidence";

    public static void WriteHeader(TextWriter writer) => writer.WriteLine(Header);

    public static void Write(TextWriter writer, ClickRow row) => writer.Write(Line(row));

    /// <summary>One row with its line break, for writers that must write asynchronously (an HTTP response).</summary>
    public static string Line(ClickRow row)
    {
        var line = new StringBuilder(256);
        Cell(line, row.CampaignId).Append(',');
        Cell(line, row.Email).Append(',');
        Cell(line, row.Url ?? "").Append(',');
        line.Append(Timestamp(row.ClickedAtMs)).Append(',');
        line.Append(row.Verdict.ToString().ToLowerInvariant()).Append(',');
        line.Append(row.Score.ToString(CultureInfo.InvariantCulture)).Append(',');
        Cell(line, string.Join(';', row.Reasons.Select(r => r.Code))).Append(',');
        Cell(line, string.Join("; ", row.Reasons.Select(r => $"{r.Evidence} ({(r.Weight >= 0 ? "+" : "")}{r.Weight})")));
        return line.AppendLine().ToString();
    }

    /// <summary>UTC ISO 8601 with a Z; milliseconds only when the source has them.</summary>
    public static string Timestamp(long unixMs)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime;
        return time.ToString(unixMs % 1000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    private static bool IsNegativeNumber(string value) =>
        value.Length > 1 && value[0] == '-' && double.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint,
            CultureInfo.InvariantCulture, out _);

    /// <summary>Quotes when needed, and never lets a cell start a spreadsheet formula.</summary>
    public static StringBuilder Cell(StringBuilder line, string value)
    {
        // A negative number ("-83" seconds: a scanner before delivery) stays a number.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsNegativeNumber(value))
        {
            value = "'" + value;
        }
        if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
        {
            line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        else
        {
            line.Append(value);
        }
        return line;
    }
}
