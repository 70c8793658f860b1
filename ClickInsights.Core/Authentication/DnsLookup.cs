using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Authentication;

public enum DnsOutcome
{
    /// <summary>The server answered with records.</summary>
    Answer,
    /// <summary>The name exists but has no record of this type.</summary>
    NoRecords,
    /// <summary>The name does not exist (NXDOMAIN): a real "not found".</summary>
    NoSuchName,
    /// <summary>No usable answer: timeout, SERVFAIL, REFUSED, no network. Nothing can be concluded.</summary>
    Failed,
}

public sealed record MxHost(string Host, int Preference);

/// <summary>One DNS question's answer, reduced to what the checks use.</summary>
public sealed record DnsAnswer(string Name, DnsOutcome Outcome, string? FailureReason = null)
{
    /// <summary>TXT records, each one's strings joined as RFC 7208 §3.3 says (no spaces added).</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];
    /// <summary>CNAME targets met on the way, in order, without the trailing dot.</summary>
    public IReadOnlyList<string> Cnames { get; init; } = [];
    /// <summary>MX hosts, lowest preference first.</summary>
    public IReadOnlyList<MxHost> Mx { get; init; } = [];
    /// <summary>The smallest TTL of the answer's records.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>True when the name or record definitely does not exist (as opposed to a failed lookup).</summary>
    public bool IsAbsent => Outcome is DnsOutcome.NoRecords or DnsOutcome.NoSuchName;
}

/// <summary>
/// Asks the configured DNS server. Never throws for DNS trouble: a timeout, a server failure or a missing
/// network comes back as <see cref="DnsOutcome.Failed"/> with a reason a person can read, so callers can say
/// "unknown" instead of a false "fail".
/// </summary>
public sealed class DnsLookup
{
    private readonly LookupClient _client;
    private readonly string _serverDescription;

    public DnsLookup(IOptions<DnsOptions> options)
    {
        var o = options.Value;
        LookupClientOptions clientOptions;
        if (!string.IsNullOrWhiteSpace(o.Server))
        {
            clientOptions = new LookupClientOptions(new NameServer(IPAddress.Parse(o.Server), o.Port));
            _serverDescription = $"{o.Server}:{o.Port}";
        }
        else
        {
            clientOptions = new LookupClientOptions();
            _serverDescription = "this computer's DNS server";
        }
        clientOptions.Timeout = o.Timeout;
        clientOptions.Retries = o.Retries;
        clientOptions.UseCache = false;
        clientOptions.ThrowDnsErrors = false;
        clientOptions.ContinueOnDnsError = false;
        clientOptions.ContinueOnEmptyResponse = false;
        clientOptions.UseTcpFallback = true;
        _client = new LookupClient(clientOptions);
        Timeout = o.Timeout;
    }

    public TimeSpan Timeout { get; }

    public async Task<DnsAnswer> QueryAsync(string name, QueryType type, CancellationToken cancellationToken = default)
    {
        name = name.Trim().TrimEnd('.');
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type, QueryClass.IN, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (DnsResponseException e) when (e.Code == DnsResponseCode.ConnectionTimeout)
        {
            return Failed(name, $"{_serverDescription} did not answer within {Seconds(Timeout)}");
        }
        catch (DnsResponseException e) when (e.InnerException is SocketException socket)
        {
            return Failed(name, $"{_serverDescription} could not be reached ({socket.SocketErrorCode}); is this computer online?");
        }
        catch (DnsResponseException e)
        {
            return Failed(name, $"{_serverDescription} could not be asked: {e.Message}");
        }
        catch (SocketException e)
        {
            return Failed(name, $"{_serverDescription} could not be reached ({e.SocketErrorCode}); is this computer online?");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or TimeoutException or IOException)
        {
            return Failed(name, $"the DNS lookup failed: {e.Message}");
        }

        switch (response.Header.ResponseCode)
        {
            case DnsHeaderResponseCode.NoError:
                break;
            case DnsHeaderResponseCode.NotExistentDomain:
                return new DnsAnswer(name, DnsOutcome.NoSuchName);
            case DnsHeaderResponseCode.ServerFailure:
                return Failed(name, $"{_serverDescription} reported a failure (SERVFAIL) for {name}; the domain's DNS servers may be down or misconfigured");
            case DnsHeaderResponseCode.Refused:
                return Failed(name, $"{_serverDescription} refused to answer (REFUSED) for {name}");
            default:
                return Failed(name, $"{_serverDescription} answered with an error ({response.Header.ResponseCode}) for {name}");
        }

        var answers = response.Answers;
        var texts = answers.TxtRecords().Select(t => string.Concat(t.Text)).ToList();
        var cnames = answers.CnameRecords().Select(c => c.CanonicalName.Value.TrimEnd('.').ToLowerInvariant()).ToList();
        var mx = answers.MxRecords()
            .Where(m => m.Exchange.Value.TrimEnd('.').Length > 0) // a null MX ("0 .") means no mail, RFC 7505
            .OrderBy(m => m.Preference).ThenBy(m => m.Exchange.Value, StringComparer.Ordinal)
            .Select(m => new MxHost(m.Exchange.Value.TrimEnd('.').ToLowerInvariant(), m.Preference))
            .ToList();
        TimeSpan? ttl = answers.Count == 0 ? null : TimeSpan.FromSeconds(answers.Min(a => a.InitialTimeToLive));
        var hasWanted = type switch
        {
            QueryType.TXT => texts.Count > 0,
            QueryType.MX => mx.Count > 0 || answers.MxRecords().Any(),
            QueryType.CNAME => cnames.Count > 0,
            _ => answers.Count > 0,
        };
        return new DnsAnswer(name, hasWanted || cnames.Count > 0 ? DnsOutcome.Answer : DnsOutcome.NoRecords)
        {
            Texts = texts,
            Cnames = cnames,
            Mx = mx,
            Ttl = ttl,
        };
    }

    private static DnsAnswer Failed(string name, string reason) => new(name, DnsOutcome.Failed, reason);

    private static string Seconds(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalMilliseconds:0} ms";
}
