using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;

namespace ClickInsights.Tests.Import;

public sealed class SendGridReaderTests
{
    private static async Task<List<NormalizedEvent>> ReadAsync(string json)
    {
        var reader = new SendGridReader();
        var list = new List<NormalizedEvent>();
        await foreach (var e in reader.ReadAsync(Samples.Utf8(json), "events.json", CancellationToken.None))
        {
            list.Add(Assert.IsType<NormalizedEvent>(e));
        }
        return list;
    }

    [Fact]
    public async Task Read_DocumentedOddCases_NormalizesEveryField()
    {
        var events = await ReadAsync(Samples.SendGridOddCases);

        Assert.Equal(7, events.Count);
        Assert.Equal([EventType.Sent, EventType.Delivered, EventType.Click, EventType.Click, EventType.Open, EventType.Other, EventType.Bounce], events.Select(e => e.Type));
        // Seconds, a string of seconds, and milliseconds told apart by magnitude.
        Assert.Equal(1513299569000, events[0].OccurredAtMs);
        Assert.Equal(1513299570000, events[1].OccurredAtMs);
        Assert.Equal(1513299600123, events[2].OccurredAtMs);
        // category as string or array, first entry names the campaign.
        Assert.Equal("cat facts", events[1].CampaignKey);
        Assert.Equal("cat facts", events[0].CampaignKey);
        // url_offset as object or integer.
        Assert.Equal(0, events[2].LinkPosition);
        Assert.Equal(3, events[3].LinkPosition);
        Assert.Equal("example@test.com", events[2].Email);
        Assert.Equal("python-requests/2.31", events[3].UserAgent);
        Assert.Equal("sg_machine_open", events[4].ProviderBotFlag);
        Assert.Equal("ss-1", events[5].CampaignKey);
        Assert.Equal("Spring Sale", events[5].CampaignName);
        Assert.Equal(1513299500000, events[5].CampaignSentAtMs);
        Assert.Equal("12345", events[6].CampaignKey);
        Assert.Equal("Autumn", events[6].CampaignName);
        Assert.Equal("kCAi1KttyQdEKHhdC-nuEA==/" + SendGridReader.TypeName(events[2].Type), events[2].ExternalId);
        Assert.Contains("\"url_offset\"", events[2].Raw);
    }

