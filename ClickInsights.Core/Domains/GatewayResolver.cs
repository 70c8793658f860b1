using ClickInsights.Core.Authentication;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Demo;
using DnsClient;

namespace ClickInsights.Core.Domains;

public sealed record GatewayLookupResult(string Domain, IReadOnlyList<string> MxHosts, string Gateway, TimeSpan Ttl, string? Error);

/// <summary>
/// Finds a recipient domain's mail gateway: its MX hosts (lowest preference first), the first one of the lowest
/// preference that the scanner catalogue names, "Unknown" otherwise. Demo workspaces read the demo's own MX hosts,
/// so the demo shows gateways without a network.
/// </summary>
public sealed class GatewayResolver(DnsLookup dns, ScannerCatalogue catalogue)
{
    public const string Unknown = "Unknown";

    /// <summary>Bounds on how long an answer is kept, whatever TTL the record has.</summary>
    public static readonly TimeSpan MinTtl = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(7);
    /// <summary>After a failed lookup, try again this much later.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(15);
    /// <summary>How long "this domain has no MX" is believed (negative answers carry no TTL we read).</summary>
    public static readonly TimeSpan NoMxTtl = TimeSpan.FromHours(1);
    public static readonly TimeSpan DemoTtl = TimeSpan.FromDays(1);

    public async Task<GatewayLookupResult> ResolveAsync(string domain, bool demo, CancellationToken cancellationToken = default)
    {
        domain = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (demo && DemoWorld.MxHosts.TryGetValue(domain, out var demoHost))
        {
            return new(domain, [demoHost], GatewayOf([new MxHost(demoHost, 10)]), DemoTtl, null);
        }
        var answer = await dns.QueryAsync(domain, QueryType.MX, cancellationToken);
        return answer.Outcome switch
        {
            DnsOutcome.Failed => new(domain, [], Unknown, RetryAfterFailure, answer.FailureReason),
            DnsOutcome.NoSuchName => new(domain, [], Unknown, NoMxTtl, null),
            _ when answer.Mx.Count == 0 => new(domain, [], Unknown, NoMxTtl, null),
            _ => new(domain, answer.Mx.Select(m => m.Host).ToList(), GatewayOf(answer.Mx),
                Clamp(answer.Ttl ?? MinTtl), null),
        };
    }

    public string GatewayOf(IReadOnlyList<MxHost> hosts)
    {
        if (hosts.Count == 0)
        {
            return Unknown;
        }
        var lowest = hosts.Min(h => h.Preference);
        foreach (var host in hosts.Where(h => h.Preference == lowest))
        {
            if (catalogue.MatchMx(host.Host) is { } entry)
            {
                return entry.Gateway;
            }
        }
        return Unknown;
    }

    private static TimeSpan Clamp(TimeSpan ttl) => ttl < MinTtl ? MinTtl : ttl > MaxTtl ? MaxTtl : ttl;
}
