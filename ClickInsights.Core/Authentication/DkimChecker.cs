using DnsClient;

namespace ClickInsights.Core.Authentication;

public enum SelectorState
{
    Published,
    /// <summary>A CNAME that points somewhere other than the chosen provider.</summary>
    PointsElsewhere,
    /// <summary>A key record with an empty <c>p=</c>: deliberately switched off.</summary>
    Revoked,
    /// <summary>A CNAME to the chosen provider, as it should be, but no key is published at its target (yet).</summary>
    NoKeyAtTarget,
    Missing,
    /// <summary>The lookup failed; nothing is known.</summary>
    Unreadable,
}

public sealed record SelectorResult(DkimSelectorFact Fact, string Name, SelectorState State, string Detail);

/// <summary>What the DKIM check found, besides its plain-language item: where the keys live, for alignment.</summary>
public sealed record DkimFinding(CheckItem Item, string? SignedDomain);

/// <summary>
/// Looks up the provider's DKIM selectors (and the user's own) under <c>_domainkey</c> of the sending domain, and
/// of its organisational domain when the sending domain is a subdomain. A CNAME to the provider counts as
/// published, as does a TXT key.
/// </summary>
public sealed class DkimChecker(DnsLookup dns)
{
    public async Task<DkimFinding> CheckAsync(string domain, SendingProvider? provider, string? userSelector, CancellationToken cancellationToken = default)
    {
        var facts = (provider?.Selectors ?? []).ToList();
        DkimSelectorFact? userFact = null;
        userSelector = NormaliseSelector(userSelector);
        if (userSelector is not null)
        {
            userFact = facts.FirstOrDefault(f => f.Selector.Equals(userSelector, StringComparison.OrdinalIgnoreCase));
            if (userFact is null)
            {
                userFact = provider?.CustomSelectorTarget is { } target
                    ? new DkimSelectorFact(userSelector, DkimRecordKind.Cname, target, $"{userSelector}{target}", FixValueIsExact: false)
                    : new DkimSelectorFact(userSelector, DkimRecordKind.Txt, null, "<the value your provider shows>", FixValueIsExact: false);
                facts.Add(userFact);
            }
        }
        if (facts.Count == 0)
        {
            var why = provider is null
                ? "Choose your sending provider, or enter the DKIM selector your provider gave you, to check DKIM."
                : $"{provider.Name} gives every account its own DKIM names: enter one of them (the part before ._domainkey) as the selector to check DKIM.";
            return new DkimFinding(Item(CheckStatus.Unknown, why), null);
        }

        var signedDomain = domain;
        var results = await LookupAllAsync(domain, facts, cancellationToken);
        var organisational = OrganisationalDomain.Of(domain);
        if (!results.Any(r => r.State == SelectorState.Published) && !organisational.Equals(domain, StringComparison.OrdinalIgnoreCase))
        {
            var atParent = await LookupAllAsync(organisational, facts, cancellationToken);
            if (atParent.Any(r => r.State == SelectorState.Published))
            {
                results = atParent;
                signedDomain = organisational;
            }
        }

        var details = results.Select(r => $"{r.Name}: {r.Detail}").ToList();
        var published = results.Where(r => r.State == SelectorState.Published).ToList();
        var required = provider?.Required.ToList() ?? [];
        bool IsPublished(DkimSelectorFact f) => published.Any(p => p.Fact == f);
        var providerName = provider?.Name ?? "your provider";

        var complete =
            (userFact is not null && IsPublished(userFact))
            || (required.Count > 0 && (provider!.Rule == DkimRule.All ? required.All(IsPublished) : required.Any(IsPublished)));
        var where = signedDomain == domain ? domain : $"{signedDomain} (the main domain of {domain})";
        if (complete)
        {
            return new DkimFinding(Item(CheckStatus.Pass,
                $"DKIM is set up: {providerName} can sign your campaigns with {where}, so receivers can tell they really come from you.")
                with { Details = details }, signedDomain);
        }

        // A CNAME that is right but leads to no key needs nothing added on the sender's side.
        var fixes = FixesFor(domain, provider, results.Where(r => r.State is not (SelectorState.Published or SelectorState.Unreadable or SelectorState.NoKeyAtTarget) && !r.Fact.Legacy).ToList());
        if (results.Any(r => r.State == SelectorState.Unreadable))
        {
            var reason = results.First(r => r.State == SelectorState.Unreadable).Detail;
            return new DkimFinding(Item(CheckStatus.Unknown, $"DKIM could not be checked completely: {reason}.") with { Details = details }, null);
        }
        if (published.Count > 0)
        {
            var missing = results.Where(r => r.State != SelectorState.Published && !r.Fact.Legacy).Select(r => r.Name).ToList();
            var summary = published.All(p => p.Fact.Legacy)
                ? $"Only {providerName}'s old DKIM record ({published[0].Name}) is there. {providerName} now signs with newer keys: add the records below."
                : $"DKIM is only half set up: {string.Join(" and ", missing)} {(missing.Count == 1 ? "is" : "are")} missing. {providerName} switches between its keys, so add {(missing.Count == 1 ? "it" : "them")} too.";
            return new DkimFinding(Item(CheckStatus.Warn, summary) with { Details = details, Fixes = fixes }, signedDomain);
        }
        if (results.FirstOrDefault(r => r.State == SelectorState.NoKeyAtTarget) is { } noKey)
        {
            return new DkimFinding(Item(CheckStatus.Fail,
                $"Your DKIM record {noKey.Name} points to {providerName} as it should, but {providerName} publishes no key there (yet): " +
                $"finish, or start again, the domain authentication in {providerName}'s settings.")
                with { Details = details, Fixes = fixes }, null);
        }
        if (results.Any(r => r.State == SelectorState.PointsElsewhere))
        {
            var elsewhere = results.First(r => r.State == SelectorState.PointsElsewhere);
            return new DkimFinding(Item(CheckStatus.Fail,
                $"Your DKIM record {elsewhere.Name} {elsewhere.Detail}, not to {providerName}. Correct it as shown below.")
                with { Details = details, Fixes = fixes }, null);
        }
        var revoked = results.Any(r => r.State == SelectorState.Revoked) ? " (a record there has an empty key, which means \"switched off\")" : "";
        return new DkimFinding(Item(CheckStatus.Fail,
            $"DKIM is not set up for {domain}{revoked}: {providerName} signs your campaigns with its own domain instead of yours, " +
            "so receivers cannot tell they really come from you.")
            with { Details = details, Fixes = fixes }, null);
    }

