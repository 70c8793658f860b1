using System.Text;
using MimeKit;
using MimeKit.Cryptography;

namespace ClickInsights.Core.Authentication;

/// <summary>One method's result as the receiver recorded it, with the domain it checked and whether that matches From.</summary>
public sealed record AuthMethodOutcome(string Method, string Result, string? Domain, bool? Aligned);

public sealed record DkimSignatureInfo(string Domain, string Selector, bool Aligned);

/// <summary>What the receiving server concluded about one received message.</summary>
public sealed record HeaderAnalysis(CheckStatus Status, string Summary)
{
    public string? FromDomain { get; init; }
    /// <summary>The server that wrote the topmost Authentication-Results header (the final receiver).</summary>
    public string? Receiver { get; init; }
    public AuthMethodOutcome? Spf { get; init; }
    public IReadOnlyList<AuthMethodOutcome> Dkim { get; init; } = [];
    public AuthMethodOutcome? Dmarc { get; init; }
    public IReadOnlyList<DkimSignatureInfo> Signatures { get; init; } = [];
    public string? ReceivedSpf { get; init; }
    /// <summary>One plain line per finding, for the details list.</summary>
    public IReadOnlyList<string> Lines { get; init; } = [];
}

/// <summary>
/// Reads the raw headers of a received campaign message (as "Show original" shows them) with MimeKit and says what
/// the receiver concluded: SPF, DKIM and DMARC results, and whether the checked domains align with From.
/// Alignment is judged relaxed (same organisational domain), DMARC's default.
/// </summary>
public static class HeaderAnalyzer
{
    public static HeaderAnalysis Analyze(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return new(CheckStatus.Unknown, "Paste the headers of a campaign message you received to see what the receiving server concluded.");
        }
        HeaderList headers;
        try
        {
            // Normalise line ends and make sure the header block ends, so a paste without the body parses too.
            var text = raw.Replace("\r\n", "\n").TrimStart('\n', ' ', '\t').Replace("\n", "\r\n").TrimEnd() + "\r\n\r\n";
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
            headers = HeaderList.Load(stream);
        }
        catch (FormatException)
        {
            return NotHeaders();
        }
        if (headers.Count == 0)
        {
            return NotHeaders();
        }

        var fromDomain = FromDomain(headers);
        var signatures = headers.Where(h => h.Id == HeaderId.DkimSignature).Select(h => Signature(h, fromDomain)).OfType<DkimSignatureInfo>().ToList();
        var receivedSpf = headers.FirstOrDefault(h => h.Id == HeaderId.ReceivedSPF)?.Value.Trim();
        var results = headers.Where(h => h.Id == HeaderId.AuthenticationResults)
            .Select(h => AuthenticationResults.TryParse(h.RawValue, out var parsed) ? parsed : null)
            .OfType<AuthenticationResults>()
            .ToList();

        if (results.Count == 0 && signatures.Count == 0 && receivedSpf is null && fromDomain is null)
        {
            return NotHeaders();
        }

        var lines = new List<string>();
        if (fromDomain is not null)
        {
            lines.Add($"From address domain: {fromDomain}");
        }
        foreach (var s in signatures)
        {
            lines.Add($"Signed (DKIM-Signature) by d={s.Domain}, selector s={s.Selector}: {(s.Aligned ? "matches" : "does not match")} your From domain");
        }
        if (receivedSpf is not null)
        {
            lines.Add($"Received-SPF: {Shorten(receivedSpf)}");
        }

        // The topmost Authentication-Results is the final receiver's; lower ones were added on the way.
        var top = results.FirstOrDefault();
        if (top is null)
        {
            var spfOnly = receivedSpf?.Split(' ', 2)[0].ToLowerInvariant();
            return new HeaderAnalysis(CheckStatus.Unknown,
                "These headers have no Authentication-Results header, so the receiving server's conclusion is not in them. " +
                "Copy all headers of the message as received (in Gmail: \"Show original\"; in Outlook: \"View message source\").")
            {
                FromDomain = fromDomain, Signatures = signatures, ReceivedSpf = receivedSpf, Lines = lines,
                Spf = spfOnly is null ? null : new AuthMethodOutcome("spf", spfOnly, EnvelopeDomain(receivedSpf!), null),
            };
        }

        AuthMethodOutcome? spf = null, dmarc = null;
        var dkim = new List<AuthMethodOutcome>();
        foreach (var r in top.Results)
        {
            var method = r.Method.ToLowerInvariant();
            var result = (r.Result ?? "").ToLowerInvariant();
            switch (method)
            {
                case "spf":
                    var mailFrom = Domain(Property(r, "mailfrom") ?? Property(r, "helo"));
                    spf ??= new AuthMethodOutcome("spf", result, mailFrom, Aligned(result, mailFrom, fromDomain));
                    break;
                case "dkim":
                    var d = Domain(Property(r, "d") ?? Property(r, "i"));
                    dkim.Add(new AuthMethodOutcome("dkim", result, d, Aligned(result, d, fromDomain)));
                    break;
                case "dmarc":
                    dmarc ??= new AuthMethodOutcome("dmarc", result, Domain(Property(r, "from")) ?? fromDomain, null);
                    break;
            }
        }
        var receiver = top.AuthenticationServiceIdentifier;
        if (spf is not null)
        {
            lines.Add($"SPF: {spf.Result}{(spf.Domain is null ? "" : $" for {spf.Domain}")}{AlignedText(spf)}");
        }
        foreach (var k in dkim)
        {
            lines.Add($"DKIM: {k.Result}{(k.Domain is null ? "" : $" for {k.Domain}")}{AlignedText(k)}");
        }
        if (dmarc is not null)
        {
            lines.Add($"DMARC: {dmarc.Result}{(dmarc.Domain is null ? "" : $" for {dmarc.Domain}")}");
        }

