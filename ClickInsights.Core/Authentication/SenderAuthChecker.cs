namespace ClickInsights.Core.Authentication;

/// <summary>Checks a sending domain's SPF, DKIM and DMARC for a provider and says whether DKIM would align.</summary>
public sealed class SenderAuthChecker(SpfChecker spf, DkimChecker dkim, DmarcChecker dmarc, TimeProvider time)
{
    public async Task<AuthCheckResult> CheckAsync(string domain, string? providerKey, string? selector,
        IProgress<AuthCheckProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        domain = SendingDomain.Normalise(domain) ?? throw new ArgumentException($"'{domain}' is not a domain name.", nameof(domain));
        var provider = SendingProviders.Find(providerKey);
        var done = 0;
        void Step(string what) => progress?.Report(new AuthCheckProgress(Interlocked.Increment(ref done), 3, what));
        progress?.Report(new AuthCheckProgress(0, 3, "Asking DNS for SPF, DKIM and DMARC…"));

        // The three lookups are independent: run them together so a slow DNS server costs one timeout, not three.
        var spfTask = Run(spf.CheckAsync(domain, provider, cancellationToken), "SPF checked", Step);
        var dkimTask = Run(dkim.CheckAsync(domain, provider, selector, cancellationToken), "DKIM checked", Step);
        var dmarcTask = Run(dmarc.CheckAsync(domain, cancellationToken), "DMARC checked", Step);
        var spfItem = await spfTask;
        var dkimFinding = await dkimTask;
        var dmarcFinding = await dmarcTask;

        var alignment = Alignment(domain, provider, dkimFinding, dmarcFinding);
        return new AuthCheckResult(domain, provider?.Key, time.GetUtcNow().UtcDateTime, spfItem, dkimFinding.Item, dmarcFinding.Item, alignment);
    }

    private static async Task<T> Run<T>(Task<T> task, string step, Action<string> report)
    {
        var result = await task;
        report(step);
        return result;
    }

    private static CheckItem Alignment(string domain, SendingProvider? provider, DkimFinding dkim, DmarcFinding dmarc)
    {
        var name = provider?.Name ?? "your provider";
        var details = new List<string>
        {
            provider is null ? "SPF alignment depends on the provider's bounce (return-path) address; the header check below shows it."
            : provider.SpfAligns
                ? $"SPF aligns only if {name} uses a bounce (return-path) address on your domain; the header check below shows what receivers saw."
                : $"{name} uses its own bounce (return-path) address, so SPF never aligns with your From address: DKIM alignment is what counts.",
        };
        if (dkim.Item.Status == CheckStatus.Unknown)
        {
            return Item(CheckStatus.Unknown, "Whether DKIM matches your From address is unknown until DKIM itself can be checked.") with { Details = details };
        }
        if (dkim.SignedDomain is null)
        {
            return Item(CheckStatus.Fail,
                $"Your campaigns are signed with {name}'s domain, not yours, so the signature does not match your From address and " +
                $"DMARC cannot pass on DKIM. Setting up DKIM (above) fixes this.") with { Details = details };
        }
        var strict = dmarc.Record?.StrictDkim == true;
        if (dkim.SignedDomain.Equals(domain, StringComparison.OrdinalIgnoreCase))
        {
            return Item(CheckStatus.Pass, $"DKIM signatures will carry d={domain}, exactly your From domain, so DMARC can pass on DKIM alone.") with { Details = details };
        }
        if (strict)
        {
            return Item(CheckStatus.Fail,
                $"Your DKIM keys are on {dkim.SignedDomain}, but your DMARC record asks for strict alignment (adkim=s), which needs them on {domain} itself.")
                with { Details = details };
        }
        return Item(CheckStatus.Pass,
            $"DKIM signatures will carry d={dkim.SignedDomain}, the main domain of {domain}; DMARC's relaxed alignment accepts that.") with { Details = details };
    }

    private static CheckItem Item(CheckStatus status, string summary) => new("alignment", "DKIM alignment", status, summary);
}

public static class SendingDomain
{
    /// <summary>A bare, lower-case domain from what a person typed (a URL, an address or a domain), or null if it is none.</summary>
    public static string? Normalise(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }
        var s = input.Trim().ToLowerInvariant();
        if (s.Contains("://", StringComparison.Ordinal))
        {
            s = s[(s.IndexOf("://", StringComparison.Ordinal) + 3)..];
        }
        s = s[(s.LastIndexOf('@') + 1)..];
        s = s.Split('/', '?', '#', ':')[0].Trim('.');
        if (s.StartsWith("www.", StringComparison.Ordinal))
        {
            s = s[4..];
        }
        var labels = s.Split('.');
        return labels.Length >= 2 && s.Length <= 253
            && labels.All(l => l.Length is > 0 and <= 63 && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && l[0] != '-' && l[^1] != '-')
            ? s
            : null;
    }
}
