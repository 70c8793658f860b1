using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using static ClickInsights.Tests.Support.ProviderSamples;

namespace ClickInsights.Tests.Import;

public sealed class MailgunReaderTests
{
    private readonly MailgunReader _reader = new();

    [Fact]
    public async Task Read_EventsPage_MapsEveryEventName()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, MailgunEventsPage);

        Assert.Equal(
            [EventType.Click, EventType.Open, EventType.Delivered, EventType.Sent, EventType.Bounce, EventType.Deferred, EventType.Unsubscribe, EventType.SpamReport, EventType.Other],
            events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("mailgun", e.Source));
        Assert.Equal(["DACSsAdVSeGpLid7TN03WA", "0Bh4vVv2Q0Om3VYgQmNjXg", "W3X4Y5Z6A7B8C9D0E1F2G3", "acc-1", "fail-perm", "fail-temp", "unsub-1", "spam-1", "stored-1"],
            events.Select(e => e.ExternalId));
    }

    [Fact]
    public async Task Read_ClickedEvent_NormalizesEveryField()
    {
        var click = (await ReaderHarness.ReadEventsAsync(_reader, MailgunEventsPage))[0];

        Assert.Equal("alice@example.com", click.Email);
        // Float seconds keep their milliseconds.
        Assert.Equal(1529006854330, click.OccurredAtMs);
        Assert.Equal("https://example.com/spring", click.Url);
        Assert.Equal("50.56.129.169", click.Ip);
        Assert.StartsWith("Mozilla/5.0 (X11; Linux x86_64)", click.UserAgent);
        // An empty bot field is a person as far as Mailgun knows.
        Assert.Null(click.ProviderBotFlag);
        Assert.Equal("c-2018-spring", click.CampaignKey);
        Assert.Equal("Spring 2018", click.CampaignName);
        Assert.StartsWith("{", click.Raw);
        Assert.Contains("\"client-info\"", click.Raw);
    }

    [Fact]
    public async Task Read_CampaignKey_FirstCampaignElseUserVariableElseFirstTagElseNone()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, MailgunEventsPage);

        Assert.Equal("c-2018-spring", events[0].CampaignKey);
        Assert.Equal("spring-2018", events[1].CampaignKey);
        Assert.Equal("spring-sale", events[2].CampaignKey);
        Assert.Equal("none", events[3].CampaignKey);
    }

    [Fact]
    public async Task Read_BotField_BecomesTheProviderFlag()
    {
        var open = (await ReaderHarness.ReadEventsAsync(_reader, MailgunEventsPage))[1];

        Assert.Equal("mailgun:apple", open.ProviderBotFlag);
        Assert.Equal(1529006900000, open.OccurredAtMs);
    }

    [Fact]
    public async Task Read_EventWithoutClientInfo_HasNoUserAgent()
    {
        var delivered = (await ReaderHarness.ReadEventsAsync(_reader, MailgunEventsPage))[2];

        Assert.Null(delivered.UserAgent);
        Assert.Null(delivered.Ip);
        Assert.Null(delivered.ProviderBotFlag);
        Assert.Equal(1529006850500, delivered.OccurredAtMs);
    }

    [Fact]
    public async Task Read_WebhookBody_ReadsItsEventData()
    {
        var e = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, MailgunWebhook));

        Assert.Equal(EventType.Click, e.Type);
        Assert.Equal("DACSsAdVSeGpLid7TN03WA", e.ExternalId);
        Assert.Equal("my_tag_1", e.CampaignKey);
        Assert.Equal("alice@example.com", e.Email);
        Assert.Equal("Mozilla/5.0 (X11; Linux x86_64)", e.UserAgent);
        // The stored record is the event, not the signature around it.
        Assert.DoesNotContain("signature", e.Raw);
    }

    [Fact]
    public async Task Read_OnePerLine_ReadsWebhookBodiesAndBareEvents()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, MailgunWebhookLines);

        Assert.Equal(["line-1", "line-2", "line-3"], events.Select(e => e.ExternalId));
        Assert.Equal(["mailgun:generic", "mailgun:gmail", null], events.Select(e => e.ProviderBotFlag));
        Assert.Equal([EventType.Click, EventType.Open, EventType.Delivered], events.Select(e => e.Type));
    }

    [Fact]
    public async Task Read_PagesOnePerLine_ReadsEveryPageAndNamesTheLineOfAnError()
    {
        var compact = System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(MailgunEventsPage).RootElement);
        var pages = $"{compact}\n{MailgunEmptyPage}\n{compact.Replace("DACSsAdVSeGpLid7TN03WA", "second-page-click")}\n";

        var events = await ReaderHarness.ReadEventsAsync(_reader, pages);

        Assert.Equal(18, events.Count);
        Assert.Equal("second-page-click", events[9].ExternalId);
        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            ReaderHarness.ReadAllAsync(_reader, pages.Replace("\"recipient\":\"nobody@example.net\",", "")));
        Assert.Equal("$.items[4].recipient", error.Position);
        error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            ReaderHarness.ReadAllAsync(_reader, $"{MailgunEmptyPage}\n{compact.Replace("\"recipient\":\"nobody@example.net\",", "")}"));
        Assert.Equal("line 2, $.items[4].recipient", error.Position);
    }

    [Fact]
    public async Task Read_EventsAsAnArray_ReadsEach()
    {
        var array = $"[{MailgunWebhook},{MailgunWebhookLines.Split('\n')[2]}]";

        var events = await ReaderHarness.ReadEventsAsync(_reader, array);

        Assert.Equal(["DACSsAdVSeGpLid7TN03WA", "line-3"], events.Select(e => e.ExternalId));
    }

    [Fact]
    public async Task Read_LogsApiItems_ReadTheIsoTimestamp()
    {
        const string logs = """
            {"items":[{"@timestamp":"2026-03-02T14:00:07.123Z","event":"clicked","id":"log-1","recipient":"a@b.example","url":"https://x.example/","log-level":"info"}]}
            """;

        var click = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, logs));

        Assert.Equal("Mailgun events JSON", await ReaderHarness.DetectedFormatAsync(logs));
        Assert.Equal((EventType.Click, 1772460007123L, "log-1"), (click.Type, click.OccurredAtMs, click.ExternalId));
    }

    [Fact]
    public async Task Read_EmptyPage_GivesNothing()
    {
        Assert.Empty(await ReaderHarness.ReadAllAsync(_reader, MailgunEmptyPage));
    }

    [Fact]
    public async Task Read_EventWithoutId_GetsAStableHash()
    {
        const string line = """{"event":"clicked","timestamp":1529006854.3,"recipient":"a@b.example","url":"https://x.example/","log-level":"info"}""";

        var first = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, line));
        var second = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, line));

        Assert.StartsWith("sha256:", first.ExternalId);
        Assert.Equal(first.ExternalId, second.ExternalId);
    }

    [Fact]
    public async Task Read_InSmallPieces_GivesTheSameEvents()
    {
        foreach (var sample in new[] { MailgunEventsPage, MailgunWebhook, MailgunWebhookLines })
        {
            Assert.Equal(await ReaderHarness.ReadAllAsync(_reader, sample), await ReaderHarness.ReadAllAsync(_reader, sample, trickle: true));
        }
    }

    [Fact]
    public async Task Read_TruncatedPage_SaysTruncatedWithLineAndColumn()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            ReaderHarness.ReadAllAsync(_reader, MailgunEventsPage[..(MailgunEventsPage.Length / 2)], "events.json"));

        Assert.Equal("events.json", error.FileName);
        Assert.Matches(@"^line \d+, column \d+$", error.Position);
        Assert.Contains("truncated", error.Problem);
    }

    [Fact]
    public async Task Read_TimestampAsText_NamesTheFieldInTheLine()
    {
        var lines = MailgunWebhookLines.Replace("\"timestamp\":1529006855.1", "\"timestamp\":\"soon\"");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, lines));

        Assert.Equal("line 2, $.event-data.timestamp", error.Position);
        Assert.Contains("Unix time", error.Problem);
    }

    [Fact]
    public async Task Read_MissingRecipient_NamesTheField()
    {
        var page = MailgunEventsPage.Replace("\"recipient\": \"nobody@example.net\", ", "");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$.items[4].recipient", error.Position);
        Assert.Contains("missing", error.Problem);
    }

    [Fact]
    public async Task Read_ClientInfoNotAnObject_SaysWhatWasExpected()
    {
        const string line = """{"event":"clicked","id":"x","timestamp":1529006854,"recipient":"a@b.example","client-info":"Chrome"}""";

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, line));

        Assert.Equal("line 1, $.client-info", error.Position);
        Assert.Contains("JSON object", error.Problem);
    }

    [Theory]
    [InlineData(nameof(MailgunEventsPage))]
    [InlineData(nameof(MailgunEmptyPage))]
    [InlineData(nameof(MailgunWebhook))]
    [InlineData(nameof(MailgunWebhookLines))]
    public async Task Detect_EachSample_IsMailgunAndNothingElse(string sample)
    {
        var text = ProviderSamples.All().Single(s => s.Name == sample).Text;

        Assert.Equal([_reader.Format], ReaderHarness.FormatsClaiming(text));
        Assert.Equal(_reader.Format, await ReaderHarness.DetectedFormatAsync(text));
    }

    [Fact]
    public async Task Import_EventsPageTwice_SecondAddsNothing()
    {
        var (first, second, afterFirst, afterSecond) = await ReaderHarness.ImportTwiceAsync(MailgunEventsPage, "events.json");

        Assert.Equal(9, first.EventsAdded);
        Assert.Equal(1, first.Clicks);
        Assert.Equal(0, second.EventsAdded);
        Assert.Equal(9, second.DuplicatesSkipped);
        Assert.Equal(afterFirst, afterSecond);
    }
}
