using System.Runtime.CompilerServices;

namespace ClickInsights.Core.Import;

public static class ContentIds
{
    /// <summary>
    /// Reads a file's items, numbering events whose id is a hash of their content by how often the same content came
    /// before in the file. Two identical records in one file are two events (a gateway's fetch and the person's click
    /// in the same minute look the same in Constant Contact's whole-minute reports), while the same file read again
    /// gives the same ids, so re-importing it still adds nothing.
    /// </summary>
    /// <param name="numbering">
    /// Shared by the files that make one report (the pages of a sync, the files of one archive), so that identical
    /// records on two pages are numbered over the report, as one file of all its pages would number them; null numbers
    /// within this file only.
    /// </param>
    public static async IAsyncEnumerable<ImportItem> ReadNumberedAsync(this IEventReader reader, Stream stream, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken, ContentNumbering? numbering = null)
    {
        var seen = (numbering ?? new ContentNumbering()).Seen;
        await foreach (var item in reader.ReadAsync(stream, fileName, cancellationToken))
        {
            if (item is NormalizedEvent e && e.ExternalId.StartsWith("sha256:", StringComparison.Ordinal))
            {
                var count = seen.TryGetValue(e.ExternalId, out var n) ? n + 1 : 1;
                seen[e.ExternalId] = count;
                numbering?.Touched.Add(e.ExternalId);
                yield return count == 1 ? e : e with { ExternalId = $"{e.ExternalId}#{count}" };
            }
            else
            {
                yield return item;
            }
        }
    }
}

/// <summary>How often each content-hashed record came before, over the files of one report.</summary>
public sealed class ContentNumbering
{
    private Dictionary<string, int> _atPageStart = new(StringComparer.Ordinal);

    public ContentNumbering()
    {
    }

    /// <summary>
    /// Numbering that goes on from a remembered page: <paramref name="counts"/> are <see cref="AtPageStart"/> as kept when
    /// that page was read last, so records identical to ones at the end of the page before it are numbered after them.
    /// </summary>
    public ContentNumbering(IReadOnlyDictionary<string, int>? counts)
    {
        foreach (var (key, count) in counts ?? new Dictionary<string, int>())
        {
            Seen[key] = count;
            Touched.Add(key);
        }
    }

    internal Dictionary<string, int> Seen { get; } = new(StringComparer.Ordinal);

    /// <summary>Records numbered since <see cref="StartPage"/>.</summary>
    internal HashSet<string> Touched { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The counts, as the current page started, of the records the page before it held. Identical records share their
    /// minute, so in a report ordered by time they are neighbours: these are all a later run resuming at the current
    /// page needs (at most a page's worth, where keeping every count of a long report would not be).
    /// </summary>
    public IReadOnlyDictionary<string, int> AtPageStart => _atPageStart;

    /// <summary>Marks the start of the next page of the report.</summary>
    public void StartPage()
    {
        _atPageStart = Touched.ToDictionary(key => key, key => Seen[key], StringComparer.Ordinal);
        Touched.Clear();
    }
}
