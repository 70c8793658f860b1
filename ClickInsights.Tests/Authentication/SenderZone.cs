using ClickInsights.Core.Authentication;

namespace ClickInsights.Tests.Authentication;

/// <summary>One dnsmasq for the sender-authentication tests, with a small world of sending domains.</summary>
public sealed class SenderZone : IDisposable
{
    private const string Key = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1";

    public static IReadOnlyList<string> Lines { get; } =
    [
        // Providers' own SPF records, reached through includes.
        """txt-record=sendgrid.net,"v=spf1 ip4:167.89.0.0/17 ~all" """,
        """txt-record=mailgun.org,"v=spf1 ip4:209.61.151.0/24 ~all" """,
        """txt-record=spf.constantcontact.com,"v=spf1 ip4:208.75.120.0/22 -all" """,
        """txt-record=spf.other.test,"v=spf1 ip4:192.0.2.0/24 -all" """,

        // good.test: SendGrid, everything in place, DMARC p=reject.
        """txt-record=good.test,"v=spf1 include:sendgrid.net ~all" """,
        "cname=s1._domainkey.good.test,s1.domainkey.u123.wl124.sendgrid.net",
        "cname=s2._domainkey.good.test,s2.domainkey.u123.wl124.sendgrid.net",
        $"""txt-record=s1.domainkey.u123.wl124.sendgrid.net,"{Key}" """,
        $"""txt-record=s2.domainkey.u123.wl124.sendgrid.net,"{Key}" """,
        """txt-record=_dmarc.good.test,"v=DMARC1; p=reject; rua=mailto:dmarc@good.test; adkim=r" """,

        // noinclude.test: an SPF record without SendGrid; no DKIM; DMARC p=none.
        """txt-record=noinclude.test,"v=spf1 include:spf.other.test ~all" """,
        """txt-record=_dmarc.noinclude.test,"v=DMARC1; p=none" """,

        // nested.test: a chain of includes reaching SendGrid as the 11th lookup.
        """txt-record=nested.test,"v=spf1 include:n1.nested.test ~all" """,
        .. Enumerable.Range(1, 9).Select(i => $"""txt-record=n{i}.nested.test,"v=spf1 include:n{i + 1}.nested.test ~all" """),
        """txt-record=n10.nested.test,"v=spf1 include:sendgrid.net ~all" """,

        // twice.test: the same include reached by two paths (evaluated twice, no loop); loop.test: a real loop;
        // bareall.test: a bare "all" (the same as +all).
        """txt-record=twice.test,"v=spf1 include:shared.twice.test include:more.twice.test ~all" """,
        """txt-record=more.twice.test,"v=spf1 include:shared.twice.test ~all" """,
        """txt-record=shared.twice.test,"v=spf1 include:sendgrid.net ~all" """,
        """txt-record=loop.test,"v=spf1 include:a.loop.test ~all" """,
        """txt-record=a.loop.test,"v=spf1 include:loop.test ~all" """,
        """txt-record=bareall.test,"v=spf1 include:sendgrid.net all" """,

        // nokey.test: SendGrid's CNAMEs in place, but nothing published at their targets.
        """txt-record=nokey.test,"v=spf1 include:sendgrid.net ~all" """,
        "host-record=s1.domainkey.u999.wl999.sendgrid.net,192.0.2.10",
        "host-record=s2.domainkey.u999.wl999.sendgrid.net,192.0.2.11",
        "cname=s1._domainkey.nokey.test,s1.domainkey.u999.wl999.sendgrid.net",
        "cname=s2._domainkey.nokey.test,s2.domainkey.u999.wl999.sendgrid.net",

        // inlimit.test: SendGrid two includes deep, within the limit.
        """txt-record=inlimit.test,"v=spf1 include:_spf.inlimit.test -all" """,
        """txt-record=_spf.inlimit.test,"v=spf1 ip4:198.51.100.0/24 include:sendgrid.net ~all" """,

        // cc.test: Constant Contact with both DKIM CNAMEs, DMARC p=none.
        """txt-record=cc.test,"v=spf1 include:spf.constantcontact.com ~all" """,
        "cname=ctct1._domainkey.cc.test,abc123.dkim1.ccsend.com",
        "cname=ctct2._domainkey.cc.test,abc123.dkim2.ccsend.com",
        $"""txt-record=abc123.dkim1.ccsend.com,"{Key}" """,
        $"""txt-record=abc123.dkim2.ccsend.com,"{Key}" """,
        """txt-record=_dmarc.cc.test,"v=DMARC1; p=none; rua=mailto:reports@cc.test" """,

        // half.test: Constant Contact with only ctct1, and no SPF include (Constant Contact's SPF never aligns).
        """txt-record=half.test,"v=spf1 mx ~all" """,
        "cname=ctct1._domainkey.half.test,abc123.dkim1.ccsend.com",

        // mg.test: Mailgun, DKIM as a TXT key at smtp._domainkey.
        """txt-record=mg.test,"v=spf1 include:mailgun.org ~all" """,
        $"""txt-record=smtp._domainkey.mg.test,"{Key}" """,
        """txt-record=_dmarc.mg.test,"v=DMARC1; p=quarantine; pct=50" """,

        // elsewhere.test: SendGrid chosen, but the DKIM CNAMEs point to another service.
        """txt-record=elsewhere.test,"v=spf1 include:sendgrid.net ~all" """,
        "cname=s1._domainkey.elsewhere.test,key1.other.test",
        "cname=s2._domainkey.elsewhere.test,key2.other.test",
        $"""txt-record=key1.other.test,"{Key}" """,
        $"""txt-record=key2.other.test,"{Key}" """,

        // two.test: two SPF records (an error at receivers).
        """txt-record=two.test,"v=spf1 include:sendgrid.net ~all" """,
        """txt-record=two.test,"v=spf1 include:spf.other.test -all" """,

        // broken.test: includes a domain that has no SPF record.
        """txt-record=broken.test,"v=spf1 include:sendgrid.net include:nospf.test ~all" """,

        // unreadable.test: includes a name outside the zone (the server refuses it): unknown, not fail.
        """txt-record=unreadable.test,"v=spf1 include:spf.elsewhere.example ~all" """,

        // norecords.test exists (it has a mail server) but has no SPF, DKIM or DMARC at all.
        "mx-host=norecords.test,mail.norecords.test,10",

        // news.brand.test: a subdomain sender; DKIM keys and DMARC (strict DKIM alignment) live on brand.test.
        """txt-record=news.brand.test,"v=spf1 include:sendgrid.net ~all" """,
        "cname=s1._domainkey.brand.test,s1.domainkey.u9.wl9.sendgrid.net",
        "cname=s2._domainkey.brand.test,s2.domainkey.u9.wl9.sendgrid.net",
        $"""txt-record=s1.domainkey.u9.wl9.sendgrid.net,"{Key}" """,
        $"""txt-record=s2.domainkey.u9.wl9.sendgrid.net,"{Key}" """,
        """txt-record=_dmarc.brand.test,"v=DMARC1; p=quarantine; adkim=s" """,

        // ses.test: Amazon SES, selectors are account tokens.
        """txt-record=ses.test,"v=spf1 include:amazonses.com ~all" """,
        """txt-record=amazonses.com,"v=spf1 ip4:199.255.192.0/22 ~all" """,
        "cname=tok3nabc._domainkey.ses.test,tok3nabc.dkim.amazonses.com",
        $"""txt-record=tok3nabc.dkim.amazonses.com,"{Key}" """,
        """txt-record=_dmarc.ses.test,"v=DMARC1; p=none" """,

        "txt-record=ready.test,ready",
    ];

    public SenderZone() => Server = Dnsmasq.Start(Lines.Select(l => l.TrimEnd()));

    public Dnsmasq Server { get; }

    public SenderAuthChecker Checker(DnsLookup? lookup = null)
    {
        lookup ??= Server.Lookup();
        return new SenderAuthChecker(new SpfChecker(lookup), new DkimChecker(lookup), new DmarcChecker(lookup), TimeProvider.System);
    }

    public void Dispose() => Server.Dispose();
}
