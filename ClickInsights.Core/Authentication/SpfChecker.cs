using DnsClient;

namespace ClickInsights.Core.Authentication;

/// <summary>
/// Reads the sending domain's SPF record and follows its includes the way a receiver does, counting DNS lookups
/// against the limit of 10, to say whether the provider's include is there and whether the record works at all.
/// </summary>
public sealed class SpfChecker(DnsLookup dns)
{
    public async Task<CheckItem> CheckAsync(string domain, SendingProvider? provider, CancellationToken cancellationToken = default)
    {
        var answer = await dns.QueryAsync(domain, QueryType.TXT, cancellationToken);
        if (answer.Outcome == DnsOutcome.Failed)
        {
            return Item(CheckStatus.Unknown, $"Your SPF record could not be read: {answer.FailureReason}.");
        }
        var wanted = provider?.SpfInclude;
        var records = answer.Texts.Where(SpfRecord.IsSpf).ToList();
        if (records.Count == 0)
        {
            var summary = answer.Outcome == DnsOutcome.NoSuchName
                ? $"{domain} does not exist in DNS, so it has no SPF record. Check the spelling of your sending domain."
                : $"{domain} has no SPF record, the list of servers allowed to send its mail.";
            if (answer.Outcome == DnsOutcome.NoSuchName)
            {
                return Item(CheckStatus.Fail, summary);
            }
            var value = wanted is null ? "v=spf1 ~all" : $"v=spf1 include:{wanted} ~all";
            return Item(CheckStatus.Fail, summary + (provider is null ? "" : $" Add one that allows {provider.Name}."))
                with { Fixes = [new DnsRecordFix(domain, "TXT", value, provider is null ? "Add the include of every service that sends mail as you." : null)] };
        }

        var details = new List<string>();
        if (records.Count > 1)
        {
            var merged = SpfRecord.Parse(records[0]);
            return Item(CheckStatus.Fail, $"{domain} has {records.Count} SPF records. Receivers treat that as an error and ignore all of them: keep exactly one.")
                with
                {
                    Details = records.Select(r => "Found: " + r).ToList(),
                    Fixes = [new DnsRecordFix(domain, "TXT", wanted is null || merged.Includes.Contains(wanted, StringComparer.OrdinalIgnoreCase) ? merged.Text : merged.WithInclude(wanted),
                        "Keep this one record and delete the other SPF records; merge any include you still need into it.")],
                };
        }

        var record = SpfRecord.Parse(records[0]);
        details.Add("Record: " + record.Text);
        var walk = new Walk(dns, wanted, cancellationToken);
        await walk.FollowAsync(domain, record, depth: 0);
        details.Add($"DNS lookups needed: {(walk.Lookups > Walk.HardCap ? $"more than {Walk.HardCap}" : walk.Lookups)}{(walk.Lookups > SpfRecord.LookupLimit ? $" (receivers stop at {SpfRecord.LookupLimit})" : "")}");
        details.AddRange(walk.Notes);

        if (record.All is { Qualifier: '+' })
        {
            return Item(CheckStatus.Fail, "Your SPF record ends in +all, which allows every server in the world to send mail as you. Use ~all instead.")
                with { Details = details, Fixes = [new DnsRecordFix(domain, "TXT", SoftFailAll(record.Text))] };
        }
        if (walk.Broken.Count > 0)
        {
            return Item(CheckStatus.Fail, $"Your SPF record is broken, so receivers ignore it: {walk.Broken[0]}")
                with { Details = details };
        }
        if (walk.Lookups > SpfRecord.LookupLimit)
        {
            return Item(CheckStatus.Fail,
                $"Your SPF record needs {(walk.Lookups > Walk.HardCap ? $"more than {Walk.HardCap}" : walk.Lookups)} DNS lookups; receivers give up after {SpfRecord.LookupLimit} and treat SPF as failed. " +
                "Remove the includes of services you no longer use.")
                with { Details = details };
        }
        if (wanted is null)
        {
            return Item(walk.Unreadable.Count > 0 ? CheckStatus.Unknown : CheckStatus.Pass,
                walk.Unreadable.Count > 0
                    ? $"Your SPF record is there, but part of it could not be read: {walk.Unreadable[0]}."
                    : "Your SPF record is there and valid. Choose your sending provider above to check that it is allowed.")
                with { Details = details };
        }
        if (walk.Found)
        {
            var note = walk.Unreadable.Count > 0 ? $" (Part of it could not be read, so the lookup count may be higher: {walk.Unreadable[0]}.)" : "";
            return Item(CheckStatus.Pass, $"Your SPF record allows {provider!.Name} to send as {domain}.{note}") with { Details = details };
        }
        if (walk.Unreadable.Count > 0)
        {
            return Item(CheckStatus.Unknown, $"{provider!.Name}'s include:{wanted} is not in your record directly, and part of it could not be read: {walk.Unreadable[0]}.")
                with { Details = details };
        }
        var fix = new DnsRecordFix(domain, "TXT", record.WithInclude(wanted), "Replace your current SPF record with this one (there must be only one).");
        if (!provider!.SpfAligns)
        {
            return Item(CheckStatus.Warn,
                $"Your SPF record does not include {provider.Name} (include:{wanted}). {provider.Name} asks for it, although its mail uses " +
                $"{provider.Name}'s own return address, so SPF never counts for your DMARC anyway: DKIM is what matters here.")
                with { Details = details, Fixes = [fix] };
        }
        return Item(CheckStatus.Fail, $"Your SPF record does not allow {provider.Name} to send as {domain}: include:{wanted} is missing.")
            with { Details = details, Fixes = [fix] };
    }