    private async Task<List<SelectorResult>> LookupAllAsync(string domain, IReadOnlyList<DkimSelectorFact> facts, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(facts.Select(f => LookupAsync(domain, f, cancellationToken)));
        return results.ToList();
    }

    private async Task<SelectorResult> LookupAsync(string domain, DkimSelectorFact fact, CancellationToken cancellationToken)
    {
        var name = $"{fact.Selector}._domainkey.{domain}";
        var answer = await dns.QueryAsync(name, QueryType.TXT, cancellationToken);
        if (answer.Outcome == DnsOutcome.Failed)
        {
            return new(fact, name, SelectorState.Unreadable, answer.FailureReason ?? "the lookup failed");
        }
        var key = answer.Texts.FirstOrDefault(t => t.Contains("p=", StringComparison.OrdinalIgnoreCase));
        var revoked = key is not null && KeyIsEmpty(key);
        if (answer.Cnames.Count > 0)
        {
            var target = answer.Cnames[^1];
            if (!fact.TargetMatches(target))
            {
                return new(fact, name, SelectorState.PointsElsewhere, $"points to {target}");
            }
            return revoked ? new(fact, name, SelectorState.Revoked, $"CNAME to {target}, whose key is empty")
                : key is null ? new(fact, name, SelectorState.NoKeyAtTarget, $"CNAME to {target}, but no DKIM key is published there")
                : new(fact, name, SelectorState.Published, $"CNAME to {target} (key found)");
        }
        if (key is not null)
        {
            return revoked
                ? new(fact, name, SelectorState.Revoked, "TXT key with an empty p= (revoked)")
                : new(fact, name, SelectorState.Published, "TXT key published");
        }
        return new(fact, name, SelectorState.Missing, answer.Outcome == DnsOutcome.NoSuchName ? "not found" : "no DKIM key there");
    }

    private static bool KeyIsEmpty(string record) =>
        record.Split(';', StringSplitOptions.TrimEntries)
            .FirstOrDefault(t => t.StartsWith("p=", StringComparison.OrdinalIgnoreCase)) is { } p
        && p.Length == 2;

    private static List<DnsRecordFix> FixesFor(string domain, SendingProvider? provider, IReadOnlyList<SelectorResult> missing)
    {
        var fixes = missing
            .Select(r => new DnsRecordFix(
                $"{r.Fact.Selector}._domainkey.{domain}",
                r.Fact.Kind == DkimRecordKind.Cname ? "CNAME" : "TXT",
                r.Fact.FixValue,
                r.Fact.FixValueIsExact ? null : $"Copy the exact value from {provider?.Name ?? "your provider"}'s domain authentication settings; it looks like this."))
            .ToList();
        // Mailgun picks one selector per domain: asking for both would be wrong.
        return provider?.Rule == DkimRule.Any && fixes.Count > 1
            ? [fixes[0] with { Note = $"{provider.Name} shows the exact selector (often {string.Join(" or ", provider.Selectors.Select(s => s.Selector))}) and key in its domain settings; it looks like this." }]
            : fixes;
    }

    public static string? NormaliseSelector(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return null;
        }
        selector = selector.Trim().TrimEnd('.').ToLowerInvariant();
        var cut = selector.IndexOf("._domainkey", StringComparison.Ordinal);
        return cut > 0 ? selector[..cut] : selector;
    }

    private static CheckItem Item(CheckStatus status, string summary) => new("dkim", "DKIM", status, summary);
}
