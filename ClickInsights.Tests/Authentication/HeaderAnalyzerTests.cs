using ClickInsights.Core.Authentication;

namespace ClickInsights.Tests.Authentication;

public sealed class HeaderAnalyzerTests
{
    // As Gmail's "Show original" shows a Constant Contact campaign whose sender set up DKIM.
    private const string GmailPass = """
        Delivered-To: owner@gmail.com
        Received: by 2002:a05:6a10:1234 with SMTP id abc;
                Mon, 2 Mar 2026 14:00:09 -0800 (PST)
        ARC-Authentication-Results: i=1; mx.google.com;
               dkim=pass header.i=@riversidebakery.com header.s=ctct1 header.b=Xy12;
               spf=pass smtp.mailfrom=bounce-123@in.constantcontact.com;
               dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=riversidebakery.com
        Authentication-Results: mx.google.com;
               dkim=pass header.i=@riversidebakery.com header.s=ctct1 header.b=Xy12;
               dkim=pass header.i=@auth.ccsend.com header.s=1000073432 header.b=Ab34;
               spf=pass (google.com: domain of bounce-123@in.constantcontact.com designates 208.75.123.1 as permitted sender) smtp.mailfrom=bounce-123@in.constantcontact.com;
               dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=riversidebakery.com
        Received-SPF: pass (google.com: domain of bounce-123@in.constantcontact.com designates 208.75.123.1 as permitted sender) client-ip=208.75.123.1;
        DKIM-Signature: v=1; q=dns/txt; a=rsa-sha256; c=relaxed/relaxed; s=ctct1;
         d=riversidebakery.com; h=date:mime-version:subject:from:to; bh=abc=; b=Xy12
        DKIM-Signature: v=1; q=dns/txt; a=rsa-sha256; c=relaxed/relaxed; s=1000073432;
         d=auth.ccsend.com; h=date:mime-version:subject:from:to; bh=abc=; b=Ab34
        From: Riverside Bakery <hello@riversidebakery.com>
        To: owner@gmail.com
        Subject: September Newsletter
        Date: Mon, 2 Mar 2026 22:00:05 +0000
        MIME-Version: 1.0
        Content-Type: text/html; charset=utf-8

        <html>the body is ignored</html>
        """;

    // As Outlook shows a SendGrid campaign from a sender without its own DKIM.
    private const string OutlookFail = """
        Received: from SN1PR00 (2603:10b6:806:1::1) by BN0PR00 with HTTPS; Mon, 2 Mar 2026 22:00:09 +0000
        Authentication-Results: spf=pass (sender IP is 167.89.1.1)
         smtp.mailfrom=sendgrid.net; dkim=pass (signature was verified)
         header.d=sendgrid.net;dmarc=fail action=none
         header.from=riversidebakery.com;compauth=softpass reason=201
        Received-SPF: Pass (protection.outlook.com: domain of sendgrid.net designates 167.89.1.1 as permitted sender) receiver=protection.outlook.com; client-ip=167.89.1.1; helo=o1.sendgrid.net;
        DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sendgrid.net; h=from:subject; s=smtpapi; bh=abc=; b=Zz99
        From: "Riverside Bakery" <hello@riversidebakery.com>
        Subject: September Newsletter
        """;

    [Fact]
    public void Analyze_GmailPass_DkimAlignedSpfNot()
    {
        var analysis = HeaderAnalyzer.Analyze(GmailPass);

        Assert.Equal(CheckStatus.Pass, analysis.Status);
        Assert.Equal("mx.google.com", analysis.Receiver);
        Assert.Equal("riversidebakery.com", analysis.FromDomain);
        Assert.Equal("pass", analysis.Dmarc?.Result);
        Assert.Equal(("pass", "in.constantcontact.com", false), (analysis.Spf?.Result, analysis.Spf?.Domain, analysis.Spf?.Aligned));
        Assert.Equal(2, analysis.Dkim.Count);
        Assert.Contains(analysis.Dkim, d => d is { Domain: "riversidebakery.com", Result: "pass", Aligned: true });
        Assert.Contains(analysis.Dkim, d => d is { Domain: "auth.ccsend.com", Aligned: false });
        Assert.Equal([("riversidebakery.com", "ctct1", true), ("auth.ccsend.com", "1000073432", false)],
            analysis.Signatures.Select(s => (s.Domain, s.Selector, s.Aligned)).ToArray());
        Assert.Contains("DKIM passed for riversidebakery.com, which matches your From address", analysis.Summary);
    }

    [Fact]
    public void Analyze_OutlookDmarcFail_SaysTheSignatureIsTheProvidersNotYours()
    {
        var analysis = HeaderAnalyzer.Analyze(OutlookFail);

        Assert.Equal(CheckStatus.Fail, analysis.Status);
        Assert.Equal("fail", analysis.Dmarc?.Result);
        Assert.Equal(("pass", "sendgrid.net", false), (analysis.Spf?.Result, analysis.Spf?.Domain, analysis.Spf?.Aligned));
        Assert.Equal(("pass", "sendgrid.net", false), (analysis.Dkim[0].Result, analysis.Dkim[0].Domain, analysis.Dkim[0].Aligned));
        Assert.StartsWith("Pass", analysis.ReceivedSpf);
        Assert.Contains("DMARC failed", analysis.Summary);
        Assert.Contains("sendgrid.net's, not yours", analysis.Summary);
    }

    [Fact]
    public void Analyze_NoDmarcResultButAlignedDkim_Passes()
    {
        const string headers = """
            Authentication-Results: mail.example.net; spf=softfail smtp.mailfrom=mcsv.net; dkim=pass header.d=shop.example.com header.s=k2
            From: Shop <news@example.com>
            """;

        var analysis = HeaderAnalyzer.Analyze(headers);

        Assert.Equal(CheckStatus.Pass, analysis.Status);
        Assert.Equal(true, analysis.Dkim.Single().Aligned);
        Assert.Contains("did not record a DMARC result", analysis.Summary);
    }

    [Fact]
    public void Analyze_DkimFailAndSpfFail_FailsWithBothReasons()
    {
        const string headers = """
            Authentication-Results: mx.example.net; dkim=fail (body hash mismatch) header.d=example.com; spf=fail smtp.mailfrom=example.com; dmarc=fail header.from=example.com
            From: news@example.com
            """;

        var analysis = HeaderAnalyzer.Analyze(headers);

        Assert.Equal(CheckStatus.Fail, analysis.Status);
        Assert.Contains("DKIM fail", analysis.Summary);
        Assert.Contains("SPF fail", analysis.Summary);
    }

    [Fact]
    public void Analyze_WithoutAuthenticationResults_IsUnknownAndSaysWhatToCopy()
    {
        const string headers = """
            Received-SPF: pass (example.net: domain of bounce@example.com designates 192.0.2.1 as permitted sender) envelope-from=bounce@example.com;
            From: news@example.com
            Subject: hi
            """;

        var analysis = HeaderAnalyzer.Analyze(headers);

        Assert.Equal(CheckStatus.Unknown, analysis.Status);
        Assert.Contains("no Authentication-Results header", analysis.Summary);
        Assert.Equal(("pass", "example.com"), (analysis.Spf?.Result, analysis.Spf?.Domain));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, this is not a header block at all")]
    public void Analyze_NotHeaders_IsUnknownWithInstructions(string text)
    {
        var analysis = HeaderAnalyzer.Analyze(text);

        Assert.Equal(CheckStatus.Unknown, analysis.Status);
        Assert.Contains("headers", analysis.Summary);
    }
}
