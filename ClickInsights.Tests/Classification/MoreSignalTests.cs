using ClickInsights.Core.Classification;
using ClickInsights.Core.Classification.Signals;
using ClickInsights.Core.Data;

namespace ClickInsights.Tests.Classification;

public sealed class AgentAgeSignalTests
{
    private const string OldChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36";

    [Fact]
    public void OldChrome_IsOutdated_WithYears()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 4 * 3600, 1, agent: OldChrome);

        var reason = CampaignBuilder.Classify(campaign.Build()).Of(click).Reasons.Single(r => r.Code == AgentAgeSignal.Outdated);

        Assert.Contains("Chrome 79", reason.Evidence);
    }

    [Fact]
    public void OutdatedReason_IsWrittenTheSame_OnAGermanServer()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 4 * 3600, 1, agent: OldChrome);
        var before = System.Globalization.CultureInfo.CurrentCulture;
        // German number writing, made by hand: this machine may have no culture data.
        var german = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        german.NumberFormat.NumberDecimalSeparator = ",";
        german.NumberFormat.NumberGroupSeparator = ".";
        System.Globalization.CultureInfo.CurrentCulture = german;
        try
        {
            Assert.Equal("2,5", $"{2.5:0.#}");
            var reason = CampaignBuilder.Classify(campaign.Build()).Of(click).Reasons.Single(r => r.Code == AgentAgeSignal.Outdated);

            Assert.Matches(@"about \d+(\.\d)? years out of date", reason.Evidence);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void CurrentChrome_IsNotOutdated()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 4 * 3600, 1);

        Assert.False(CampaignBuilder.Classify(campaign.Build()).Of(click).Has(AgentAgeSignal.Outdated));
    }

    [Fact]
    public void EmptyAgent_IsFlagged_ButAloneStaysBelowSuspect()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 4 * 3600, 1, agent: "");

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        Assert.True(result.Has(AgentAgeSignal.Empty));
        Assert.Equal(Verdict.Human, result.Verdict);
    }
}

public sealed class NetworkSignalTests
{
    [Fact]
    public void MicrosoftEopNetwork_IsCertainScanner_WithSource()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 3 * 3600, 1, ip: "40.107.22.1");

        var reason = CampaignBuilder.Classify(campaign.Build()).Of(click).Reasons.Single(r => r.Code == NetworkSignal.Scanner);

        Assert.Contains("40.107.0.0/16", reason.Evidence);
        Assert.Contains("Microsoft", reason.Evidence);
    }

    [Fact]
    public void PersonOnAzureDesktop_HoursLater_StaysHuman()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 5 * 3600, 2, ip: "20.72.100.79");

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        Assert.True(result.Has(NetworkSignal.Cloud));
        Assert.Equal(Verdict.Human, result.Verdict);
    }

    [Fact]
    public void HomeNetwork_HasNoNetworkReason()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 3 * 3600, 1, ip: "73.20.1.5");

        Assert.DoesNotContain(CampaignBuilder.Classify(campaign.Build()).Of(click).Reasons, r => r.Code.StartsWith("network_", StringComparison.Ordinal));
    }

    [Fact]
    public void UserCatalogueEntry_IsUsed()
    {
        var catalogue = ScannerCatalogue.Default.WithUserEntries([], [new NetworkEntry("198.51.100.0/24", "Our own test gateway", Confidence.Certain, "added by support", "2026-11-26")], []);
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 3 * 3600, 1, ip: "198.51.100.7");

        var result = new ClickClassifier(catalogue).Classify(campaign.Build(), ClassifierSettings.Default).Of(click);

        Assert.Contains("Our own test gateway", result.Reasons.Single(r => r.Code == NetworkSignal.Scanner).Evidence);
    }

    [Fact]
    public void CampaignWithoutIps_SaysNetworksWereUnavailable()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        campaign.Click(1, 3 * 3600, 1, ip: null);

        Assert.Contains(CampaignBuilder.Classify(campaign.Build()).UnavailableSignals, s => s.Contains("IP addresses"));
    }
}

