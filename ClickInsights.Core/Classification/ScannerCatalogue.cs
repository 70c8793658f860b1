using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClickInsights.Core.Classification;

public enum Confidence
{
    Probable = 0,
    Certain = 1,
}

public sealed record UserAgentEntry(string Pattern, string Kind, string Owner, Confidence Confidence, string Source, string Date);

/// <param name="Kind"><c>mail-security</c> (a vendor's scanning network) or <c>cloud</c> (shared with real people, e.g. Azure).</param>
public sealed record NetworkEntry(string Cidr, string Owner, Confidence Confidence, string Source, string Date, string Kind = "mail-security")
{
    public bool IsCloud => string.Equals(Kind, "cloud", StringComparison.OrdinalIgnoreCase);
}

public sealed record MxEntry(string Pattern, string Gateway, string Source, string Date);

/// <summary>
/// The scanner facts the classifier uses: user-agent patterns, networks and MX patterns, each with its source
/// and date. The shipped catalogue is versioned data (<c>Catalogue/scanners.json</c>); users add their own entries.
/// </summary>
public sealed class ScannerCatalogue
{

    public ScannerCatalogue(string version, IReadOnlyList<UserAgentEntry> userAgents, IReadOnlyList<NetworkEntry> networks, IReadOnlyList<MxEntry> mx)
    {
        Version = version;
        UserAgents = userAgents;
        Networks = networks;
        Mx = mx;
        NetworkIndex = new NetworkIndex(networks);
    }

    public string Version { get; }
    public IReadOnlyList<UserAgentEntry> UserAgents { get; }
    public IReadOnlyList<NetworkEntry> Networks { get; }
    public IReadOnlyList<MxEntry> Mx { get; }
    public NetworkIndex NetworkIndex { get; }

    public static ScannerCatalogue Default { get; } = LoadShipped();

    public UserAgentEntry? MatchUserAgent(string userAgent)
    {
        UserAgentEntry? probable = null;
        foreach (var entry in UserAgents)
        {
            if (userAgent.Contains(entry.Pattern, StringComparison.OrdinalIgnoreCase))
            {
                if (entry.Confidence == Confidence.Certain)
                {
                    return entry;
                }
                probable ??= entry;
            }
        }
        return probable;
    }

    public NetworkEntry? MatchNetwork(string ip) => NetworkIndex.Match(ip);

    public MxEntry? MatchMx(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        foreach (var entry in Mx)
        {
            if (MxPatternMatches(entry.Pattern, host))
            {
                return entry;
            }
        }
        return null;
    }

    private static bool MxPatternMatches(string pattern, string host)
    {
        if (!pattern.Contains('*'))
        {
            return host == pattern;
        }
        var parts = pattern.Split('*');
        return host.StartsWith(parts[0], StringComparison.Ordinal)
            && host.EndsWith(parts[^1], StringComparison.Ordinal)
            && host.Length > parts[0].Length + parts[^1].Length;
    }

    /// <summary>The shipped catalogue plus the user's own entries; the user's come first so they win.</summary>
    public ScannerCatalogue WithUserEntries(IEnumerable<UserAgentEntry> userAgents, IEnumerable<NetworkEntry> networks, IEnumerable<MxEntry> mx) =>
        new($"{Version}+user", [.. userAgents, .. UserAgents], [.. networks, .. Networks], [.. mx, .. Mx]);

    public static ScannerCatalogue Parse(Stream json)
    {
        var file = JsonSerializer.Deserialize(json, CatalogueJsonContext.Default.CatalogueFile)
            ?? throw new InvalidDataException("The scanner catalogue is empty.");
        foreach (var network in file.Networks)
        {
            if (!IPNetwork.TryParse(network.Cidr, out _))
            {
                throw new InvalidDataException($"The scanner catalogue has an invalid network '{network.Cidr}' ({network.Owner}).");
            }
        }
        return new ScannerCatalogue(file.Version, file.UserAgents, file.Networks, file.Mx);
    }

    private static ScannerCatalogue LoadShipped()
    {
        using var stream = typeof(ScannerCatalogue).Assembly.GetManifestResourceStream("ClickInsights.Core.Classification.Catalogue.scanners.json")
            ?? throw new InvalidOperationException("The shipped scanner catalogue is missing from ClickInsights.Core.");
        return Parse(stream);
    }
}

internal sealed record CatalogueFile(string Version, List<UserAgentEntry> UserAgents, List<NetworkEntry> Networks, List<MxEntry> Mx);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(CatalogueFile))]
internal sealed partial class CatalogueJsonContext : JsonSerializerContext;
