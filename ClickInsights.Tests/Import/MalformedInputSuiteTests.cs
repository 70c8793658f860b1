using System.Text;
using System.Text.RegularExpressions;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static ClickInsights.Tests.Support.ProviderSamples;

namespace ClickInsights.Tests.Import;

/// <summary>
/// Generated malformed input for every reader, from the providers' documented shapes: truncated at many offsets, each
/// value replaced by the wrong type, an oversized text, an unpaired surrogate, a NUL, bytes that are not UTF-8, deep
/// nesting, odd numbers, times out of range, bad addresses and IPs. Each case is either read or refused with a message
/// naming the file and a position; a refused file leaves the database exactly as it was (row counts and SQLite's
/// integrity check). Anything else (a crash, a stack trace, a half-stored file) fails the suite.
/// </summary>
[Trait("Store", "SQLite only: readers' refusals before anything is stored; refusals through the PostgreSQL writer run in HostileInputTestsOnPostgreSql")]
public sealed partial class MalformedInputSuiteTests
{
    private const string Csv = """
        Email Address,Campaign Name,Clicked At,Link,IP Address,Browser
        anna.smith@harbordental.com,Spring Sale,4/2/2026 14:00:07,https://shop.example/menu,40.94.12.7,"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/79.0"
        ben.jones@gmail.com,Spring Sale,4/2/2026 17:31:55,https://shop.example/order,73.12.9.4,Mozilla/5.0 (iPhone; CPU iPhone OS 19_0 like Mac OS X)
        """;

    private static readonly (string Name, string Text)[] Shapes =
    [
        ("sendgrid.json", Samples.SendGridOddCases),
        ("mailgun-page.json", MailgunEventsPage),
        ("mailgun-webhook.json", MailgunWebhook),
        ("postmark-click.json", PostmarkClickWebhook),
        ("postmark-page.json", PostmarkClicksPage),
        ("brevo.json", BrevoEvents),
        ("mailchimp-activity.json", MailchimpEmailActivity),
        ("constantcontact-clicks.json", ConstantContactClicks),
        ("mandrill_events.json", MandrillReaderTests.Events),
        ("clicks.csv", Csv),
    ];

    /// <summary>What replaces one JSON value: the wrong type, odd numbers, hostile text.</summary>
    private static readonly string[] Replacements =
    [
        "{}", "[]", "true", "null", "\"\"", "-1", "0", "1e400", "123456789012345678901234567890", "253402300800",
        "\"" + new string('x', 100_000) + "\"", "\"\\ud800\"", "\"a\\udc00b\"", "\"\\u0000\"", "\"1.2.3\"", "\"@\"", "\"a@b@c.com\"",
        "\"x@example.com\\r\\nBcc: y@example.org\"", "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"",
        new string('[', 5_000) + new string(']', 5_000),
    ];

    [GeneratedRegex("""("[A-Za-z_\-]+"\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+\-]*|true|false|null)""")]
    private static partial Regex Field();