    [Fact]
    public async Task Read_FastWay_GivesWhatTheGeneralWayGivesForEveryEvent()
    {
        // The simulated file (every event type, agents, links, offsets) and the documented odd cases, through a
        // buffer that ends inside events many times, compared field by field with the general JSON mapping.
        var simulated = new System.IO.MemoryStream();
        ClickInsights.Core.Demo.DemoSimulator.WriteSendGridJson(new ClickInsights.Core.Demo.DemoSimulator(new() { Contacts = 1500, Campaigns = 2 }).Generate(), simulated);
        foreach (var json in new[] { System.Text.Encoding.UTF8.GetString(simulated.ToArray()), Samples.SendGridOddCases })
        {
            var events = await ReadAsync(json);
            using var document = System.Text.Json.JsonDocument.Parse(json);
            var expected = document.RootElement.EnumerateArray().Select((e, i) => SendGridReader.Map(e, "events.json", $"$[{i}]")).ToList();
            Assert.Equal(expected.Count, events.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i] with { RawUtf8 = default }, events[i] with { RawUtf8 = default });
                Assert.Equal(expected[i].Raw, events[i].Raw);
            }
        }
    }

    [Fact]
    public async Task Read_NewlineDelimited_ReadsEachLine()
    {
        var events = await ReadAsync("""
            {"email":"a@b.com","timestamp":1700000000,"event":"delivered","sg_event_id":"1"}
            {"email":"a@b.com","timestamp":1700000010,"event":"click","url":"https://x.test/","sg_event_id":"2"}
            """);

        Assert.Equal(2, events.Count);
        Assert.Equal(EventType.Click, events[1].Type);
    }

    [Fact]
    public async Task Read_RequestBodiesOnePerLine_ReadsEveryArray()
    {
        // Webhook request bodies saved as they came, one array per line.
        var events = await ReadAsync("""
            [{"email":"a@b.com","timestamp":1700000000,"event":"delivered","sg_event_id":"1"},{"email":"a@b.com","timestamp":1700000005,"event":"open","sg_event_id":"2"}]
            [{"email":"a@b.com","timestamp":1700000010,"event":"click","url":"https://x.test/","sg_event_id":"3"}]
            []
            """);

        Assert.Equal(["1/delivered", "2/open", "3/click"], events.Select(e => e.ExternalId));
    }

    [Fact]
    public async Task Read_ObjectAfterTheArray_IsRefusedSayingWhere()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReadAsync("""
            [{"email":"a@b.com","timestamp":1700000000,"event":"delivered","sg_event_id":"1"}]
            {"email":"a@b.com","timestamp":1700000010,"event":"click","sg_event_id":"2"}
            """));

        Assert.Equal("after event 1", error.Position);
        Assert.Contains("expected a JSON array of events, found an object", error.Message);
    }

    [Fact]
    public async Task Read_EventWithoutId_GetsStableContentHash()
    {
        const string json = """[{"email":"a@b.com","timestamp":1700000000,"event":"click","url":"https://x.test/"}]""";
        var first = await ReadAsync(json);
        var second = await ReadAsync(json);

        Assert.StartsWith("sha256:", first[0].ExternalId);
        Assert.EndsWith("/" + SendGridReader.TypeName(first[0].Type), first[0].ExternalId);
        Assert.Equal(first[0].ExternalId, second[0].ExternalId);
    }

    [Fact]
    public async Task Read_TruncatedFile_NamesPositionAndSaysTruncated()
    {
        var text = Samples.SendGridOddCases[..(Samples.SendGridOddCases.Length / 2)];

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReadAsync(text));

        Assert.Equal("events.json", error.FileName);
        Assert.Matches(@"line \d+", error.Position);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public async Task Read_ArrayCutInsideANumber_SaysTruncated()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReadAsync(
            """[{"email":"a@b.com","timestamp":1700000000,"event":"delivered","sg_event_id":"1"},{"email":"a@b.com","timestamp":17000"""));

        Assert.Contains("truncated", error.Message);
        Assert.Contains("column", error.Position);
    }

    [Fact]
    public async Task Read_MissingEmail_NamesTheEvent()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            ReadAsync("""[{"email":"a@b.com","timestamp":1,"event":"open"},{"timestamp":1700000000,"event":"click"}]"""));

        Assert.Equal("$[1]", error.Position);
        Assert.Contains("\"email\"", error.Message);
    }

    [Fact]
    public async Task Read_BadTimestamp_SaysWhatWasExpected()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            ReadAsync("""[{"email":"a@b.com","timestamp":"yesterday","event":"open"}]"""));

        Assert.Equal("$[0].timestamp", error.Position);
        Assert.Contains("Unix time", error.Message);
    }

    [Fact]
    public async Task Read_NotJson_IsRefused()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReadAsync("email,timestamp\na@b.com,1"));
        Assert.Contains("JSON array", error.Message);
    }

    [Fact]
    public async Task Detect_UnknownFile_ListsFormatsWeRead()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            EventImporter.DetectAsync(Samples.Utf8("hello world"), "notes.txt", CancellationToken.None));

        Assert.Contains("SendGrid", error.Message);
        Assert.Contains("notes.txt", error.Message);
    }

    [Fact]
    public async Task Read_InvalidUtf8_NamesTheEvent()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("""[{"email":"a@b.com","timestamp":1700000000,"event":"click","sg_event_id":"x"}]""");
        bytes[bytes.Length - 5] = 0xFF;
        var reader = new SendGridReader();

        var error = await Assert.ThrowsAsync<ImportFormatException>(async () =>
        {
            await foreach (var _ in reader.ReadAsync(new MemoryStream(bytes), "events.json", CancellationToken.None))
            {
            }
        });

        // Either the JSON reader meets the bad byte (a line and column) or the field does (the event's path).
        Assert.Matches(@"^(line 1, column \d+|\$\[0\])$", error.Position);
        Assert.Contains("events.json", error.Message);
    }
}