public sealed class EveryLinkSignalTests
{
    [Fact]
    public void AllFourLinksWithinSeconds_IsEveryLink()
    {
        var campaign = new CampaignBuilder { Links = 4 }.Delivered(1, 5);
        var ids = Enumerable.Range(1, 4).Select(l => campaign.Click(1, 60 + l, l)).ToList();

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.All(ids, id => Assert.True(result.Of(id).Has(EveryLinkSignal.Code)));
        Assert.Contains("every one of the email's 4 links", result.Of(ids[0]).Reasons.First(r => r.Code == EveryLinkSignal.Code).Evidence);
    }

    [Fact]
    public void ThreeOfFourLinks_IsNotEveryLink()
    {
        var campaign = new CampaignBuilder { Links = 4 }.Delivered(1, 5);
        var ids = Enumerable.Range(1, 3).Select(l => campaign.Click(1, 60 + l, l)).ToList();

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.All(ids, id => Assert.False(result.Of(id).Has(EveryLinkSignal.Code)));
    }

    [Fact]
    public void AllLinksOverAnHour_IsNotEveryLink()
    {
        var campaign = new CampaignBuilder { Links = 3 }.Delivered(1, 5);
        var ids = Enumerable.Range(1, 3).Select(l => campaign.Click(1, 3600 + l * 1200, l)).ToList();

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.All(ids, id => Assert.False(result.Of(id).Has(EveryLinkSignal.Code)));
    }
}

public sealed class SandboxPairSignalTests
{
    [Fact]
    public void GatewayFetchJustBeforePersonsClick_EarlierIsBot_LaterIsHuman()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5, "northwindlegal.com");
        var scan = campaign.Click(1, 7200, 2, ip: "205.139.110.40");
        var person = campaign.Click(1, 7201.5, 2, ip: "73.20.1.5");

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.True(result.Of(scan).Has(SandboxPairSignal.Precheck));
        Assert.Equal(Verdict.Bot, result.Of(scan).Verdict);
        Assert.True(result.Of(person).Has(SandboxPairSignal.FollowedByPerson));
        Assert.Equal(Verdict.Human, result.Of(person).Verdict);
    }

    [Fact]
    public void DoubleClickFromSameNetwork_IsNoSandbox()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var first = campaign.Click(1, 7200, 2, ip: "73.20.1.5");
        var second = campaign.Click(1, 7201, 2, ip: "73.20.1.5");

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.False(result.Of(first).Has(SandboxPairSignal.Precheck));
        Assert.Equal(Verdict.Human, result.Of(second).Verdict);
    }

    [Fact]
    public void SameLinkMinutesApart_IsNoSandbox()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var first = campaign.Click(1, 7200, 2, ip: "205.139.110.40");
        var second = campaign.Click(1, 7500, 2, ip: "73.20.1.5");

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.False(result.Of(first).Has(SandboxPairSignal.Precheck));
        Assert.False(result.Of(second).Has(SandboxPairSignal.FollowedByPerson));
    }
}

public sealed class ProviderFlagAndHoneypotTests
{
    [Fact]
    public void ProviderFlaggedClick_IsBot()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 7200, 1, flag: "mailgun:generic");

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        Assert.True(result.Has(ProviderFlagSignal.Code));
        Assert.Equal(Verdict.Bot, result.Verdict);
    }

    [Fact]
    public void UnflaggedClick_HasNoProviderReason()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 7200, 1);

        Assert.False(CampaignBuilder.Classify(campaign.Build()).Of(click).Has(ProviderFlagSignal.Code));
    }

    [Fact]
    public void HoneypotClick_IsBot_OtherLinksAreNot()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5).Delivered(2, 5);
        campaign.Honeypots.Add(9);
        var trap = campaign.Click(1, 7200, 9);
        var normal = campaign.Click(2, 7200, 1);

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.Equal(Verdict.Bot, result.Of(trap).Verdict);
        Assert.True(result.Of(trap).Has(HoneypotSignal.Code));
        Assert.False(result.Of(normal).Has(HoneypotSignal.Code));
    }
}

