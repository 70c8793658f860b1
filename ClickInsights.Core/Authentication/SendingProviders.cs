namespace ClickInsights.Core.Authentication;

public enum DkimRecordKind
{
    /// <summary>The provider hosts the key; the sender publishes a CNAME pointing at it.</summary>
    Cname,
    /// <summary>The sender publishes the public key itself as TXT.</summary>
    Txt,
}

/// <summary>
/// One DKIM selector a provider uses. <paramref name="Target"/> is what the CNAME must point to: an exact host,
/// or a suffix starting with a dot when part of the name is specific to the account.
/// </summary>
public sealed record DkimSelectorFact(string Selector, DkimRecordKind Kind, string? Target, string FixValue, bool FixValueIsExact, bool Legacy = false)
{
    public bool TargetMatches(string host) =>
        Target is null
        || (Target.StartsWith('.') ? host.EndsWith(Target, StringComparison.OrdinalIgnoreCase) : host.Equals(Target, StringComparison.OrdinalIgnoreCase));
}

public enum DkimRule
{
    /// <summary>Every non-legacy selector must be published (the provider rotates between them).</summary>
    All,
    /// <summary>One selector is enough (the provider picks one per domain).</summary>
    Any,
}

/// <summary>
/// What a sending provider needs in the sender's DNS. <see cref="SpfAligns"/> is false when the provider's
/// envelope-from (bounce address) is always its own domain, so SPF can never align for DMARC.
/// </summary>
public sealed record SendingProvider(
    string Key,
    string Name,
    string? SpfInclude,
    bool SpfAligns,
    IReadOnlyList<DkimSelectorFact> Selectors,
    DkimRule Rule,
    string Source,
    string? CustomSelectorTarget = null)
{
    public IEnumerable<DkimSelectorFact> Required => Selectors.Where(s => !s.Legacy);
}

/// <summary>The provider facts in one table. Source: shared/reference/scanners.md, "Sender authentication".</summary>
public static class SendingProviders
{
    private const string Source = "scanners.md: Sender authentication";

    public static IReadOnlyList<SendingProvider> All { get; } =
    [
        new("constantcontact", "Constant Contact", "spf.constantcontact.com", SpfAligns: false,
        [
            new("ctct1", DkimRecordKind.Cname, ".dkim1.ccsend.com", "<your account's code>.dkim1.ccsend.com", FixValueIsExact: false),
            new("ctct2", DkimRecordKind.Cname, ".dkim2.ccsend.com", "<your account's code>.dkim2.ccsend.com", FixValueIsExact: false),
        ], DkimRule.All, Source),
        new("mailchimp", "Mailchimp", "servers.mcsv.net", SpfAligns: true,
        [
            new("k2", DkimRecordKind.Cname, "dkim2.mcsv.net", "dkim2.mcsv.net", FixValueIsExact: true),
            new("k3", DkimRecordKind.Cname, "dkim3.mcsv.net", "dkim3.mcsv.net", FixValueIsExact: true),
            new("k1", DkimRecordKind.Cname, "dkim.mcsv.net", "dkim.mcsv.net", FixValueIsExact: true, Legacy: true),
        ], DkimRule.All, Source),
        new("sendgrid", "SendGrid", "sendgrid.net", SpfAligns: true,
        [
            new("s1", DkimRecordKind.Cname, ".sendgrid.net", "s1.domainkey.u<NNN>.wl<NNN>.sendgrid.net", FixValueIsExact: false),
            new("s2", DkimRecordKind.Cname, ".sendgrid.net", "s2.domainkey.u<NNN>.wl<NNN>.sendgrid.net", FixValueIsExact: false),
        ], DkimRule.All, Source),
        new("mailgun", "Mailgun", "mailgun.org", SpfAligns: true,
        [
            new("smtp", DkimRecordKind.Txt, null, "v=DKIM1; k=rsa; p=<the public key Mailgun shows>", FixValueIsExact: false),
            new("mailo", DkimRecordKind.Txt, null, "v=DKIM1; k=rsa; p=<the public key Mailgun shows>", FixValueIsExact: false),
        ], DkimRule.Any, Source),
        new("brevo", "Brevo", "spf.brevo.com", SpfAligns: true,
        [
            new("brevo1", DkimRecordKind.Cname, ".dkim.brevo.com", "b1.<your domain>.dkim.brevo.com", FixValueIsExact: false),
            new("brevo2", DkimRecordKind.Cname, ".dkim.brevo.com", "b2.<your domain>.dkim.brevo.com", FixValueIsExact: false),
        ], DkimRule.All, Source),
        // SES selectors are account tokens: the user gives one as the extra selector.
        new("amazonses", "Amazon SES", "amazonses.com", SpfAligns: true, [], DkimRule.Any, Source, CustomSelectorTarget: ".dkim.amazonses.com"),
    ];

    public static SendingProvider? Find(string? key) =>
        All.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase));
}
