using System.Globalization;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Providers;

namespace ClickInsights.Core.Reports;

/// <summary>What a domain's clicks add up to, for the paragraph a support person pastes in an email to the company's IT.</summary>
public sealed record DomainEvidenceFigures(
    int Clicks,
    int MachineClicks,
    int HumanClicks,
    DateTime? FirstMachineClick,
    DateTime? LastMachineClick,
    int WithinAMinute,
    int BeforeDelivery,
    double? MedianSecondsAfterDelivery,
    IReadOnlyList<(string Owner, int Clicks)> Owners,
    int Campaigns)
{
    /// <summary>Adds up a domain's evidence rows in one pass (a large domain's clicks are streamed, not held).</summary>
    public static async Task<DomainEvidenceFigures> OfAsync(IAsyncEnumerable<DomainEvidenceRow> rows, CancellationToken cancellationToken = default)
    {
        int clicks = 0, machine = 0, human = 0, withinMinute = 0, before = 0;
        DateTime? first = null, last = null;
        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        var campaigns = new HashSet<string>(StringComparer.Ordinal);
        // The median of the delays: a bounded sample is enough for a sentence.
        var delays = new List<double>();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            clicks++;
            if (row.Verdict == Verdict.Human)
            {
                human++;
                continue;
            }
            if (row.Verdict != Verdict.Bot)
            {
                continue;
            }
            machine++;
            campaigns.Add(row.CampaignName);
            first = first is null || row.ClickedAt < first ? row.ClickedAt : first;
            last = last is null || row.ClickedAt > last ? row.ClickedAt : last;
            if (row.SecondsAfterDelivery is { } after)
            {
                if (after < 0)
                {
                    before++;
                }
                if (after <= 60)
                {
                    withinMinute++;
                }
                if (delays.Count < 100_000)
                {
                    delays.Add(after);
                }
            }
            var owner = row.NetworkOwner ?? (row.Ip is null ? "no address given" : "networks not on ClickInsights' list");
            owners[owner] = owners.GetValueOrDefault(owner) + 1;
        }
        delays.Sort();
        double? median = delays.Count == 0 ? null : delays[delays.Count / 2];
        return new DomainEvidenceFigures(clicks, machine, human, first, last, withinMinute, before, median,
            owners.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).Select(o => (o.Key, o.Value)).ToList(), campaigns.Count);
    }

    /// <summary>
    /// The paragraph for the company's IT: when, how many, how soon after delivery, from whose networks, and what the
    /// gateway is, in words a person outside ClickInsights reads without the dashboard. Null when no click was a machine's.
    /// </summary>
    public string? Paragraph(string domain, string sender, string? gateway)
    {
        if (MachineClicks == 0 || FirstMachineClick is not { } first || LastMachineClick is not { } last)
        {
            return null;
        }
        var inv = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.Append(inv, $"Between {first:d MMMM yyyy} and {last:d MMMM yyyy}, links in emails from {sender} to {domain} were opened {Plural.Of(MachineClicks, "time")} by machines rather than people");
        text.Append(Campaigns == 1 ? ", in 1 campaign." : $", in {Campaigns.ToString(inv)} campaigns.");
        if (WithinAMinute > 0 || BeforeDelivery > 0)
        {
            text.Append(inv, $" {WithinAMinute:N0} of them came within a minute of delivery");
            if (BeforeDelivery > 0)
            {
                text.Append(inv, $", {BeforeDelivery} even before the delivery was confirmed");
            }
            text.Append('.');
        }
        if (MedianSecondsAfterDelivery is { } median)
        {
            text.Append(" Half of them came within ").Append(Format.Duration((long)Math.Max(0, median * 1000))).Append(" of delivery.");
        }
        if (Owners.Count > 0)
        {
            text.Append(" They came from ").Append(string.Join(", ", Owners.Take(3).Select(o => $"{o.Owner} ({o.Clicks.ToString("N0", inv)})"))).Append('.');
        }
        if (gateway is not null && gateway != Domains.GatewayResolver.Unknown)
        {
            text.Append(inv, $" Your domain's mail goes through {gateway}, whose mail filtering checks links of incoming email; these fetches match that checking, not people reading.");
        }
        else
        {
            text.Append(" This is how mail filtering that checks the links of incoming email behaves, not how people read.");
        }
        text.Append(inv, $" Clicks by people at {domain} ({HumanClicks.ToString("N0", inv)}) were counted apart. The attached CSV lists every click with its time, network and user agent; nothing needs changing on your side, unless these checks are not expected.");
        return text.ToString();
    }
}
