using System.Text;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;

namespace ClickInsights.Tests.Import;

/// <summary>Which reader takes which file, and the streaming every JSON reader shares.</summary>
public sealed class ImportDetectionTests
{
    public static TheoryData<string> SampleNames() => new(ProviderSamples.All().Select(s => s.Name));

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void CanRead_EverySample_ClaimedByItsOwnReaderOnly(string sample)
    {
        var (_, text, format) = ProviderSamples.All().Single(s => s.Name == sample);

        Assert.Equal([format], ReaderHarness.FormatsClaiming(text));
    }

    [Fact]
    public void CanRead_DemoSendGridFile_ClaimedBySendGridOnly()
    {
        var file = Samples.DemoSendGridFile(new() { Contacts = 30, Campaigns = 1 });
        var head = file[..Math.Min(file.Length, 64 * 1024)];

        Assert.Equal(["SendGrid Event Webhook JSON"], EventImporter.Readers.Where(r => r.CanRead(head)).Select(r => r.Format));
    }

    [Theory]
    [InlineData("""{"data":[{"id":1,"name":"x"}],"meta":{"page":1}}""")]
    [InlineData("""[{"event":"click","time":"2024-01-01T00:00:00Z"}]""")]
    [InlineData("""{"items":[{"sku":"A-1","qty":2}]}""")]
    [InlineData("[]")]
    public async Task Detect_UnknownJson_IsRefusedListingEveryFormat(string json)
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => EventImporter.DetectAsync(Samples.Utf8(json), "mystery.json", CancellationToken.None));

        Assert.Equal("mystery.json", error.FileName);
        foreach (var reader in EventImporter.Readers)
        {
            Assert.Contains(reader.Format, error.Message);
        }
    }

    [Fact]
    public async Task Detect_FileWithByteOrderMark_IsReadToo()
    {
        var text = "\uFEFF" + ProviderSamples.PostmarkClickWebhook;

        Assert.Equal("Postmark click/open JSON", await ReaderHarness.DetectedFormatAsync(text));
        Assert.Single(await ReaderHarness.ReadEventsAsync(new PostmarkReader(), text));
    }

    [Fact]
    public async Task Read_PageFarLargerThanTheBuffer_StreamsEveryRecord()
    {
        const int count = 20_000;
        var page = new StringBuilder("{\"_links\":{\"next\":{\"href\":\"/v3/next\"}},\"tracking_activities\":[");
        for (int i = 0; i < count; i++)
        {
            page.Append(i == 0 ? "" : ",").Append($$"""{"contact_id":"c{{i}}","campaign_activity_id":"{{ProviderSamples.ConstantContactActivityId}}","tracking_activity_type":"em_clicks","email_address":"person{{i}}@example.com","device_type":"computer","url_id":"1","link_url":"https://example.com/{{i % 7}}","created_time":"2019-04-25T11:08:00.000Z"}""");
        }
        page.Append("]}");

        var bytes = Encoding.UTF8.GetBytes(page.ToString());
        var stream = new MemoryStream(bytes);
        var events = new List<NormalizedEvent>();
        long readAtFirstRecord = -1, position = 0, largestRead = 0;
        await foreach (var item in new ConstantContactReader().ReadAsync(stream, "big.json", CancellationToken.None))
        {
            if (readAtFirstRecord < 0)
            {
                readAtFirstRecord = stream.Position;
            }
            largestRead = Math.Max(largestRead, stream.Position - position);
            position = stream.Position;
            events.Add(Assert.IsType<NormalizedEvent>(item));
        }

        Assert.True(bytes.Length > 4 * 1024 * 1024);
        // The first record comes after one buffer's worth of the file, and the file is read a buffer at a time.
        Assert.InRange(readAtFirstRecord, 1, 64 * 1024);
        Assert.InRange(largestRead, 1, 64 * 1024);
        Assert.Equal(count, events.Count);
        Assert.Equal("person19999@example.com", events[^1].Email);
        Assert.Equal(count, events.Select(e => e.ExternalId).Distinct().Count());
    }

    [Fact]
    public async Task Read_BadLineFarIntoALongFile_NamesThatLine()
    {
        var lines = new StringBuilder();
        for (int i = 1; i <= 5_000; i++)
        {
            var time = i == 4_321 ? "\"yesterday\"" : (1_700_000_000_000L + i).ToString();
            lines.Append($$"""{"event":"click","email":"p{{i}}@shop.example","message-id":"<m{{i}}@relay.example>","ts_epoch":{{time}},"link":"https://shop.example/"}""").Append('\n');
        }

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(new BrevoReader(), lines.ToString(), "hooks.ndjson"));

        Assert.Equal("line 4321, $.ts_epoch", error.Position);
    }

    [Fact]
    public async Task Read_SyntaxErrorFarIntoALongFile_NamesLineAndColumn()
    {
        var lines = new StringBuilder();
        for (int i = 1; i <= 3_000; i++)
        {
            lines.Append(i == 2_500
                ? """{"event":"click","email":"x@y.example","ts_epoch":1700000000000,,}"""
                : $$"""{"event":"click","email":"p{{i}}@shop.example","message-id":"<m{{i}}@relay.example>","ts_epoch":1700000000000}""").Append('\n');
        }

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(new BrevoReader(), lines.ToString()));

        Assert.Equal("line 2500, column 65", error.Position);
        Assert.Contains("malformed", error.Problem);
    }

    [Fact]
    public async Task Read_TopLevelScalar_SaysWhatWasExpected()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(new MailgunReader(), "\n  42\n"));

        Assert.Equal("line 2, column 3", error.Position);
        Assert.Contains("Mailgun events", error.Problem);
    }

    [Theory]
    [InlineData("{\"event\":\"click\",\"email\":\"a\\uD800@b.example\",\"ts_epoch\":1700000000000,\"message-id\":\"x\"}")]
    [InlineData("{\"event\":\"click\",\"em\\uD800ail\":\"a@b.example\",\"ts_epoch\":1700000000000,\"message-id\":\"x\"}")]
    public async Task Read_UnpairedSurrogateEscape_IsRefusedWithPosition(string json)
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(new BrevoReader(), json));

        Assert.Matches(@"^line 1, column \d+$", error.Position);
        Assert.Contains("surrogate", error.Problem);
    }

    [Fact]
    public async Task Read_BytesThatAreNotUtf8_AreRefusedWithPosition()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"TotalCount\":1,\"Clicks\":[\n{\"RecordType\":\"Click\",\"Recipient\":\"j\u00f6rg@example.de\",\"ReceivedAt\":\"2024-01-01T00:00:00Z\"}]}");
        // "ö" as Latin-1: one byte that is not UTF-8.
        var latin1 = bytes.Take(Array.IndexOf(bytes, (byte)0xC3)).Append((byte)0xF6).Concat(bytes.Skip(Array.IndexOf(bytes, (byte)0xC3) + 2)).ToArray();

        var error = await Assert.ThrowsAsync<ImportFormatException>(async () =>
        {
            await foreach (var _ in new PostmarkReader().ReadAsync(new MemoryStream(latin1), "latin1.json", CancellationToken.None))
            {
            }
        });

        Assert.Equal("line 2, column 1", error.Position);
        Assert.Contains("UTF-8", error.Problem);
    }

    [Fact]
    public async Task Detect_PropertyNameThatIsNotText_DoesNotThrowAnythingElse()
    {
        const string json = "{\"tracking_activities\":[{\"em\\uD800\":1}]}";

        Assert.Equal("Constant Contact V3 report JSON", await ReaderHarness.DetectedFormatAsync(json));
        await Assert.ThrowsAsync<ImportFormatException>(() => EventImporter.DetectAsync(Samples.Utf8("{\"x\\uD800\":1}"), "x.json", CancellationToken.None));
    }
}
