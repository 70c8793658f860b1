using ClickInsights.Core.Authentication;

namespace ClickInsights.Tests.Authentication;

public sealed class SenderAuthCheckerTests(SenderZone zone) : IClassFixture<SenderZone>
{
    [Fact]
    public async Task Check_EverythingInPlace_PassesWithAlignedDkim()
    {
        var result = await zone.Checker().CheckAsync("good.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Pass, result.Spf.Status);
        Assert.Equal(CheckStatus.Pass, result.Dkim.Status);
        Assert.Equal(CheckStatus.Pass, result.Dmarc.Status);
        Assert.Equal(CheckStatus.Pass, result.Alignment.Status);
        Assert.True(result.Passed);
        Assert.Contains("reject", result.Dmarc.Summary);
        Assert.Contains("d=good.test", result.Alignment.Summary);
        Assert.All(result.Items, i => Assert.Empty(i.Fixes));
    }

    [Fact]
    public async Task Spf_WithoutProviderInclude_FailsWithTheRecordToPublish()
    {
        var result = await zone.Checker().CheckAsync("noinclude.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Fail, result.Spf.Status);
        Assert.Contains("include:sendgrid.net is missing", result.Spf.Summary);
        var fix = Assert.Single(result.Spf.Fixes);
        Assert.Equal(("noinclude.test", "TXT", "v=spf1 include:spf.other.test include:sendgrid.net ~all"), (fix.Name, fix.Type, fix.Value));
    }

    [Fact]
    public async Task Spf_IncludeNestedWithinLimit_Passes()
    {
        var result = await zone.Checker().CheckAsync("inlimit.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Pass, result.Spf.Status);
        Assert.Contains(result.Spf.Details, d => d.Contains("Found include:sendgrid.net inside _spf.inlimit.test"));
        Assert.Contains("DNS lookups needed: 2", result.Spf.Details);
    }

    [Fact]
    public async Task Spf_SameIncludeByTwoPaths_IsNoLoop_AndIsCountedTwice()
    {
        var result = await zone.Checker().CheckAsync("twice.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Pass, result.Spf.Status);
        Assert.Contains("DNS lookups needed: 5", result.Spf.Details);
    }

    [Fact]
    public async Task Spf_IncludeOfItself_IsALoop()
    {
        var result = await zone.Checker().CheckAsync("loop.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Fail, result.Spf.Status);
        Assert.Contains("includes itself in a loop", result.Spf.Summary);
    }

    [Fact]
    public async Task Spf_BareAll_FailsWithASoftFailRecord()
    {
        var result = await zone.Checker().CheckAsync("bareall.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Fail, result.Spf.Status);
        Assert.Equal("v=spf1 include:sendgrid.net ~all", Assert.Single(result.Spf.Fixes).Value);
    }

    [Fact]
    public async Task Dkim_CnamesToTheProviderWithoutAKey_FailAndSayToFinishAtTheProvider()
    {
        var result = await zone.Checker().CheckAsync("nokey.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Fail, result.Dkim.Status);
        Assert.Contains("publishes no key there", result.Dkim.Summary);
        Assert.Empty(result.Dkim.Fixes);
    }

    [Fact]
    public async Task Spf_NestedIncludesOverTheLookupLimit_FailsAndSaysHowMany()
    {
        var result = await zone.Checker().CheckAsync("nested.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Fail, result.Spf.Status);
        Assert.Contains("needs 11 DNS lookups", result.Spf.Summary);
        Assert.Contains(result.Spf.Details, d => d.Contains("lookup number 11"));
    }

    [Fact]
    public async Task Spf_TwoRecords_Fails()
    {
        var result = await zone.Checker().CheckAsync("two.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Fail, result.Spf.Status);
        Assert.Contains("2 SPF records", result.Spf.Summary);
    }

    [Fact]
    public async Task Spf_IncludeOfDomainWithoutSpf_FailsAsBroken()
    {
        var result = await zone.Checker().CheckAsync("broken.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Fail, result.Spf.Status);
        Assert.Contains("nospf.test", result.Spf.Summary);
    }

    [Fact]
    public async Task Spf_IncludeThatCannotBeRead_IsUnknownNotFail()
    {
        var result = await zone.Checker().CheckAsync("unreadable.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Unknown, result.Spf.Status);
        Assert.Contains("REFUSED", result.Spf.Summary);
    }

    [Fact]
    public async Task Dkim_ConstantContactCnames_PassWhileSpfNeverAligns()
    {
        var result = await zone.Checker().CheckAsync("cc.test", "constantcontact", null);

        Assert.Equal(CheckStatus.Pass, result.Dkim.Status);
        Assert.Contains(result.Dkim.Details, d => d.StartsWith("ctct1._domainkey.cc.test: CNAME to abc123.dkim1.ccsend.com"));
        Assert.Equal(CheckStatus.Pass, result.Alignment.Status);
        Assert.Contains(result.Alignment.Details, d => d.Contains("SPF never aligns"));
        Assert.Equal(CheckStatus.Pass, result.Dmarc.Status);
        Assert.Contains("p=none", result.Dmarc.Summary);
        Assert.True(result.Passed);
    }

    [Fact]
    public async Task Dkim_OnlyOneOfTwoSelectors_WarnsWithTheMissingRecord()
    {
        var result = await zone.Checker().CheckAsync("half.test", "constantcontact", null);

        Assert.Equal(CheckStatus.Warn, result.Dkim.Status);
        var fix = Assert.Single(result.Dkim.Fixes);
        Assert.Equal(("ctct2._domainkey.half.test", "CNAME"), (fix.Name, fix.Type));
        Assert.EndsWith(".dkim2.ccsend.com", fix.Value);
        Assert.NotNull(fix.Note);
        // Constant Contact's SPF include is asked for, but cannot matter for DMARC: a warning, not a failure.
        Assert.Equal(CheckStatus.Warn, result.Spf.Status);
        Assert.Equal("v=spf1 mx include:spf.constantcontact.com ~all", Assert.Single(result.Spf.Fixes).Value);
    }

    [Fact]
    public async Task Dkim_TxtKey_Passes()
    {
        var result = await zone.Checker().CheckAsync("mg.test", "mailgun", null);

        Assert.Equal(CheckStatus.Pass, result.Dkim.Status);
        Assert.Contains(result.Dkim.Details, d => d == "smtp._domainkey.mg.test: TXT key published");
        Assert.Equal(CheckStatus.Pass, result.Spf.Status);
        Assert.Contains("50%", result.Dmarc.Summary);
    }

    [Fact]
    public async Task Dkim_CnameToAnotherService_Fails()
    {
        var result = await zone.Checker().CheckAsync("elsewhere.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Fail, result.Dkim.Status);
        Assert.Contains("points to key1.other.test", result.Dkim.Summary);
        Assert.Equal(CheckStatus.Fail, result.Alignment.Status);
    }

    [Fact]
    public async Task Dkim_UserSelectorForAmazonSes_Passes()
    {
        var result = await zone.Checker().CheckAsync("ses.test", "amazonses", "tok3nabc._domainkey.ses.test");

        Assert.Equal(CheckStatus.Pass, result.Dkim.Status);
        Assert.True(result.Passed);
    }

    [Fact]
    public async Task Dkim_AmazonSesWithoutSelector_IsUnknownAndSaysWhatToEnter()
    {
        var result = await zone.Checker().CheckAsync("ses.test", "amazonses", null);

        Assert.Equal(CheckStatus.Unknown, result.Dkim.Status);
        Assert.Contains("selector", result.Dkim.Summary);
    }

    [Fact]
    public async Task Dmarc_Missing_FailsWithRecord()
    {
        var result = await zone.Checker().CheckAsync("half.test", "constantcontact", null);

        Assert.Equal(CheckStatus.Fail, result.Dmarc.Status);
        var fix = Assert.Single(result.Dmarc.Fixes);
        Assert.Equal(("_dmarc.half.test", "TXT", "v=DMARC1; p=none"), (fix.Name, fix.Type, fix.Value));
    }

    [Fact]
    public async Task Subdomain_KeysOnParentWithStrictDmarc_AlignmentFails()
    {
        var result = await zone.Checker().CheckAsync("news.brand.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Pass, result.Dkim.Status);
        Assert.Contains("brand.test", result.Dkim.Summary);
        Assert.Equal(CheckStatus.Pass, result.Dmarc.Status);
        Assert.Contains(result.Dmarc.Details, d => d.Contains("inherited from brand.test"));
        Assert.Equal(CheckStatus.Fail, result.Alignment.Status);
        Assert.Contains("adkim=s", result.Alignment.Summary);
    }

    [Fact]
    public async Task DomainWithNoRecords_FailsEverythingWithFixes_NeverUnknown()
    {
        var result = await zone.Checker().CheckAsync("norecords.test", "mailchimp", null);

        Assert.Equal(CheckStatus.Fail, result.Spf.Status);
        Assert.Equal("v=spf1 include:servers.mcsv.net ~all", Assert.Single(result.Spf.Fixes).Value);
        Assert.Equal(CheckStatus.Fail, result.Dkim.Status);
        Assert.Equal(
            [("k2._domainkey.norecords.test", "CNAME", "dkim2.mcsv.net"), ("k3._domainkey.norecords.test", "CNAME", "dkim3.mcsv.net")],
            result.Dkim.Fixes.Select(f => (f.Name, f.Type, f.Value)).ToArray());
        Assert.Equal(CheckStatus.Fail, result.Dmarc.Status);
        Assert.Equal(CheckStatus.Fail, result.Alignment.Status);
        Assert.DoesNotContain(result.Items, i => i.Status == CheckStatus.Unknown);
    }

    [Fact]
    public async Task DomainThatDoesNotExist_FailsAndSaysSo()
    {
        var result = await zone.Checker().CheckAsync("nxdomain.test", "sendgrid", null);

        Assert.Equal(CheckStatus.Fail, result.Spf.Status);
        Assert.Contains("does not exist", result.Spf.Summary);
    }

    [Fact]
    public async Task ServerThatNeverAnswers_GivesUnknownWithReason_NotFail()
    {
        using var silent = new SilentDnsServer();
        var checker = zone.Checker(Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(300)));

        var result = await checker.CheckAsync("good.test", "sendgrid", null);

        Assert.All(result.Items, i => Assert.Equal(CheckStatus.Unknown, i.Status));
        Assert.Contains("did not answer within 300 ms", result.Spf.Summary);
        Assert.Contains("did not answer", result.Dkim.Summary);
        Assert.Contains("did not answer", result.Dmarc.Summary);
        Assert.False(result.Passed);
        Assert.Equal(CheckStatus.Unknown, result.Overall);
        Assert.All(result.Items, i => Assert.Empty(i.Fixes));
    }

    [Fact]
    public async Task ServerFailure_GivesUnknown_NotFail()
    {
        using var servfail = new ServFailDnsServer();
        var checker = zone.Checker(Dnsmasq.LookupAt(servfail.Port, TimeSpan.FromSeconds(1)));

        var result = await checker.CheckAsync("norecords.test", "mailchimp", null);

        Assert.All(result.Items, i => Assert.Equal(CheckStatus.Unknown, i.Status));
        Assert.Contains("SERVFAIL", result.Spf.Summary);
    }

    [Fact]
    public async Task ResolverThatRefuses_GivesUnknown_NotFail()
    {
        var result = await zone.Checker().CheckAsync("example.org", "sendgrid", null);

        Assert.All(result.Items, i => Assert.Equal(CheckStatus.Unknown, i.Status));
        Assert.Contains("REFUSED", result.Dmarc.Summary);
    }

    [Fact]
    public async Task Check_ReportsProgressForEachPart()
    {
        var steps = new List<AuthCheckProgress>();
        var progress = new SynchronousProgress<AuthCheckProgress>(steps.Add);

        await zone.Checker().CheckAsync("good.test", "sendgrid", null, progress);

        Assert.Equal(3, steps.Max(s => s.Done));
        Assert.All(steps, s => Assert.Equal(3, s.Total));
    }

    [Fact]
    public void Result_SurvivesJsonRoundTrip()
    {
        var result = new AuthCheckResult("x.test", "sendgrid", new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc),
            new CheckItem("spf", "SPF", CheckStatus.Fail, "missing") { Fixes = [new DnsRecordFix("x.test", "TXT", "v=spf1 ~all")] },
            new CheckItem("dkim", "DKIM", CheckStatus.Pass, "ok") { Details = ["a"] },
            new CheckItem("dmarc", "DMARC", CheckStatus.Unknown, "?"),
            new CheckItem("alignment", "DKIM alignment", CheckStatus.Warn, "hm"));

        var back = AuthCheckResult.FromJson(result.ToJson());

        Assert.NotNull(back);
        Assert.Equal(CheckStatus.Fail, back.Spf.Status);
        Assert.Equal("v=spf1 ~all", back.Spf.Fixes[0].Value);
        Assert.Equal(["a"], back.Dkim.Details);
        Assert.Null(AuthCheckResult.FromJson("{not json"));
    }

    [Theory]
    [InlineData("https://www.Example.com/page", "example.com")]
    [InlineData("hello@news.example.co.uk", "news.example.co.uk")]
    [InlineData("example", null)]
    [InlineData("exa mple.com", null)]
    public void SendingDomain_Normalise(string input, string? expected) => Assert.Equal(expected, SendingDomain.Normalise(input));

    [Theory]
    [InlineData("news.example.com", "example.com")]
    [InlineData("mail.shop.example.co.uk", "example.co.uk")]
    [InlineData("example.com", "example.com")]
    [InlineData("mail.mybiz.com.vn", "mybiz.com.vn")]
    [InlineData("shop.co.th", "shop.co.th")]
    [InlineData("news.go.dev", "go.dev")]
    public void OrganisationalDomain_Of(string domain, string expected) => Assert.Equal(expected, OrganisationalDomain.Of(domain));

    [Fact]
    public void TwoBusinessesUnderACountrySuffix_DoNotAlign() =>
        Assert.False(OrganisationalDomain.Aligns("other.com.vn", "mybiz.com.vn", strict: false));

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _lock = new();

        public void Report(T value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
