using System.IO.Compression;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Data;

/// <summary>Reads an event's raw record back out of its compressed block.</summary>
public static class RawRecords
{
    /// <summary>The record exactly as it was imported; null when the event has none stored.</summary>
    public static async Task<string?> ReadAsync(ClickInsightsDbContext db, EmailEvent e, CancellationToken cancellationToken = default)
    {
        if (e.RawBlockId is not { } blockId)
        {
            return null;
        }
        var block = await db.RawBlocks.AsNoTracking().Where(b => b.Id == blockId).Select(b => new { b.Data, b.Compressed }).FirstOrDefaultAsync(cancellationToken);
        if (block is null)
        {
            return null;
        }
        return block.Compressed ? Slice(block.Data, e.RawOffset, e.RawLength) : Encoding.UTF8.GetString(block.Data, e.RawOffset, e.RawLength);
    }

    /// <summary>A whole block's records, unpacked, for reading many of them.</summary>
    public static byte[] Unpack(byte[] block, bool compressed)
    {
        if (!compressed)
        {
            return block;
        }
        using var zlib = new ZLibStream(new MemoryStream(block), CompressionMode.Decompress);
        using var unpacked = new MemoryStream(block.Length * 8);
        zlib.CopyTo(unpacked);
        return unpacked.ToArray();
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="offset"/> of a block once unpacked, as text.</summary>
    public static string Slice(byte[] block, int offset, int length)
    {
        using var zlib = new ZLibStream(new MemoryStream(block), CompressionMode.Decompress);
        var buffer = new byte[offset + length];
        zlib.ReadExactly(buffer);
        return Encoding.UTF8.GetString(buffer, offset, length);
    }
}