    private static CheckItem Item(CheckStatus status, string summary) => new("spf", "SPF", status, summary);

    /// <summary>The record with its last term, "+all" or a bare "all" (the same), made "~all".</summary>
    private static string SoftFailAll(string text)
    {
        var terms = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = terms.Length - 1; i >= 0; i--)
        {
            if (terms[i].Equals("all", StringComparison.OrdinalIgnoreCase) || terms[i].Equals("+all", StringComparison.OrdinalIgnoreCase))
            {
                terms[i] = "~all";
                break;
            }
        }
        return string.Join(' ', terms);
    }

    private sealed class Walk(DnsLookup dns, string? wanted, CancellationToken cancellationToken)
    {
        /// <summary>Counting goes on past the limit (to say by how much) but not forever.</summary>
        public const int HardCap = 40;

        /// <summary>The records being evaluated, from the domain's own down to the current one: a name met again on this path is a loop.
        /// (The same include reached twice by different paths is evaluated, and counted, twice, as receivers do.)</summary>
        private readonly HashSet<string> _path = new(StringComparer.OrdinalIgnoreCase);

        public int Lookups { get; private set; }
        public bool Found { get; private set; }
        public List<string> Notes { get; } = [];
        /// <summary>Errors that make receivers reject the whole record (permerror).</summary>
        public List<string> Broken { get; } = [];
        /// <summary>Parts that could not be fetched (temperror): nothing can be concluded about them.</summary>
        public List<string> Unreadable { get; } = [];

        public async Task FollowAsync(string domain, SpfRecord record, int depth)
        {
            _path.Add(domain);
            try
            {
                await FollowTermsAsync(domain, record, depth);
            }
            finally
            {
                _path.Remove(domain);
            }
        }

        private async Task FollowTermsAsync(string domain, SpfRecord record, int depth)
        {
            // redirect= only applies when the record has no "all".
            var terms = record.All is null ? record.Terms : record.Terms.Where(t => t.Name != "redirect");
            foreach (var term in terms.Where(t => t.NeedsLookup))
            {
                Lookups++;
                if (Lookups > HardCap)
                {
                    return;
                }
                if (term.Name is not ("include" or "redirect") || string.IsNullOrWhiteSpace(term.Value))
                {
                    continue;
                }
                var target = term.Value.TrimEnd('.');
                if (target.Contains('%'))
                {
                    Notes.Add($"{term}: uses macros, not followed");
                    continue;
                }
                if (wanted is not null && target.Equals(wanted, StringComparison.OrdinalIgnoreCase))
                {
                    if (Lookups <= SpfRecord.LookupLimit)
                    {
                        Found = true;
                        Notes.Add(depth == 0 ? $"Found {term}" : $"Found {term} inside {domain}");
                    }
                    else
                    {
                        Notes.Add($"{term} is lookup number {Lookups}: receivers have stopped before reaching it");
                    }
                }
                if (_path.Contains(target))
                {
                    Broken.Add($"{term} in {domain} includes itself in a loop.");
                    continue;
                }
                var answer = await dns.QueryAsync(target, QueryType.TXT, cancellationToken);
                if (answer.Outcome == DnsOutcome.Failed)
                {
                    Unreadable.Add($"{target} did not answer ({answer.FailureReason})");
                    continue;
                }
                var nested = answer.Texts.Where(SpfRecord.IsSpf).ToList();
                if (nested.Count != 1)
                {
                    Broken.Add(nested.Count == 0
                        ? $"{term} points to {target}, which has no SPF record. Remove it or correct the name."
                        : $"{target} (reached through {term}) has {nested.Count} SPF records.");
                    continue;
                }
                await FollowAsync(target, SpfRecord.Parse(nested[0]), depth + 1);
            }
        }
    }
}