        var (status, summary) = Conclude(receiver, fromDomain, spf, dkim, dmarc);
        return new HeaderAnalysis(status, summary)
        {
            FromDomain = fromDomain, Receiver = receiver, Spf = spf, Dkim = dkim, Dmarc = dmarc,
            Signatures = signatures, ReceivedSpf = receivedSpf, Lines = lines,
        };
    }

    private static (CheckStatus, string) Conclude(string? receiver, string? from, AuthMethodOutcome? spf, IReadOnlyList<AuthMethodOutcome> dkim, AuthMethodOutcome? dmarc)
    {
        var who = receiver is null ? "The receiving server" : $"The receiving server ({receiver})";
        var you = from ?? "your domain";
        var alignedDkim = dkim.FirstOrDefault(k => k.Result == "pass" && k.Aligned == true);
        var passedDkim = dkim.FirstOrDefault(k => k.Result == "pass");
        var spfAligned = spf is { Result: "pass", Aligned: true };
        string Because()
        {
            if (alignedDkim is not null)
            {
                return $"DKIM passed for {alignedDkim.Domain}, which matches your From address";
            }
            if (spfAligned)
            {
                return $"SPF passed for {spf!.Domain}, which matches your From address (DKIM did not help: {DkimProblem()})";
            }
            return DkimProblem() + (spf is null ? "" : spf.Result == "pass" ? $", and SPF passed only for {spf.Domain}, the provider's bounce address, which is not yours" : $", and SPF {spf.Result}");
        }
        string DkimProblem() =>
            dkim.Count == 0 ? "there was no DKIM result"
            : passedDkim is not null ? $"the DKIM signature that passed is {passedDkim.Domain}'s, not yours"
            : $"DKIM {dkim[0].Result}";

        if (dmarc?.Result == "pass")
        {
            return (CheckStatus.Pass, $"{who} confirmed the message really comes from {you}: DMARC passed, because {Because()}.");
        }
        if (dmarc is not null && dmarc.Result is "fail" or "permerror")
        {
            var failed = dmarc.Result == "fail" ? "DMARC failed" : "DMARC could not be evaluated (permerror)";
            return (CheckStatus.Fail, $"{who} could not confirm the message comes from {you}: {failed}, because {Because()}.");
        }
        if (alignedDkim is not null || spfAligned)
        {
            return (CheckStatus.Pass, $"{who} did not record a DMARC result{(dmarc is null ? "" : $" ({dmarc.Result})")}, but {Because()}, so DMARC would pass.");
        }
        return (CheckStatus.Warn, $"{who} did not record a DMARC result{(dmarc is null ? "" : $" ({dmarc.Result})")}, and nothing it checked matches your From address: {Because()}.");
    }

    private static string AlignedText(AuthMethodOutcome o) => o.Aligned switch
    {
        true => " (matches your From domain)",
        false when o.Result == "pass" => " (does not match your From domain)",
        _ => "",
    };

    private static bool? Aligned(string result, string? domain, string? from) =>
        domain is null || from is null ? null : result == "pass" && OrganisationalDomain.Aligns(domain, from, strict: false);

    private static string? Property(AuthenticationMethodResult r, string name) =>
        r.Properties.FirstOrDefault(p => p.Property.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;

    private static string? Domain(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        value = value.Trim().Trim('<', '>', '"');
        return value[(value.LastIndexOf('@') + 1)..].TrimEnd('.').ToLowerInvariant();
    }

    private static string? FromDomain(HeaderList headers)
    {
        var from = headers.FirstOrDefault(h => h.Id == HeaderId.From);
        if (from is null || !InternetAddressList.TryParse(from.Value, out var list))
        {
            return null;
        }
        return list.Mailboxes.FirstOrDefault()?.Domain?.ToLowerInvariant();
    }

    private static DkimSignatureInfo? Signature(Header header, string? fromDomain)
    {
        var tags = header.Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.Split('=', 2))
            .Where(t => t.Length == 2)
            .GroupBy(t => t[0].Trim().ToLowerInvariant())
            .ToDictionary(g => g.Key, g => string.Concat(g.First()[1].Where(c => !char.IsWhiteSpace(c))));
        if (!tags.TryGetValue("d", out var d))
        {
            return null;
        }
        d = d.TrimEnd('.').ToLowerInvariant();
        return new DkimSignatureInfo(d, tags.GetValueOrDefault("s") ?? "?", fromDomain is not null && OrganisationalDomain.Aligns(d, fromDomain, strict: false));
    }

    private static string? EnvelopeDomain(string receivedSpf)
    {
        var at = receivedSpf.IndexOf("envelope-from=", StringComparison.OrdinalIgnoreCase);
        return at < 0 ? null : Domain(receivedSpf[(at + 14)..].Split(';', ' ')[0]);
    }

    private static string Shorten(string s) => s.Length <= 160 ? s : s[..157] + "…";

    private static HeaderAnalysis NotHeaders() =>
        new(CheckStatus.Unknown, "This does not look like message headers. Copy all headers of a campaign message you received " +
            "(in Gmail: \"Show original\"; in Outlook: \"View message source\") and paste them here.");
}
