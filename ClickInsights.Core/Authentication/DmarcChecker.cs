using DnsClient;

namespace ClickInsights.Core.Authentication;

public sealed record DmarcFinding(CheckItem Item, DmarcRecord? Record);

/// <summary>Reads <c>_dmarc.&lt;domain&gt;</c>, falling back to the organisational domain as receivers do.</summary>
public sealed class DmarcChecker(DnsLookup dns)
{
    public async Task<DmarcFinding> CheckAsync(string domain, CancellationToken cancellationToken = default)
    {
        var name = $"_dmarc.{domain}";
        var answer = await dns.QueryAsync(name, QueryType.TXT, cancellationToken);
        var inherited = false;
        var organisational = OrganisationalDomain.Of(domain);
        if (answer.IsAbsent || (answer.Outcome == DnsOutcome.Answer && !answer.Texts.Any(DmarcRecord.IsDmarc)))
        {
            if (!organisational.Equals(domain, StringComparison.OrdinalIgnoreCase))
            {
                var parent = await dns.QueryAsync($"_dmarc.{organisational}", QueryType.TXT, cancellationToken);
                if (parent.Outcome == DnsOutcome.Failed || parent.Texts.Any(DmarcRecord.IsDmarc))
                {
                    answer = parent;
                    name = parent.Name;
                    inherited = true;
                }
            }
        }
        if (answer.Outcome == DnsOutcome.Failed)
        {
            return new(Item(CheckStatus.Unknown, $"Your DMARC record could not be read: {answer.FailureReason}."), null);
        }
        var fix = new DnsRecordFix($"_dmarc.{domain}", "TXT", "v=DMARC1; p=none",
            "p=none only asks for reports and changes nothing for your mail; once everything passes for a few weeks, you can move to p=quarantine.");
        var records = answer.Texts.Where(DmarcRecord.IsDmarc).ToList();
        if (records.Count == 0)
        {
            return new(Item(CheckStatus.Fail,
                $"{domain} has no DMARC record. DMARC tells receivers what to do with mail that claims to be from you but is not; " +
                "large mailbox providers expect it from senders of newsletters.") with { Fixes = [fix] }, null);
        }
        if (records.Count > 1)
        {
            return new(Item(CheckStatus.Fail, $"{name} has {records.Count} DMARC records; receivers then ignore DMARC entirely. Keep one.")
                with { Details = records.Select(r => "Found: " + r).ToList(), Fixes = [fix] }, null);
        }
        var record = DmarcRecord.Parse(records[0]);
        var details = new List<string> { $"Record at {name}: {record.Text}" };
        if (!record.HasValidPolicy)
        {
            return new(Item(CheckStatus.Fail, $"Your DMARC record has no valid policy (p=none, p=quarantine or p=reject), so receivers ignore it.")
                with { Details = details, Fixes = [fix with { Name = name }] }, null);
        }
        var policy = inherited ? record.SubdomainPolicy ?? record.Policy : record.Policy;
        details.Add($"Policy: {policy}" + (inherited ? $" (inherited from {organisational})" : ""));
        details.Add(record.ReportAddresses.Count > 0 ? $"Reports go to: {string.Join(", ", record.ReportAddresses)}" : "No report address (rua=): nobody receives DMARC reports");
        details.Add($"Alignment: DKIM {(record.StrictDkim ? "strict" : "relaxed")}, SPF {(record.StrictSpf ? "strict" : "relaxed")}");
        if (record.Percent < 100)
        {
            details.Add($"pct={record.Percent}: the policy applies to {record.Percent}% of failing mail");
        }
        var summary = policy switch
        {
            "none" => "DMARC is published in monitoring mode (p=none): receivers check your mail and can send you reports, but take no action against forgeries. That is the usual first step.",
            "quarantine" => $"DMARC is published: receivers put mail that fails the check in spam{(record.Percent < 100 ? $" ({record.Percent}% of it)" : "")}.",
            _ => $"DMARC is published: receivers reject mail that fails the check{(record.Percent < 100 ? $" ({record.Percent}% of it)" : "")}. Make sure DKIM passes, or your own campaigns are rejected too.",
        };
        return new(Item(CheckStatus.Pass, summary) with { Details = details }, record);
    }

    private static CheckItem Item(CheckStatus status, string summary) => new("dmarc", "DMARC", status, summary);
}