    private static IEnumerable<(string Case, byte[] Bytes)> CasesOf(string name, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        // Cut at many places, from the first byte to the last.
        for (var i = 1; i <= 24; i++)
        {
            var at = (int)((long)bytes.Length * i / 25);
            yield return ($"{name} cut at byte {at}", bytes[..at]);
        }
        // Bytes that are not UTF-8, and a NUL, in the middle.
        var middle = bytes.Length / 2;
        yield return ($"{name} with 0xFF 0xFE inside", [.. bytes[..middle], 0xFF, 0xFE, .. bytes[middle..]]);
        yield return ($"{name} with a NUL inside", [.. bytes[..middle], 0x00, .. bytes[middle..]]);
        if (name.EndsWith(".csv", StringComparison.Ordinal))
        {
            foreach (var (what, csv) in new[]
            {
                ("an unclosed quote", text.Replace("\"Mozilla", "\"Mozilla\"\"", StringComparison.Ordinal)[..^5]),
                ("a cell of 1 MB", text.Replace("Spring Sale", new string('S', 1 << 20), StringComparison.Ordinal)),
                ("a time of the year 1", text.Replace("4/2/2026 14:00:07", "1/1/0001 00:00:00", StringComparison.Ordinal)),
                ("an IP of 1.2.3", text.Replace("40.94.12.7", "1.2.3", StringComparison.Ordinal)),
                ("an address of @", text.Replace("anna.smith@harbordental.com", "@", StringComparison.Ordinal)),
                ("a wrong column", text.Replace("Email Address", "Mail", StringComparison.Ordinal)),
            })
            {
                yield return ($"{name} with {what}", Encoding.UTF8.GetBytes(csv));
            }
            yield break;
        }
        // Each value of the first records (and every twentieth after), replaced in turn.
        var fields = Field().Matches(text).Where((_, i) => i < 25 || i % 20 == 0).ToList();
        foreach (var field in fields)
        {
            foreach (var replacement in Replacements)
            {
                var mutated = text[..field.Groups[2].Index] + replacement + text[(field.Groups[2].Index + field.Groups[2].Length)..];
                yield return ($"{name}: {field.Groups[1].Value.TrimEnd(' ', ':')} = {(replacement.Length > 40 ? replacement[..20] + "…" : replacement)}", Encoding.UTF8.GetBytes(mutated));
            }
        }
    }

    [Fact]
    public async Task EveryMalformedCase_IsReadOrRefusedWithWhere_AndARefusalLeavesTheDatabaseAsItWas()
    {
        using var database = new TestDatabase();
        var workspace = await database.CreateWorkspaceAsync();
        // Something stored before, which no refused file may change.
        await database.Importer.ImportAsync(workspace, Samples.Utf8(Samples.SendGridOddCases), "before.json");
        int cases = 0, refused = 0, read = 0;
        var failures = new List<string>();
        foreach (var (name, text) in Shapes)
        {
            foreach (var (what, bytes) in CasesOf(name, text))
            {
                cases++;
                var before = await StateAsync(database);
                try
                {
                    await database.Importer.ImportAsync(workspace, new MemoryStream(bytes), name);
                    read++;
                }
                catch (ImportFormatException e)
                {
                    refused++;
                    if (!e.Message.StartsWith(name, StringComparison.Ordinal) || string.IsNullOrWhiteSpace(e.Position) || e.Message.Contains("   at ", StringComparison.Ordinal))
                    {
                        failures.Add($"{what}: the refusal does not name the file and a position: {e.Message}");
                    }
                    if (await StateAsync(database) != before)
                    {
                        failures.Add($"{what}: refused, but the database changed");
                    }
                }
                catch (Exception e)
                {
                    failures.Add($"{what}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        Console.WriteLine($"Malformed-input suite: {cases} cases, {refused} refused, {read} read.");

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases failed:\n" + string.Join('\n', failures.Take(25)));
        Assert.True(cases > 2_000, $"only {cases} cases");
        // Both happen: a bad value in a field the reader uses refuses the file; in one it ignores, the file is read.
        Assert.True(refused > 500 && read > 500, $"{refused} refused, {read} read");
        Assert.Equal("ok", await PragmaAsync(database, "integrity_check"));
    }

    private static async Task<string> PragmaAsync(TestDatabase database, string pragma)
    {
        await using var db = database.CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma}";
        var answers = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            answers.Add(reader.GetString(0));
        }
        return string.Join(",", answers);
    }

    private static async Task<(int Events, int Campaigns, int Recipients, int Imports, int Verdicts, string Integrity)> StateAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        return (await db.Events.CountAsync(), await db.Campaigns.CountAsync(), await db.Recipients.CountAsync(), await db.Imports.CountAsync(),
            await db.ClickVerdicts.CountAsync(), await PragmaAsync(database, "quick_check"));
    }
}
