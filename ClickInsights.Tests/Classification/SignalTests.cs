using ClickInsights.Core.Classification;
using ClickInsights.Core.Classification.Signals;
using ClickInsights.Core.Data;

namespace ClickInsights.Tests.Classification;

public sealed class UserAgentSignalTests
{
    [Theory]
    [InlineData("Barracuda Sentinel (EE)", UserAgentSignal.SelfNamed)]
    [InlineData("Mozilla/5.0 (compatible; Google-Safety; +http://www.google.com/bot.html)", UserAgentSignal.SelfNamed)]
    [InlineData("python-requests/2.32.3", UserAgentSignal.Automation)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", UserAgentSignal.Automation)]
    public void Click_WithScannerAgent_IsBot(string agent, string code)
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 4 * 3600, link: 2, agent: agent);

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        Assert.True(result.Has(code));
        Assert.Equal(Verdict.Bot, result.Verdict);
        Assert.Contains("user agent", result.Reasons.Single(r => r.Code == code).Evidence);
    }

    [Fact]
    public void Click_WithBrowserAgent_GetsNoAgentReason()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 4 * 3600, link: 2);

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        Assert.DoesNotContain(result.Reasons, r => r.Code.StartsWith("ua_", StringComparison.Ordinal));
        Assert.Equal(Verdict.Human, result.Verdict);
    }

    [Fact]
    public void Campaign_WithoutAgents_SaysAgentsWereUnavailable()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        campaign.Click(1, 4 * 3600, link: 2, ip: null, agent: null);

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.Contains(result.UnavailableSignals, s => s.Contains("user agents"));
    }
}

public sealed class BurstSignalTests
{
    [Fact]
    public void AllLinksWithinOneSecond_IsBurst_WithEvidence()
    {
        var campaign = new CampaignBuilder { Links = 6 }.Delivered(1, 5);
        var ids = Enumerable.Range(1, 6).Select(l => campaign.Click(1, 50 + l * 0.15, l, ip: "52.100.3.4")).ToList();

        var result = CampaignBuilder.Classify(campaign.Build());

        foreach (var id in ids)
        {
            var click = result.Of(id);
            Assert.True(click.Has(BurstSignal.Code));
            Assert.Equal(Verdict.Bot, click.Verdict);
        }
        Assert.Contains("clicked 6 of 6 links within", result.Of(ids[0]).Reasons.First(r => r.Code == BurstSignal.Code).Evidence);
    }

    [Fact]
    public void PersonClickingFiveLinksOverTenMinutes_IsNoBurst()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var ids = Enumerable.Range(1, 5).Select(l => campaign.Click(1, 3 * 3600 + l * 120, l)).ToList();

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.All(ids, id => Assert.False(result.Of(id).Has(BurstSignal.Code)));
        Assert.All(ids, id => Assert.Equal(Verdict.Human, result.Of(id).Verdict));
    }

    [Fact]
    public void SameLinkTwice_IsNoBurst()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var a = campaign.Click(1, 3600, 1);
        var b = campaign.Click(1, 3600.5, 1);

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.False(result.Of(a).Has(BurstSignal.Code));
        Assert.False(result.Of(b).Has(BurstSignal.Code));
    }

    [Fact]
    public void OtherRecipientsClicks_DoNotMakeABurst()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5).Delivered(2, 5);
        var a = campaign.Click(1, 3600, 1);
        var b = campaign.Click(2, 3600.2, 2);

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.False(result.Of(a).Has(BurstSignal.Code));
        Assert.False(result.Of(b).Has(BurstSignal.Code));
    }
}

public sealed class TimingSignalTests
{
    [Fact]
    public void ClickBeforeDelivery_IsFlaggedWithHowLongBefore()
    {
        var campaign = new CampaignBuilder().Delivered(1, 60);
        var click = campaign.Click(1, 48, 1);

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        var reason = result.Reasons.Single(r => r.Code == TimingSignal.BeforeDelivery);
        Assert.Equal("clicked 12 s before the email was delivered", reason.Evidence);
        Assert.NotEqual(Verdict.Human, result.Verdict);
    }

    [Fact]
    public void PersonReadingAtOnce_OneLinkFifteenSecondsAfterDelivery_StaysHuman()
    {
        var campaign = new CampaignBuilder().Delivered(1, 20);
        var click = campaign.Click(1, 35, 3);

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        Assert.True(result.Has(TimingSignal.Early));
        Assert.Equal("clicked 15 s after delivery", result.Reasons.Single(r => r.Code == TimingSignal.Early).Evidence);
        Assert.Equal(Verdict.Human, result.Verdict);
    }

    [Fact]
    public void ClickHoursAfterDelivery_HasNoTimingReason()
    {
        var campaign = new CampaignBuilder().Delivered(1, 20);
        var click = campaign.Click(1, 5 * 3600, 3);

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        Assert.DoesNotContain(result.Reasons, r => r.Code is TimingSignal.Early or TimingSignal.BeforeDelivery);
        Assert.Equal(Verdict.Human, result.Verdict);
    }

    [Fact]
    public void WithoutDelivery_TimesFromSend()
    {
        var input = new CampaignBuilder().Build();
        var events = new List<ClassifierEvent>
        {
            new(1, 1, EventType.Sent, 1_000_000, 0, null, null, null),
            new(2, 1, EventType.Click, 1_043_000, 1, "1.2.3.4", CampaignBuilder.Browser, null),
        };

        var result = CampaignBuilder.Classify(new CampaignInput { Events = events });

        Assert.Equal("clicked 43 s after send", result.Of(2).Reasons.Single().Evidence);
        _ = input;
    }
}

public sealed class MixedCampaignTests
{
    [Fact]
    public void MixedCampaign_SeparatesScannersFromPeople()
    {
        var campaign = new CampaignBuilder { Links = 4 }
            .Delivered(1, 30, "harbordental.com")
            .Delivered(2, 10, "gmail.com")
            .Delivered(3, 12, "gmail.com")
            .Delivered(4, 15, "acme.com");

        // Safe Links on recipient 1: every link within a second, before delivery, old Chrome.
        var scan = Enumerable.Range(1, 4).Select(l => campaign.Click(1, 25 + l * 0.2, l, "40.94.1.2",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36")).ToList();
        // A person hours later, two links minutes apart.
        var person = new[] { campaign.Click(2, 3 * 3600, 1), campaign.Click(2, 3 * 3600 + 200, 3) };
        // A fast person.
        var fast = campaign.Click(3, 40, 2);
        // A link checker.
        var checker = campaign.Click(4, 600, 1, "35.200.1.1", "Go-http-client/1.1");

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.All(scan, id => Assert.Equal(Verdict.Bot, result.Of(id).Verdict));
        Assert.All(person, id => Assert.Equal(Verdict.Human, result.Of(id).Verdict));
        Assert.Equal(Verdict.Human, result.Of(fast).Verdict);
        Assert.Equal(Verdict.Bot, result.Of(checker).Verdict);
        Assert.All(result.Clicks, c => Assert.InRange(c.Score, 0, 100));
    }

    [Fact]
    public void SameInput_GivesSameVerdicts()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5).Delivered(2, 5);
        campaign.Click(1, 30, 1);
        campaign.Click(1, 30.5, 2);
        campaign.Click(2, 9000, 1);
        var input = campaign.Build();

        var first = CampaignBuilder.Classify(input);
        var second = CampaignBuilder.Classify(input);

        Assert.Equal(first.Clicks.Select(c => (c.EventId, c.Verdict, c.Score)), second.Clicks.Select(c => (c.EventId, c.Verdict, c.Score)));
    }
}
