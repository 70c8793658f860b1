namespace ClickInsights.Core.Authentication;

/// <summary>A parsed DMARC record (RFC 7489 §6.3): <c>v=DMARC1; p=…; sp=…; pct=…; rua=…; adkim=…; aspf=…</c>.</summary>
public sealed record DmarcRecord(string Text, IReadOnlyDictionary<string, string> Tags)
{
    public string? Policy => Tags.GetValueOrDefault("p")?.ToLowerInvariant();
    public string? SubdomainPolicy => Tags.GetValueOrDefault("sp")?.ToLowerInvariant();
    public int Percent => int.TryParse(Tags.GetValueOrDefault("pct"), out var pct) ? Math.Clamp(pct, 0, 100) : 100;
    public IReadOnlyList<string> ReportAddresses =>
        Tags.GetValueOrDefault("rua")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
    /// <summary>"s" (strict: the d= domain must equal the From domain) or "r" (relaxed, the default).</summary>
    public bool StrictDkim => string.Equals(Tags.GetValueOrDefault("adkim"), "s", StringComparison.OrdinalIgnoreCase);
    public bool StrictSpf => string.Equals(Tags.GetValueOrDefault("aspf"), "s", StringComparison.OrdinalIgnoreCase);
    public bool HasValidPolicy => Policy is "none" or "quarantine" or "reject";

    public static bool IsDmarc(string txt) => txt.TrimStart().StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase);

    public static DmarcRecord Parse(string text)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals > 0)
            {
                tags.TryAdd(part[..equals].Trim(), part[(equals + 1)..].Trim());
            }
        }
        return new DmarcRecord(text.Trim(), tags);
    }
}

/// <summary>
/// The organisational domain (RFC 7489 §3.2) that relaxed alignment compares. A full implementation uses the
/// Public Suffix List; this covers the common two-part suffixes (co.uk, com.au, …), which is enough for the
/// senders this dashboard is for, and country domains under com, co, org and the like (com.vn, co.th).
/// </summary>
public static class OrganisationalDomain
{
    private static readonly HashSet<string> TwoPartSuffixes = new(StringComparer.OrdinalIgnoreCase)
    {
        "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "ac.uk", "gov.uk", "net.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "id.au",
        "co.nz", "org.nz", "net.nz", "co.za", "org.za", "co.jp", "ne.jp", "or.jp",
        "com.br", "net.br", "org.br", "com.mx", "com.ar", "com.tr", "com.cn", "com.hk", "com.sg", "com.my",
        "co.in", "net.in", "org.in", "firm.in", "co.il", "org.il", "co.kr", "or.kr", "com.tw", "co.id", "com.ph",
        "com.es", "com.pl", "co.at", "or.at", "com.gr", "com.pt", "co.ke", "com.ng", "com.pk", "com.sa", "com.eg",
    };

    public static string Of(string domain)
    {
        var labels = domain.Trim().TrimEnd('.').ToLowerInvariant().Split('.');
        if (labels.Length <= 2)
        {
            return string.Join('.', labels);
        }
        var lastTwo = $"{labels[^2]}.{labels[^1]}";
        return TwoPartSuffixes.Contains(lastTwo) || LooksLikeTwoPartSuffix(labels[^2], labels[^1]) ? $"{labels[^3]}.{lastTwo}" : lastTwo;
    }

    /// <summary>
    /// Country domains not in the list above mostly register under the same few words (com.vn, co.th, org.co):
    /// taken for suffixes too, so mybiz.com.vn and other.com.vn are two organisations, not one.
    /// </summary>
    private static bool LooksLikeTwoPartSuffix(string second, string top) =>
        top.Length == 2 && second is "com" or "co" or "net" or "org" or "gov" or "edu" or "ac" or "or" or "ne" or "go" or "mil" or "gob" or "nic";

    /// <summary>DMARC alignment of <paramref name="authenticated"/> (DKIM d= or SPF domain) with the From domain.</summary>
    public static bool Aligns(string authenticated, string fromDomain, bool strict)
    {
        authenticated = authenticated.Trim().TrimEnd('.');
        fromDomain = fromDomain.Trim().TrimEnd('.');
        return strict
            ? authenticated.Equals(fromDomain, StringComparison.OrdinalIgnoreCase)
            : Of(authenticated).Equals(Of(fromDomain), StringComparison.OrdinalIgnoreCase);
    }
}
