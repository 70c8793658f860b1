namespace ClickInsights.Core.Authentication;

/// <summary>One mechanism (<c>include:</c>, <c>~all</c>, …) or modifier (<c>redirect=</c>) of an SPF record.</summary>
public sealed record SpfTerm(char Qualifier, string Name, string? Value, bool IsModifier, string Raw)
{
    /// <summary>Terms that cost a DNS lookup against the limit of 10 (RFC 7208 §4.6.4).</summary>
    public bool NeedsLookup => Name is "include" or "a" or "mx" or "ptr" or "exists" or "redirect";

    public override string ToString() => Raw;
}

/// <summary>A parsed SPF record (RFC 7208). Only the syntax; <see cref="SpfChecker"/> follows includes.</summary>
public sealed class SpfRecord
{
    public const int LookupLimit = 10;

    private SpfRecord(string text, IReadOnlyList<SpfTerm> terms)
    {
        Text = text;
        Terms = terms;
    }

    public string Text { get; }
    public IReadOnlyList<SpfTerm> Terms { get; }

    public IEnumerable<string> Includes => Terms.Where(t => t.Name == "include" && t.Value is not null).Select(t => t.Value!);
    public string? Redirect => Terms.FirstOrDefault(t => t.Name == "redirect")?.Value;
    public SpfTerm? All => Terms.FirstOrDefault(t => t.Name == "all");

    public static bool IsSpf(string txt) =>
        txt.Trim().Equals("v=spf1", StringComparison.OrdinalIgnoreCase)
        || txt.TrimStart().StartsWith("v=spf1 ", StringComparison.OrdinalIgnoreCase);

    public static SpfRecord Parse(string text)
    {
        var terms = new List<SpfTerm>();
        foreach (var raw in text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var token = raw;
            var equals = token.IndexOf('=');
            var colon = token.IndexOfAny([':', '/']);
            if (equals > 0 && (colon < 0 || equals < colon))
            {
                terms.Add(new SpfTerm('+', token[..equals].ToLowerInvariant(), token[(equals + 1)..], IsModifier: true, raw));
                continue;
            }
            var qualifier = '+';
            if (token[0] is '+' or '-' or '~' or '?')
            {
                qualifier = token[0];
                token = token[1..];
            }
            var separator = token.IndexOf(':');
            var name = (separator < 0 ? token : token[..separator]).ToLowerInvariant();
            var value = separator < 0 ? null : token[(separator + 1)..];
            // "a/24" and "mx/24" carry a prefix length rather than a domain.
            var slash = name.IndexOf('/');
            if (slash > 0)
            {
                name = name[..slash];
            }
            terms.Add(new SpfTerm(qualifier, name, value, IsModifier: false, raw));
        }
        return new SpfRecord(text.Trim(), terms);
    }

    /// <summary>This record with <c>include:<paramref name="domain"/></c> added before <c>all</c> or <c>redirect=</c>.</summary>
    public string WithInclude(string domain)
    {
        var terms = Terms.Select(t => t.ToString()).ToList();
        var at = Terms.ToList().FindIndex(t => t.Name is "all" or "redirect");
        terms.Insert(at < 0 ? terms.Count : at, "include:" + domain);
        return "v=spf1 " + string.Join(' ', terms);
    }
}
