using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using static ClickInsights.Tests.Support.ProviderSamples;

namespace ClickInsights.Tests.Import;

public sealed class MailchimpReaderTests
{
    private readonly MailchimpReader _reader = new();

    private static long Ms(string iso) => DateTimeOffset.Parse(iso).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Read_EmailActivity_OneEventPerActivity()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, MailchimpEmailActivity);

        Assert.Equal(4, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal("mailchimp", e.Source);
            Assert.Equal(MailchimpCampaignId, e.CampaignKey);
            Assert.Null(e.UserAgent);
            Assert.Null(e.ProviderBotFlag);
        });
        var urist = events.Where(e => e.Email == "urist.mcvankab@freddiesjokes.com").ToList();
        Assert.Equal([EventType.Open, EventType.Click, EventType.Click], urist.Select(e => e.Type));
        Assert.Equal(Ms("2015-09-15T19:15:47Z"), urist[0].OccurredAtMs);
        Assert.Equal("198.2.191.34", urist[0].Ip);
        Assert.Null(urist[0].Url);
        Assert.Equal("http://mailchimp.com", urist[1].Url);
        // +02:00 becomes UTC.
        Assert.Equal(Ms("2015-09-15T19:15:51Z"), urist[2].OccurredAtMs);
        Assert.Equal("40.94.31.7", urist[2].Ip);
        Assert.Contains("\"email_address\":\"Urist.McVankab@freddiesjokes.com\"", urist[1].Raw);
        Assert.Contains("\"url\":\"http://mailchimp.com\"", urist[1].Raw);

        // The second recipient names no campaign: the page's campaign_id, written after the array, is used.
        var bounce = events.Single(e => e.Email == "bounced@example.org");
        Assert.Equal(EventType.Bounce, bounce.Type);
        Assert.Equal(Ms("2015-09-15T18:50:02Z"), bounce.OccurredAtMs);
        Assert.Equal(MailchimpCampaignId, bounce.CampaignKey);
        Assert.Equal(4, events.Select(e => e.ExternalId).Distinct().Count());
    }

    [Fact]
    public async Task Read_EmailActivityTwice_GivesTheSameIds()
    {
        var first = await ReaderHarness.ReadEventsAsync(_reader, MailchimpEmailActivity);
        var second = await ReaderHarness.ReadEventsAsync(_reader, MailchimpEmailActivity);

        Assert.Equal(first.Select(e => e.ExternalId), second.Select(e => e.ExternalId));
    }

    [Fact]
    public async Task Read_SameActivityWrittenWithAnotherOffset_GivesTheSameId()
    {
        const string utc = """{"emails":[{"campaign_id":"c1","email_address":"a@b.example","activity":[{"action":"click","timestamp":"2015-09-15T19:15:51+00:00","url":"https://x.example/","ip":"1.2.3.4"}]}]}""";
        var shifted = utc.Replace("2015-09-15T19:15:51+00:00", "2015-09-15T21:15:51+02:00").Replace("a@b.example", " A@B.example");

        var first = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, utc));
        var second = Assert.Single(await ReaderHarness.ReadEventsAsync(_reader, shifted));

        Assert.Equal(first.ExternalId, second.ExternalId);
    }

    [Fact]
    public async Task Read_EmptyActivityPage_GivesNothing()
    {
        Assert.Empty(await ReaderHarness.ReadAllAsync(_reader, MailchimpEmptyActivity));
    }

    [Fact]
    public async Task Read_ClickDetails_GivesTheLinks()
    {
        var links = (await ReaderHarness.ReadAllAsync(_reader, MailchimpClickDetails)).Select(i => Assert.IsType<LinkInfo>(i)).ToList();

        Assert.Equal(["http://mailchimp.com", "http://mailchimp.com/pricing"], links.Select(l => l.Url).Order());
        Assert.All(links, l => Assert.Equal(MailchimpCampaignId, l.CampaignKey));
    }

    [Fact]
    public async Task Read_SentTo_SentAndBouncedWithoutATime()
    {
        var events = await ReaderHarness.ReadEventsAsync(_reader, MailchimpSentTo);

        Assert.Equal([EventType.Sent, EventType.Bounce, EventType.Bounce], events.Select(e => e.Type));
        Assert.Equal(["urist.mcvankab@freddiesjokes.com", "bounced@example.org", "full-mailbox@example.net"], events.Select(e => e.Email));
        Assert.All(events, e => Assert.Equal(NormalizedEvent.UnknownTime, e.OccurredAtMs));
        Assert.All(events, e => Assert.Equal(MailchimpCampaignId, e.CampaignKey));
        Assert.Equal(3, events.Select(e => e.ExternalId).Distinct().Count());
    }

    [Fact]
    public async Task Read_SentToWithUnknownStatus_SaysWhatWasExpected()
    {
        var page = MailchimpSentTo.Replace("\"status\": \"soft\"", "\"status\": \"maybe\"");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$.sent_to[2].status", error.Position);
        Assert.Contains("sent, hard or soft", error.Problem);
    }

    [Fact]
    public async Task Read_ReportsList_GivesNamesAndSendTimes()
    {
        var campaigns = (await ReaderHarness.ReadAllAsync(_reader, MailchimpReports)).Select(i => Assert.IsType<CampaignInfo>(i)).ToList();

        Assert.Equal(2, campaigns.Count);
        Assert.Equal(MailchimpCampaignId, campaigns[0].CampaignKey);
        Assert.Equal("September Newsletter", campaigns[0].Name);
        Assert.Equal(Ms("2015-09-15T14:40:36Z"), campaigns[0].SentAtMs);
        // A draft has an empty send_time.
        Assert.Equal("October draft", campaigns[1].Name);
        Assert.Null(campaigns[1].SentAtMs);
    }

    [Fact]
    public async Task Read_SingleReport_GivesItsCampaign()
    {
        var campaign = Assert.IsType<CampaignInfo>(Assert.Single(await ReaderHarness.ReadAllAsync(_reader, MailchimpReport)));

        Assert.Equal("mailchimp", campaign.Source);
        Assert.Equal(MailchimpCampaignId, campaign.CampaignKey);
        Assert.Equal("September Newsletter", campaign.Name);
        Assert.Equal(Ms("2015-09-15T14:40:36Z"), campaign.SentAtMs);
    }

    [Fact]
    public async Task Read_InSmallPieces_GivesTheSameItems()
    {
        foreach (var sample in new[] { MailchimpEmailActivity, MailchimpClickDetails, MailchimpSentTo, MailchimpReports, MailchimpReport })
        {
            Assert.Equal(await ReaderHarness.ReadAllAsync(_reader, sample), await ReaderHarness.ReadAllAsync(_reader, sample, trickle: true));
        }
    }

    [Fact]
    public async Task Read_TruncatedPage_SaysTruncatedWithLineAndColumn()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() =>
            ReaderHarness.ReadAllAsync(_reader, MailchimpEmailActivity[..(MailchimpEmailActivity.Length * 2 / 3)], "activity.json"));

        Assert.Equal("activity.json", error.FileName);
        Assert.Matches(@"^line \d+, column \d+$", error.Position);
        Assert.Contains("truncated", error.Problem);
    }

    [Fact]
    public async Task Read_BadActivityTime_NamesTheActivity()
    {
        var page = MailchimpEmailActivity.Replace("2015-09-15T19:15:51+00:00", "last Tuesday");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$.emails[0].activity[1].timestamp", error.Position);
        Assert.Contains("ISO 8601", error.Problem);
        Assert.Contains("last Tuesday", error.Problem);
    }

    [Fact]
    public async Task Read_ActivityNotAnArray_SaysWhatWasExpected()
    {
        const string page = """{"emails":[{"campaign_id":"c1","email_address":"a@b.example","activity":"open"}]}""";

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$.emails[0].activity", error.Position);
        Assert.Contains("an array", error.Problem);
    }

    [Fact]
    public async Task Read_MissingEmailAddress_NamesTheField()
    {
        var page = MailchimpSentTo.Replace("\"email_address\": \"full-mailbox@example.net\", ", "");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$.sent_to[2].email_address", error.Position);
        Assert.Contains("missing", error.Problem);
    }

    [Fact]
    public async Task Read_NoCampaignAnywhere_SaysWhereItWasExpected()
    {
        const string page = """{"emails":[{"email_address":"a@b.example","activity":[]}],"total_items":1}""";

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, page));

        Assert.Equal("$.emails[0]", error.Position);
        Assert.Contains("campaign_id", error.Problem);
    }

    [Fact]
    public async Task Read_ObjectThatIsNoReport_SaysWhatWasExpected()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => ReaderHarness.ReadAllAsync(_reader, """{"id":"x","name":"not a report"}"""));

        Assert.Equal("line 1, $", error.Position);
        Assert.Contains("Mailchimp report", error.Problem);
    }

    [Theory]
    [InlineData(nameof(MailchimpEmailActivity))]
    [InlineData(nameof(MailchimpEmptyActivity))]
    [InlineData(nameof(MailchimpClickDetails))]
    [InlineData(nameof(MailchimpSentTo))]
    [InlineData(nameof(MailchimpReports))]
    [InlineData(nameof(MailchimpReport))]
    public async Task Detect_EachSample_IsMailchimpAndNothingElse(string sample)
    {
        var text = ProviderSamples.All().Single(s => s.Name == sample).Text;

        Assert.Equal([_reader.Format], ReaderHarness.FormatsClaiming(text));
        Assert.Equal(_reader.Format, await ReaderHarness.DetectedFormatAsync(text));
    }

    [Fact]
    public async Task Import_EmailActivityTwice_SecondAddsNothing()
    {
        var (first, second, afterFirst, afterSecond) = await ReaderHarness.ImportTwiceAsync(MailchimpEmailActivity, "activity.json");

        Assert.Equal(4, first.EventsAdded);
        Assert.Equal(2, first.Clicks);
        Assert.Equal(0, second.EventsAdded);
        Assert.Equal(4, second.DuplicatesSkipped);
        Assert.Equal(afterFirst, afterSecond);
        Assert.Equal(1, afterSecond.Campaigns);
    }

    [Fact]
    public async Task Import_SentToTwice_SecondAddsNothing()
    {
        var (first, second, afterFirst, afterSecond) = await ReaderHarness.ImportTwiceAsync(MailchimpSentTo, "sent-to.json");

        Assert.Equal(3, first.EventsAdded);
        Assert.Equal(0, second.EventsAdded);
        Assert.Equal(afterFirst, afterSecond);
    }
}
