namespace ClickInsights.Core.Import;

/// <summary>
/// A list that grows by small chunks instead of doubling one array: holding a million events costs no copy on
/// growth and no large-object-heap array left behind at every doubling, so memory follows what is held.
/// </summary>
public sealed class ChunkedList<T> : IReadOnlyList<T>
{
    // Below the 85,000 bytes from which the runtime puts an array on the large object heap, for structs up to 64 bytes.
    private const int ChunkLength = 1024;

    private readonly List<T[]> _chunks = [];
    private int _count;

    public int Count => _count;

    public T this[int index] => (uint)index < (uint)_count
        ? _chunks[index / ChunkLength][index % ChunkLength]
        : throw new ArgumentOutOfRangeException(nameof(index));

    public void Add(T item)
    {
        var offset = _count % ChunkLength;
        if (offset == 0)
        {
            _chunks.Add(new T[ChunkLength]);
        }
        _chunks[^1][offset] = item;
        _count++;
    }

    public T[] ToArray()
    {
        var array = new T[_count];
        for (int i = 0, copied = 0; copied < _count; i++)
        {
            var length = Math.Min(ChunkLength, _count - copied);
            Array.Copy(_chunks[i], 0, array, copied, length);
            copied += length;
        }
        return array;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return _chunks[i / ChunkLength][i % ChunkLength];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
