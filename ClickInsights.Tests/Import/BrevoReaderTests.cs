using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using static ClickInsights.Tests.Support.ProviderSamples;

namespace ClickInsights.Tests.Import;

public sealed class BrevoReaderTests
{
    private readonly BrevoReader _reader = new();

    [Fact]
    public async Task Read_Events_MapsEveryEventName()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, BrevoEvents);

        Assert.Equal(
            [EventType.Sent, EventType.Delivered, EventType.Open, EventType.Open, EventType.Open, EventType.Click, EventType.Bounce, EventType.Bounce, EventType.Unsubscribe, EventType.SpamReport],
            events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("brevo", e.Source));
        Assert.Equal(10, events.Select(e => e.ExternalId).Distinct().Count());
    }

    [Fact]
    public async Task Read_AnEventWithOnlyItsDate_TakesTheDateAsUtc()
    {
        // As in one of Brevo's documented samples: no ts_epoch, ts_event or ts.
        const string onlyDate = """{"event":"click","email":"example@example.com","id":1,"date":"2020-10-09 00:00:00","message-id":"201798300811.5787683@relay.domain.com","link":"https://shop.example/a","tag":"newsletter"}""";

        var events = await ReaderHarness.ReadEventsAsync(_reader, onlyDate);

        Assert.Equal(DateTimeOffset.Parse("2020-10-09T00:00:00Z").ToUnixTimeMilliseconds(), Assert.Single(events).OccurredAtMs);
    }

    [Fact]
    public async Task Read_ProxyOpen_CarriesBrevosBotFlag()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, BrevoEvents);

        Assert.Equal("brevo:proxy_open", events[2].ProviderBotFlag);
        Assert.All(events.Where((_, i) => i != 2), e => Assert.Null(e.ProviderBotFlag));
    }

    [Fact]
    public async Task Read_Click_NormalizesEveryField()
    {
        var click = (await ReaderHarness.ReadEventsAsync(_reader, BrevoEvents))[5];

        Assert.Equal("example@domain.com", click.Email);
        // ts_epoch, in milliseconds.
        Assert.Equal(1602201604789, click.OccurredAtMs);
        Assert.Equal("https://example.com/start", click.Url);
        // Brevo gives no clicker IP (sending_ip is its own server) and no user agent.
        Assert.Null(click.Ip);
        Assert.Null(click.UserAgent);
        Assert.Equal("welcome", click.CampaignKey);
        Assert.StartsWith("sha256:", click.ExternalId);
        Assert.Contains("\"link\":\"https://example.com/start\"", click.Raw);
    }

    [Fact]
    public async Task Read_Tags_ArrayOrTextOrListInTextOrNone()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, BrevoEvents);

        // tags array; tag as "[\"welcome\"]" only; tag as plain text; tag empty and no tags.
        Assert.Equal("welcome", events[0].CampaignKey);
        Assert.Equal("welcome", events[3].CampaignKey);
        Assert.Equal("welcome", events[4].CampaignKey);
        Assert.Equal("none", events[6].CampaignKey);
        Assert.Equal("none", events[7].CampaignKey);
    }

    [Fact]
    public async Task Read_OnePerLine_ReadsEachAndFallsBackToSeconds()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, BrevoLines);

        Assert.Equal(["a@shop.example", "b@shop.example", "c@shop.example"], events.Select(e => e.Email));
        Assert.Equal(1700000000001, events[0].OccurredAtMs);
        Assert.Equal(1700000000000, events[2].OccurredAtMs);
        Assert.All(events, e => Assert.Equal("black-friday", e.CampaignKey));
    }

    [Fact]
    public async Task Read_SingleObject_ReadsIt()
    {
        var e = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, BrevoSingle));

        Assert.Equal(EventType.Click, e.Type);
        Assert.Equal("onboarding", e.CampaignKey);
        Assert.Equal(1704164645123, e.OccurredAtMs);
    }

    [Fact]
    public async Task Read_SameEventsTwice_GiveTheSameIds()
    {
        var first = await ReaderHarness.ReadEventsAsync(_reader, BrevoEvents);
        var second = await ReaderHarness.ReadEventsAsync(_reader, BrevoEvents);

        Assert.Equal(first.Select(e => e.ExternalId), second.Select(e => e.ExternalId));
    }

    [Fact]
    public async Task Read_SameEventAsLineOrInArray_GivesTheSameId()
    {
        var alone = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, BrevoSingle));
        var inArray = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, $"[\n  {BrevoSingle.Trim()}\n]"));

        Assert.Equal(alone.ExternalId, inArray.ExternalId);
    }

    [Fact]
    public async Task Read_InSmallPieces_GivesTheSameEvents()
    {
        foreach (var sample in new[] { BrevoEvents, BrevoLines, BrevoSingle })
        {
            Assert.Equal(await ReaderHarness.ReadAllAsync(_reader, sample), await ReaderHarness.ReadAllAsync(_reader, sample, trickle: true));
        }
    }

    [Fact]
    public async Task Read_TruncatedArray_SaysTruncatedWithLineAndColumn()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            ReaderHarness.ReadAllAsync(_reader, BrevoEvents[..(BrevoEvents.Length / 2)], "brevo.json"));

        Assert.Equal("brevo.json", error.FileName);
        Assert.Matches(@"^line \d+, column \d+$", error.Position);
        Assert.Contains("truncated", error.Problem);
    }

    [Theory]
    [InlineData("""{"ms":1}""")]
    [InlineData("\"NaN\"")]
    [InlineData("1e400")]
    [InlineData("-5")]
    [InlineData("true")]
    public async Task Read_TimeNotUnixTime_NamesTheFieldInTheLine(string time)
    {
        var lines = BrevoLines.Replace("\"ts_epoch\":1700000000002", "\"ts_epoch\":" + time);

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, lines));

        Assert.Equal("line 2, $.ts_epoch", error.Position);
        Assert.Contains("Unix time", error.Problem);
    }

    [Fact]
    public async Task Read_NoTimeAtAll_SaysWhichFieldWasExpected()
    {
        var lines = BrevoLines.Replace("\"ts_event\":1700000000,", "");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, lines));

        Assert.Equal("line 3, $.ts_epoch", error.Position);
        Assert.Contains("missing", error.Problem);
    }

    [Fact]
    public async Task Read_MissingEmail_NamesTheField()
    {
        var events = BrevoEvents.Replace("\"email\":\"angry@domain.net\",", "");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, events));

        Assert.Equal("$[9].email", error.Position);
        Assert.Contains("missing", error.Problem);
    }

    [Theory]
    [InlineData(nameof(BrevoEvents))]
    [InlineData(nameof(BrevoLines))]
    [InlineData(nameof(BrevoSingle))]
    public async Task Detect_EachSample_IsBrevoAndNothingElse(string sample)
    {
        var text = ProviderSamples.All().Single(s => s.Name == sample).Text;

        Assert.Equal([_reader.Format], ReaderHarness.FormatsClaiming(text));
        Assert.Equal(_reader.Format, await ReaderHarness.DetectedFormatAsync(text));
    }

    [Fact]
    public async Task Import_EventsTwice_SecondAddsNothing()
    {
        var (first, second, afterFirst, afterSecond) = await ReaderHarness.ImportTwiceAsync(BrevoEvents, "brevo.json");

        Assert.Equal(10, first.EventsAdded);
        Assert.Equal(1, first.Clicks);
        Assert.Equal(0, second.EventsAdded);
        Assert.Equal(10, second.DuplicatesSkipped);
        Assert.Equal(afterFirst, afterSecond);
    }
}