public sealed class DomainPatternSignalTests
{
    [Fact]
    public void ManyEarlyClickersAtOneDomain_WithoutIpOrAgent_RaiseSuspicion()
    {
        var campaign = new CampaignBuilder();
        var early = new List<long>();
        for (int r = 1; r <= 6; r++)
        {
            campaign.Sent(r, 0, "lakesiderealty.com");
            if (r <= 4)
            {
                early.Add(campaign.Click(r, 60 + r * 10, 1, ip: null, agent: null));
            }
        }

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.All(early, id => Assert.True(result.Of(id).Has(DomainPatternSignal.Code)));
        Assert.All(early, id => Assert.NotEqual(Verdict.Human, result.Of(id).Verdict));
        Assert.Contains("4 of 6 recipients at lakesiderealty.com", result.Of(early[0]).Reasons.First(r => r.Code == DomainPatternSignal.Code).Evidence);
    }

    [Fact]
    public void OneEarlyClickerAmongMany_IsNoDomainPattern()
    {
        var campaign = new CampaignBuilder();
        for (int r = 1; r <= 20; r++)
        {
            campaign.Sent(r, 0, "gmail.com");
        }
        var click = campaign.Click(1, 40, 1, ip: null, agent: null);
        var late = campaign.Click(2, 9000, 1, ip: null, agent: null);

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.False(result.Of(click).Has(DomainPatternSignal.Code));
        Assert.False(result.Of(late).Has(DomainPatternSignal.Code));
    }
}

public sealed class PersonSignalTests
{
    [Fact]
    public void LaterClickFromAnotherNetwork_AfterScan_IsConfirmedHuman_AndScanStaysBot()
    {
        var campaign = new CampaignBuilder { Links = 3 }.Delivered(1, 30, "harbordental.com");
        var scan = Enumerable.Range(1, 3).Select(l => campaign.Click(1, 25 + l * 0.3, l, "52.101.4.4", "")).ToList();
        var person = campaign.Click(1, 4 * 3600, 2, "98.10.2.3");

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.All(scan, id => Assert.Equal(Verdict.Bot, result.Of(id).Verdict));
        Assert.True(result.Of(person).Has(PersonSignal.ConfirmedHuman));
        Assert.Equal(Verdict.Human, result.Of(person).Verdict);
        Assert.Equal(0, result.Of(person).Score);
    }

    [Fact]
    public void LateClickFromScannerNetwork_GetsNoCreditForAPerson()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 4 * 3600, 2, "205.139.110.40");

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        Assert.False(result.Has(PersonSignal.LaterIsolated));
        Assert.NotEqual(Verdict.Human, result.Verdict);
    }

    [Fact]
    public void EarlyClick_GetsNoCreditForAPerson()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 60, 2);

        Assert.False(CampaignBuilder.Classify(campaign.Build()).Of(click).Has(PersonSignal.LaterIsolated));
    }
}

public sealed class ClickWithoutOpenSignalTests
{
    [Fact]
    public void EarlyClickWithoutOpen_InDataWithoutIpOrAgent_IsFlagged()
    {
        var campaign = new CampaignBuilder().Sent(1, 0).Sent(2, 0).Open(2, 3600);
        var click = campaign.Click(1, 120, 1, ip: null, agent: null);

        Assert.True(CampaignBuilder.Classify(campaign.Build()).Of(click).Has(ClickWithoutOpenSignal.Code));
    }

    [Fact]
    public void EarlyClickAfterOpen_IsNotFlagged()
    {
        var campaign = new CampaignBuilder().Sent(1, 0).Open(1, 100);
        var click = campaign.Click(1, 115, 1, ip: null, agent: null);

        var result = CampaignBuilder.Classify(campaign.Build()).Of(click);

        Assert.False(result.Has(ClickWithoutOpenSignal.Code));
        Assert.Equal(Verdict.Human, result.Verdict);
    }

    [Fact]
    public void WithIpAddresses_NoOpenIsNeverUsed()
    {
        var campaign = new CampaignBuilder().Delivered(1, 0).Delivered(2, 0).Open(2, 3600);
        var click = campaign.Click(1, 120, 1);

        Assert.False(CampaignBuilder.Classify(campaign.Build()).Of(click).Has(ClickWithoutOpenSignal.Code));
    }
}

