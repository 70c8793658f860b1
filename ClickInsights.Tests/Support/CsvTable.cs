using nietras.SeparatedValues;

namespace ClickInsights.Tests.Support;

/// <summary>A CSV export read with a CSV library (Sep): its header and its rows by column name; a row of another width fails.</summary>
public sealed record CsvTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows)
{
    public static CsvTable Parse(string text)
    {
        using var reader = Sep.Reader(o => o with { Sep = new Sep(','), Unescape = true }).FromText(text);
        var header = reader.Header.ColNames.ToList();
        var rows = new List<IReadOnlyDictionary<string, string>>();
        foreach (var row in reader)
        {
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in header)
            {
                cells[name] = row[name].ToString();
            }
            rows.Add(cells);
        }
        return new CsvTable(header, rows);
    }

    public int Sum(string column) => Rows.Sum(r => int.Parse(r[column], System.Globalization.CultureInfo.InvariantCulture));
}
