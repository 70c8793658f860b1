using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using static ClickInsights.Tests.Support.ProviderSamples;

namespace ClickInsights.Tests.Import;

public sealed class PostmarkReaderTests
{
    private readonly PostmarkReader _reader = new();

    private static long Ms(string iso) => DateTimeOffset.Parse(iso).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Read_ClickWebhook_NormalizesEveryField()
    {
        var click = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, PostmarkClickWebhook));

        Assert.Equal("postmark", click.Source);
        Assert.Equal(EventType.Click, click.Type);
        Assert.Equal("john@example.com", click.Email);
        // Seven fractional digits, kept to the millisecond.
        Assert.Equal(Ms("2017-10-25T15:21:11.237Z"), click.OccurredAtMs);
        Assert.Equal("https://example.com", click.Url);
        Assert.Equal("188.2.95.4", click.Ip);
        Assert.StartsWith("Mozilla/5.0 (Macintosh;", click.UserAgent);
        Assert.Null(click.ProviderBotFlag);
        Assert.Equal("welcome-email", click.CampaignKey);
        Assert.Equal("welcome-email", click.CampaignName);
        Assert.StartsWith("sha256:", click.ExternalId);
        Assert.Contains("\"ClickLocation\": \"HTML\"", click.Raw);
    }

    [Fact]
    public async Task Read_WebhookArray_ReadsClickAndOpen()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, PostmarkWebhookArray);

        Assert.Equal([EventType.Click, EventType.Open], events.Select(e => e.Type));
        // No tag: a campaign-ish Metadata key names the campaign.
        Assert.Equal("summer-24", events[0].CampaignKey);
        Assert.Equal("summer", events[1].CampaignKey);
        Assert.Null(events[1].Url);
        Assert.Equal("66.249.84.7", events[1].Ip);
        Assert.Equal(Ms("2024-06-03T09:00:01.1Z"), events[0].OccurredAtMs);
    }

    [Fact]
    public async Task Read_ClicksPage_HandlesOffsetsMissingTypeGeoNullAndNoTag()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, PostmarkClicksPage);

        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(EventType.Click, e.Type));
        Assert.Equal(Ms("2014-08-01T17:28:10.273Z"), events[0].OccurredAtMs);
        Assert.Equal("2014-08-newsletter", events[0].CampaignKey);
        Assert.Equal("8.8.8.8", events[0].Ip);
        Assert.Null(events[1].Ip);
        Assert.Null(events[1].UserAgent);
        // No tag and no campaign in Metadata: the message stream.
        Assert.Equal("broadcast", events[1].CampaignKey);
    }

    [Fact]
    public async Task Read_OpensPage_ReadsOpens()
    {
        var open = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, PostmarkOpensPage));

        Assert.Equal(EventType.Open, open.Type);
        Assert.Equal("Microsoft Office/16.0", open.UserAgent);
        Assert.Equal("12.34.56.78", open.Ip);
    }

    [Fact]
    public async Task Read_EmptyPage_GivesNothing()
    {
        Assert.Empty(await ReaderHarness.ReadAllAsync(_reader, PostmarkEmptyPage));
    }

    [Fact]
    public async Task Read_SameRecordsTwice_GiveTheSameIds()
    {
        var first = await ReaderHarness.ReadEventsAsync(_reader, PostmarkWebhookArray);
        var second = await ReaderHarness.ReadEventsAsync(_reader, PostmarkWebhookArray);

        Assert.Equal(first.Select(e => e.ExternalId), second.Select(e => e.ExternalId));
        Assert.NotEqual(first[0].ExternalId, first[1].ExternalId);
    }

    [Fact]
    public async Task Read_OnePerLine_ReadsEach()
    {
        var lines = string.Join('\n', System.Text.Json.JsonDocument.Parse(PostmarkWebhookArray).RootElement.EnumerateArray().Select(e => e.GetRawText()));

        var events = await ReaderHarness.ReadEventsAsync(_reader, lines);

        Assert.Equal([EventType.Click, EventType.Open], events.Select(e => e.Type));
    }

    [Fact]
    public async Task Read_InSmallPieces_GivesTheSameEvents()
    {
        foreach (var sample in new[] { PostmarkClickWebhook, PostmarkWebhookArray, PostmarkClicksPage })
        {
            Assert.Equal(await ReaderHarness.ReadAllAsync(_reader, sample), await ReaderHarness.ReadAllAsync(_reader, sample, trickle: true));
        }
    }

    [Fact]
    public async Task Read_TheOtherWebhookRecords_DeliveryBounceComplaintAndUnsubscribe()
    {
        // The shapes of Postmark's webhook docs (providers.md): one address receives every trigger.
        const string records = """
            {"RecordType":"Delivery","ServerID":23,"MessageStream":"outbound","MessageID":"x","Recipient":"john@example.com","Tag":"welcome-email","DeliveredAt":"2019-11-05T16:33:54.9070259Z","Details":"Test delivery webhook details","Metadata":{}}
            {"RecordType":"Bounce","ID":42,"Type":"HardBounce","TypeCode":1,"MessageID":"y","Email":"Jane@Example.com","BouncedAt":"2019-11-05T16:40:00Z","Description":"The server was unable to deliver your message","Details":"smtp;550","Tag":"welcome-email","MessageStream":"outbound"}
            {"RecordType":"SpamComplaint","ID":43,"Type":"SpamComplaint","TypeCode":512,"MessageID":"z","Email":"ann@example.com","BouncedAt":"2019-11-06T09:00:00Z","Description":"","Details":"","Tag":"welcome-email","MessageStream":"outbound"}
            {"RecordType":"SubscriptionChange","MessageID":"w","Recipient":"bob@example.com","ChangedAt":"2019-11-07T10:00:00Z","Origin":"Recipient","SuppressSending":true,"SuppressionReason":"ManualSuppression","Tag":"welcome-email","MessageStream":"outbound"}
            """;

        var events = (await ReaderHarness.ReadAllAsync(_reader, records)).OfType<NormalizedEvent>().ToList();

        Assert.Equal([EventType.Delivered, EventType.Bounce, EventType.SpamReport, EventType.Unsubscribe], events.Select(e => e.Type));
        Assert.Equal(["john@example.com", "jane@example.com", "ann@example.com", "bob@example.com"], events.Select(e => e.Email));
        Assert.All(events, e => Assert.Equal("welcome-email", e.CampaignKey));
        Assert.Equal(DateTimeOffset.Parse("2019-11-05T16:40:00Z").ToUnixTimeMilliseconds(), events[1].OccurredAtMs);
    }

    [Fact]
    public async Task Read_ARecordTypeItDoesNotKnow_SaysWhichAreRead()
    {
        const string inbound = """{"RecordType":"Inbound","MessageID":"x","Recipient":"john@example.com","ReceivedAt":"2019-11-05T16:33:54Z"}""";

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, inbound));

        Assert.Equal("line 1, $.RecordType", error.Position);
        Assert.Contains("Click, Open, Delivery", error.Problem);
        Assert.Contains("Inbound", error.Problem);
    }

    [Fact]
    public async Task Read_TruncatedRecord_SaysTruncatedWithLineAndColumn()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            ReaderHarness.ReadAllAsync(_reader, PostmarkClickWebhook[..(PostmarkClickWebhook.Length / 2)], "click.json"));

        Assert.Equal("click.json", error.FileName);
        Assert.Matches(@"^line \d+, column \d+$", error.Position);
        Assert.Contains("truncated", error.Problem);
    }

    [Fact]
    public async Task Read_GeoNotAnObject_SaysWhatWasExpected()
    {
        var page = PostmarkClicksPage.Replace("\"Geo\": null", "\"Geo\": \"Serbia\"");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$.Clicks[1].Geo", error.Position);
        Assert.Contains("JSON object", error.Problem);
    }

    [Fact]
    public async Task Read_MissingReceivedAt_NamesTheField()
    {
        var page = PostmarkWebhookArray.Replace("\"ReceivedAt\":\"2024-06-03T08:59:58.0000000Z\",", "");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$[1].ReceivedAt", error.Position);
        Assert.Contains("missing", error.Problem);
    }

    [Theory]
    [InlineData(nameof(PostmarkClickWebhook))]
    [InlineData(nameof(PostmarkWebhookArray))]
    [InlineData(nameof(PostmarkClicksPage))]
    [InlineData(nameof(PostmarkOpensPage))]
    [InlineData(nameof(PostmarkEmptyPage))]
    public async Task Detect_EachSample_IsPostmarkAndNothingElse(string sample)
    {
        var text = ProviderSamples.All().Single(s => s.Name == sample).Text;

        Assert.Equal([_reader.Format], ReaderHarness.FormatsClaiming(text));
        Assert.Equal(_reader.Format, await ReaderHarness.DetectedFormatAsync(text));
    }

    [Fact]
    public async Task Import_ClicksPageTwice_SecondAddsNothing()
    {
        var (first, second, afterFirst, afterSecond) = await ReaderHarness.ImportTwiceAsync(PostmarkClicksPage, "clicks.json");

        Assert.Equal(2, first.EventsAdded);
        Assert.Equal(2, first.Clicks);
        Assert.Equal(0, second.EventsAdded);
        Assert.Equal(afterFirst, afterSecond);
        Assert.Equal(2, afterSecond.Campaigns);
    }
}
