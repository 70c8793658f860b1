using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ClickInsights.Web;

/// <summary>
/// Messages handed from a redirect to the page it leads to (a provider's sign-in that failed): the address carries a
/// random number, never the text, so that a link cannot make the dashboard show words someone else chose.
/// </summary>
public sealed class Notices(TimeProvider time)
{
    private const int MostKept = 1_000;
    private static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, (string Text, DateTimeOffset Until)> _kept = new(StringComparer.Ordinal);

    /// <summary>Keeps a message for a few minutes; the number to put in the address.</summary>
    public string Keep(string text)
    {
        var now = time.GetUtcNow();
        if (_kept.Count >= MostKept)
        {
            foreach (var (key, value) in _kept)
            {
                if (value.Until <= now || _kept.Count >= MostKept)
                {
                    _kept.TryRemove(key, out _);
                }
            }
        }
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        _kept[id] = (text, now + KeptFor);
        return id;
    }

    /// <summary>The message under this number, while it is kept; null for a number the dashboard never gave.</summary>
    public string? Find(string? id) =>
        id is not null && _kept.TryGetValue(id, out var kept) && kept.Until > time.GetUtcNow() ? kept.Text : null;
}
