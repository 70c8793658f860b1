namespace ClickInsights.Core.Import;

/// <summary>
/// Hash of source and external id → the row that holds it, as two flat arrays with open addressing: 12 bytes a
/// slot instead of a dictionary entry's 28, and no object per entry, for the million ids of a large file.
/// </summary>
public sealed class IdHashTable
{
    private long[] _hashes = new long[1 << 16];
    private int[] _rows = new int[1 << 16];
    private int _count;

    public int Count => _count;

    public bool TryGet(long hash, out long row)
    {
        var mask = _hashes.Length - 1;
        for (var slot = SlotOf(hash, mask); _rows[slot] != 0; slot = (slot + 1) & mask)
        {
            if (_hashes[slot] == hash)
            {
                row = _rows[slot];
                return true;
            }
        }
        row = 0;
        return false;
    }

    /// <summary>Adds a hash unless it is there already (then the first row keeps it). Row ids start at 1.</summary>
    public bool TryAdd(long hash, long row)
    {
        if (row is <= 0 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, "Event ids are positive and below 2^31.");
        }
        if ((_count + 1) * 10L > _hashes.Length * 7L)
        {
            Grow();
        }
        var mask = _hashes.Length - 1;
        var slot = SlotOf(hash, mask);
        for (; _rows[slot] != 0; slot = (slot + 1) & mask)
        {
            if (_hashes[slot] == hash)
            {
                return false;
            }
        }
        _hashes[slot] = hash;
        _rows[slot] = (int)row;
        _count++;
        return true;
    }

    // The hashes are FNV-1a already; mixing the high bits in spreads them over small tables too.
    private static int SlotOf(long hash, int mask) => (int)((ulong)hash ^ ((ulong)hash >> 32)) & mask;

    private void Grow()
    {
        var (hashes, rows) = (_hashes, _rows);
        _hashes = new long[hashes.Length * 2];
        _rows = new int[rows.Length * 2];
        _count = 0;
        for (int i = 0; i < hashes.Length; i++)
        {
            if (rows[i] != 0)
            {
                TryAdd(hashes[i], rows[i]);
            }
        }
    }
}