public sealed class SettingsTests
{
    [Fact]
    public void Thresholds_DecideVerdicts_AndHashChanges()
    {
        var campaign = new CampaignBuilder().Delivered(1, 5);
        var click = campaign.Click(1, 7200, 1, ip: "148.163.130.1");
        var strict = ClassifierSettings.Default with { SuspectThreshold = 60, BotThreshold = 90 };

        var normal = CampaignBuilder.Classify(campaign.Build()).Of(click);
        var relaxed = CampaignBuilder.Classify(campaign.Build(), strict).Of(click);

        Assert.Equal(Verdict.Suspect, normal.Verdict);
        Assert.Equal(Verdict.Human, relaxed.Verdict);
        Assert.NotEqual(ClassifierSettings.Default.Hash(), strict.Hash());
        Assert.Equal(ClassifierSettings.Default.Hash(), new ClassifierSettings().Hash());
    }

    [Fact]
    public void WholeMinuteData_FindsEveryLinkBurst_AndSaysWhatIsMissing()
    {
        var campaign = new CampaignBuilder { Links = 4 };
        campaign.Sent(1, 0, "harbordental.com").Sent(2, 0, "gmail.com").Open(2, 7200);
        var scan = Enumerable.Range(1, 4).Select(l => campaign.Click(1, 60, l, ip: null, agent: null)).ToList();
        var person = campaign.Click(2, 7260, 2, ip: null, agent: null);
        campaign.Click(2, 7380, 3, ip: null, agent: null);

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.All(scan, id => Assert.Equal(Verdict.Bot, result.Of(id).Verdict));
        Assert.Equal(Verdict.Human, result.Of(person).Verdict);
        Assert.Contains(result.UnavailableSignals, s => s.Contains("IP"));
        Assert.Contains(result.UnavailableSignals, s => s.Contains("user agents"));
    }

    [Fact]
    public void WholeMinuteData_LinksClickedAMinuteApart_AreNoBurst()
    {
        // The builder's send time is 40 s past a minute: clicks 20 s after it, and whole minutes on, are whole minutes.
        var campaign = new CampaignBuilder { Links = 4 };
        campaign.Sent(1, 0, "harbordental.com").Sent(2, 0, "gmail.com").Open(2, 140);
        var scan = Enumerable.Range(1, 4).Select(l => campaign.Click(1, 80, l, ip: null, agent: null)).ToList();
        // A person reading the email: one link at 14:02, the next at 14:03, another at 14:04.
        var reading = new[] { 2, 3, 4 }.Select(l => campaign.Click(2, 80 + 60 * l, l, ip: null, agent: null)).ToList();

        var result = CampaignBuilder.Classify(campaign.Build());

        Assert.Contains(result.Of(scan[0]).Reasons, r => r.Code == BurstSignal.Code && r.Evidence.Contains("within the same minute"));
        Assert.All(reading, id => Assert.False(result.Of(id).Has(BurstSignal.Code), string.Join("; ", result.Of(id).Reasons.Select(r => r.Evidence))));
        Assert.All(reading, id => Assert.Equal(Verdict.Human, result.Of(id).Verdict));
    }
}

public sealed class FormatTests
{
    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(420, "0.4 s")]
    [InlineData(460, "0.4 s")]
    [InlineData(999, "0.9 s")]
    [InlineData(1_000, "1 s")]
    [InlineData(59_999, "59 s")]
    [InlineData(125_000, "2 min")]
    public void Duration_IsWrittenAsItsKeyGroupsIt(long ms, string text) => Assert.Equal(text, Format.Duration(ms));

    [Fact]
    public void DurationsWithTheSameKey_AreWrittenTheSame()
    {
        var byKey = new Dictionary<long, string>();
        for (long ms = 0; ms < 200_000; ms += 7)
        {
            var text = Format.Duration(ms);
            Assert.Equal(byKey.TryAdd(Format.DurationKey(ms), text) ? text : byKey[Format.DurationKey(ms)], text);
        }
    }
}
