using System.Buffers.Binary;
using System.Net;

namespace ClickInsights.Core.Classification;

/// <summary>
/// The catalogue's networks prepared for fast lookups: IPv4 ranges as integers (most specific first), IPv6 through
/// <see cref="IPNetwork"/>. Gives the scanner entry of an address and a key telling networks apart.
/// </summary>
public sealed class NetworkIndex
{
    private readonly (uint Start, uint End, NetworkEntry Entry)[] _v4;
    private readonly (IPNetwork Network, NetworkEntry Entry)[] _v6;

    public NetworkIndex(IEnumerable<NetworkEntry> entries)
    {
        var v4 = new List<(uint Start, uint End, NetworkEntry Entry, int Prefix)>();
        var v6 = new List<(IPNetwork Network, NetworkEntry Entry)>();
        foreach (var entry in entries)
        {
            var network = IPNetwork.Parse(entry.Cidr);
            if (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                var start = BinaryPrimitives.ReadUInt32BigEndian(network.BaseAddress.GetAddressBytes());
                var size = network.PrefixLength == 0 ? uint.MaxValue : (1u << (32 - network.PrefixLength)) - 1;
                v4.Add((start, start + size, entry, network.PrefixLength));
            }
            else
            {
                v6.Add((network, entry));
            }
        }
        // Most specific first, so a vendor's /24 wins over a wide cloud range; among equals the earlier entry (the user's).
        _v4 = v4.Select((n, i) => (n, i)).OrderByDescending(x => x.n.Prefix).ThenBy(x => x.i).Select(x => (x.n.Start, x.n.End, x.n.Entry)).ToArray();
        _v6 = [.. v6.OrderByDescending(n => n.Network.PrefixLength)];
    }

    /// <summary>The catalogue entry of an address and its network key: the same catalogued owner, else the same
    /// /16 (IPv4) or /48 (IPv6), gives the same key.</summary>
    public (NetworkEntry? Entry, long Key) Lookup(string ip)
    {
        if (TryParseIPv4(ip, out var v4))
        {
            foreach (var (start, end, entry) in _v4)
            {
                if (v4 >= start && v4 <= end)
                {
                    return (entry, OwnerKey(entry));
                }
            }
            return (null, 1L << 40 | (v4 >> 16));
        }
        // Only a whole IPv6 address goes on: IPAddress also reads "1.2.3" (as 1.2.0.3) or "12345", which are no addresses here.
        if (!ip.Contains(':') || !IPAddress.TryParse(ip, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return (null, 2L << 40 | (uint)StringComparer.Ordinal.GetHashCode(ip));
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return Lookup(address.MapToIPv4().ToString());
        }
        foreach (var (network, entry) in _v6)
        {
            if (network.Contains(address))
            {
                return (entry, OwnerKey(entry));
            }
        }
        var prefix = BinaryPrimitives.ReadUInt64BigEndian(address.GetAddressBytes()) >> 16;
        return (null, (long)(prefix & 0x0000_FFFF_FFFF_FFFF) | 3L << 50);
    }

    public NetworkEntry? Match(string ip) => Lookup(ip).Entry;

    private static long OwnerKey(NetworkEntry entry) => -1 - (uint)StringComparer.Ordinal.GetHashCode(entry.Owner);

    private static bool TryParseIPv4(string text, out uint value)
    {
        value = 0;
        uint part = 0;
        int dots = 0, digits = 0;
        foreach (var ch in text)
        {
            if (ch == '.')
            {
                if (digits == 0 || ++dots > 3)
                {
                    return false;
                }
                value = value << 8 | part;
                part = 0;
                digits = 0;
            }
            else if (ch is >= '0' and <= '9' && digits < 3)
            {
                part = part * 10 + (uint)(ch - '0');
                digits++;
                if (part > 255)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }
        if (dots != 3 || digits == 0)
        {
            return false;
        }
        value = value << 8 | part;
        return true;
    }
}
