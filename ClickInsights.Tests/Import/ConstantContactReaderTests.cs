using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using static ClickInsights.Tests.Support.ProviderSamples;

namespace ClickInsights.Tests.Import;

public sealed class ConstantContactReaderTests
{
    private readonly ConstantContactReader _reader = new();

    [Fact]
    public async Task Read_ClicksPage_NormalizesEveryField()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, ConstantContactClicks);

        Assert.Equal(3, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal("constantcontact", e.Source);
            Assert.Equal(ConstantContactActivityId, e.CampaignKey);
            Assert.Equal(EventType.Click, e.Type);
            // Constant Contact gives neither the clicker's IP nor a user agent, nor any bot flag.
            Assert.Null(e.Ip);
            Assert.Null(e.UserAgent);
            Assert.Null(e.ProviderBotFlag);
            Assert.StartsWith("sha256:", e.ExternalId);
        });
        Assert.Equal("maddieb@gmail.com", events[0].Email);
        Assert.Equal("j.smith@example.com", events[1].Email);
        Assert.Equal("http://www.yoursite.com", events[0].Url);
        Assert.Equal("https://www.yoursite.com/menu?utm_source=cc", events[1].Url);
        // Whole minutes as documented, milliseconds when given, and no fraction at all.
        Assert.Equal(DateTimeOffset.Parse("2019-04-25T11:08:00Z").ToUnixTimeMilliseconds(), events[0].OccurredAtMs);
        Assert.Equal(DateTimeOffset.Parse("2019-04-25T11:09:31.412Z").ToUnixTimeMilliseconds(), events[1].OccurredAtMs);
        Assert.Equal(DateTimeOffset.Parse("2019-04-25T13:08:00Z").ToUnixTimeMilliseconds(), events[2].OccurredAtMs);
        Assert.Contains("\"url_id\": \"1100407204171\"", events[0].Raw);
        Assert.Contains("\"deleted_at\"", events[1].Raw);
        Assert.Equal(3, events.Select(e => e.ExternalId).Distinct().Count());
    }

    [Theory]
    [InlineData("em_sends", EventType.Sent)]
    [InlineData("em_opens", EventType.Open)]
    [InlineData("em_clicks", EventType.Click)]
    [InlineData("em_bounces", EventType.Bounce)]
    [InlineData("em_optouts", EventType.Unsubscribe)]
    [InlineData("em_forwards", EventType.Other)]
    public async Task Read_EachTrackingType_MapsToItsEventType(string trackingType, EventType expected)
    {
        var page = $$"""{"tracking_activities":[{"contact_id":"c1","campaign_activity_id":"{{ConstantContactActivityId}}","tracking_activity_type":"{{trackingType}}","email_address":"a@b.example","created_time":"2019-04-25T11:08:00.000Z"}]}""";

        var events = await ReaderHarness.ReadEventsAsync(_reader, page);

        Assert.Equal(expected, Assert.Single(events).Type);
    }

    [Fact]
    public async Task Read_BouncesPageWithAbsoluteNextLink_ReadsTheBounce()
    {
        var e = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, ConstantContactBounces));

        Assert.Equal(EventType.Bounce, e.Type);
        Assert.Equal("gone@oldisp.example", e.Email);
        Assert.Null(e.Url);
    }

    [Theory]
    [InlineData("""{"tracking_activities":[]}""")]
    [InlineData("""{"tracking_activities":[],"_links":{}}""")]
    [InlineData("""{"_links":{"next":{"href":"/v3/x"}},"tracking_activities":[]}""")]
    public async Task Read_EmptyPage_GivesNothing(string page)
    {
        Assert.Empty(await ReaderHarness.ReadAllAsync(_reader, page));
    }

    [Fact]
    public async Task Read_SamePageTwice_GivesTheSameIds()
    {
        var first = await ReaderHarness.ReadEventsAsync(_reader, ConstantContactClicks);
        var second = await ReaderHarness.ReadEventsAsync(_reader, ConstantContactClicks);

        Assert.Equal(first.Select(e => e.ExternalId), second.Select(e => e.ExternalId));
    }

    [Fact]
    public async Task Read_ContactRenamedOrDeletedSince_GivesTheSameIds_AnotherTimeDoesNot()
    {
        var renamed = ConstantContactClicks
            .Replace("\"first_name\": \"Maddie\"", "\"first_name\": \"Madeleine\", \"deleted_at\": \"2026-11-01T00:00:00.000Z\"", StringComparison.Ordinal);
        var later = ConstantContactClicks.Replace("2019-04-25T11:08:00.000Z", "2019-04-25T11:09:00.000Z", StringComparison.Ordinal);
        Assert.NotEqual(ConstantContactClicks, renamed);

        var first = await ReaderHarness.ReadEventsAsync(_reader, ConstantContactClicks);
        var afterRename = await ReaderHarness.ReadEventsAsync(_reader, renamed);
        var another = await ReaderHarness.ReadEventsAsync(_reader, later);

        Assert.Equal(first.Select(e => e.ExternalId), afterRename.Select(e => e.ExternalId));
        Assert.NotEqual(first[0].ExternalId, another[0].ExternalId);
    }

    [Fact]
    public async Task Read_SamePageReformatted_GivesTheSameIds()
    {
        var compact = System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(ConstantContactClicks).RootElement);

        var pretty = await ReaderHarness.ReadEventsAsync(_reader, ConstantContactClicks);
        var oneLine = await ReaderHarness.ReadEventsAsync(_reader, compact);

        Assert.Equal(pretty.Select(e => e.ExternalId), oneLine.Select(e => e.ExternalId));
    }

    [Fact]
    public async Task Read_LinksReport_TakesTheCampaignFromTheFileName()
    {
        var items = await ReaderHarness.ReadAllAsync(_reader, ConstantContactLinks, $"links-{ConstantContactActivityId.ToUpperInvariant()}.json");

        var links = items.Select(i => Assert.IsType<LinkInfo>(i)).ToList();
        Assert.Equal(["http://www.yoursite.com", "https://www.yoursite.com/menu?utm_source=cc", "https://www.yoursite.com/unclicked"], links.Select(l => l.Url));
        Assert.All(links, l => Assert.Equal(ConstantContactActivityId, l.CampaignKey));
        Assert.All(links, l => Assert.Equal("constantcontact", l.Source));
    }

    [Fact]
    public async Task Read_LinksReportNamingItsCampaignAfterTheArray_PrefersThatOverTheFileName()
    {
        const string page = """{"link_click_counts":[{"url_id":"1","link_url":"https://a.example/","unique_clicks":0}],"campaign_activity_id":"11111111-2222-3333-4444-555555555555"}""";

        var link = Assert.IsType<LinkInfo>(Assert.Single(await ReaderHarness.ReadAllAsync(_reader, page, $"{ConstantContactActivityId}.json")));

        Assert.Equal("11111111-2222-3333-4444-555555555555", link.CampaignKey);
    }

    [Fact]
    public async Task Read_LinksReportWithoutAnyCampaign_SaysWhereToPutIt()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, ConstantContactLinks, "links.json"));

        Assert.Equal("links.json", error.FileName);
        Assert.Equal("$", error.Position);
        Assert.Contains("campaign_activity_id", error.Problem);
        Assert.Contains("file name", error.Problem);
    }

    [Fact]
    public async Task Read_InSmallPieces_GivesTheSameEvents()
    {
        var whole = await ReaderHarness.ReadAllAsync(_reader, ConstantContactClicks);
        var pieces = await ReaderHarness.ReadAllAsync(_reader, ConstantContactClicks, trickle: true);

        Assert.Equal(whole, pieces);
    }

    [Fact]
    public async Task Read_TruncatedPage_SaysTruncatedWithLineAndColumn()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            ReaderHarness.ReadAllAsync(_reader, ConstantContactClicks[..(ConstantContactClicks.Length / 2)], "clicks.json"));

        Assert.Equal("clicks.json", error.FileName);
        Assert.Matches(@"^line \d+, column \d+$", error.Position);
        Assert.Contains("truncated", error.Problem);
    }

    [Fact]
    public async Task Read_TimeAsNumber_NamesTheFieldAndWhatWasExpected()
    {
        var page = ConstantContactClicks.Replace("\"2019-04-25T13:08:00Z\"", "1556197680");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$.tracking_activities[2].created_time", error.Position);
        Assert.Contains("ISO 8601", error.Problem);
        Assert.Contains("number 1556197680", error.Problem);
    }

    [Fact]
    public async Task Read_MissingEmail_NamesTheField()
    {
        var page = ConstantContactClicks.Replace("\"email_address\": \" J.Smith@Example.COM \",", "");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$.tracking_activities[1].email_address", error.Position);
        Assert.Contains("missing", error.Problem);
    }

    [Fact]
    public async Task Read_RecordThatIsNotAnObject_SaysWhatWasExpected()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, """{"tracking_activities":[{"x":1}, 42]}"""));

        // The first record fails first: it lacks its fields.
        Assert.StartsWith("$.tracking_activities[0].", error.Position);
        error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, """{"tracking_activities":[42]}"""));
        Assert.Equal("$.tracking_activities[0]", error.Position);
        Assert.Contains("found number 42", error.Problem);
    }

    [Fact]
    public async Task Read_EmptyFile_SaysEmpty()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, "  \n"));

        Assert.Contains("empty", error.Problem);
        Assert.Contains("tracking_activities", error.Problem);
    }

    [Theory]
    [InlineData(nameof(ConstantContactClicks))]
    [InlineData(nameof(ConstantContactBounces))]
    [InlineData(nameof(ConstantContactEmptyPage))]
    [InlineData(nameof(ConstantContactLinks))]
    public async Task Detect_EachSample_IsConstantContactAndNothingElse(string sample)
    {
        var text = ProviderSamples.All().Single(s => s.Name == sample).Text;

        Assert.Equal([_reader.Format], ReaderHarness.FormatsClaiming(text));
        Assert.Equal(_reader.Format, await ReaderHarness.DetectedFormatAsync(text));
    }

    [Fact]
    public async Task Import_ClicksPageTwice_SecondAddsNothing()
    {
        var (first, second, afterFirst, afterSecond) = await ReaderHarness.ImportTwiceAsync(ConstantContactClicks, "clicks.json");

        Assert.Equal(3, first.EventsAdded);
        Assert.Equal(3, first.Clicks);
        Assert.Equal(0, second.EventsAdded);
        Assert.Equal(3, second.DuplicatesSkipped);
        Assert.Equal(afterFirst, afterSecond);
        Assert.Equal(new ReaderHarness.StoredCounts(Events: 3, Campaigns: 1, Links: 2, Recipients: 3), afterSecond);
    }

    [Fact]
    public async Task Import_LinksReportTwice_StoresEachLinkOnce()
    {
        var (_, _, afterFirst, afterSecond) = await ReaderHarness.ImportTwiceAsync(ConstantContactLinks, $"{ConstantContactActivityId}-links.json");

        Assert.Equal(3, afterFirst.Links);
        Assert.Equal(afterFirst, afterSecond);
    }
}
