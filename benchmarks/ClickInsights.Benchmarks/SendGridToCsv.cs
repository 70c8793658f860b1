using System.Text;
using System.Text.Json;

namespace ClickInsights.Benchmarks;

/// <summary>
/// Writes SendGrid events (a JSON array or one event per line) as CSV with one column per field, streaming, so
/// that <c>sqlite3 .import</c> can load the same events for the import benchmark (<c>benchmarks/import-vs-sqlite3.sh</c>).
/// </summary>
public static class SendGridToCsv
{
    private static readonly string[] Columns =
    [
        "email", "timestamp", "event", "sg_event_id", "sg_message_id", "smtp-id", "url", "url_offset", "ip", "useragent",
        "sg_machine_open", "type", "reason", "status", "category", "singlesend_id", "singlesend_name", "send_at",
    ];

    public static async Task<int> RunAsync(string input, string output)
    {
        await using var source = File.OpenRead(input);
        await using var writer = new StreamWriter(output, append: false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteLineAsync(string.Join(',', Columns));
        var line = new StringBuilder(512);
        long rows = 0;
        await foreach (var e in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(source))
        {
            line.Clear();
            for (int i = 0; i < Columns.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(',');
                }
                if (e.TryGetProperty(Columns[i], out var value))
                {
                    Cell(line, value.ValueKind switch
                    {
                        JsonValueKind.String => value.GetString()!,
                        JsonValueKind.Array => string.Join(';', value.EnumerateArray().Select(v => v.ToString())),
                        JsonValueKind.Object when value.TryGetProperty("index", out var index) => index.GetRawText(),
                        _ => value.GetRawText(),
                    });
                }
            }
            await writer.WriteLineAsync(line);
            rows++;
        }
        Console.WriteLine($"Wrote {rows:N0} events to {output}.");
        return 0;
    }

    private static void Cell(StringBuilder line, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
        {
            line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        else
        {
            line.Append(value);
        }
    }
}
