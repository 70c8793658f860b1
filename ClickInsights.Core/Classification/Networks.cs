using System.Net;

namespace ClickInsights.Core.Classification;

/// <summary>What the classifier knows of each IP address of a campaign, looked up once per address.</summary>
public sealed class Networks(ScannerCatalogue catalogue)
{
    private readonly Dictionary<string, (NetworkEntry? Entry, string Key)> _cache = new(StringComparer.Ordinal);

    public NetworkEntry? ScannerOf(string? ip) => ip is null ? null : Lookup(ip).Entry;

    /// <summary>Two clicks with the same key came from the same network: the same catalogued owner, else the same /16 (IPv4) or /48 (IPv6).</summary>
    public string KeyOf(string? ip) => ip is null ? "" : Lookup(ip).Key;

    private (NetworkEntry? Entry, string Key) Lookup(string ip)
    {
        if (_cache.TryGetValue(ip, out var known))
        {
            return known;
        }
        var entry = catalogue.MatchNetwork(ip);
        string key;
        if (entry is not null)
        {
            key = "owner:" + entry.Owner;
        }
        else if (IPAddress.TryParse(ip, out var address))
        {
            var bytes = address.IsIPv4MappedToIPv6 ? address.MapToIPv4().GetAddressBytes() : address.GetAddressBytes();
            key = bytes.Length == 4 ? $"{bytes[0]}.{bytes[1]}" : Convert.ToHexString(bytes, 0, 6);
        }
        else
        {
            key = ip;
        }
        known = (entry, key);
        _cache.Add(ip, known);
        return known;
    }
}
