using System.Text;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Support;

/// <summary>Reads sample text through a reader, the way the importer does, and checks detection and storage.</summary>
public static class ReaderHarness
{
    public static async Task<List<ImportItem>> ReadAllAsync(IEventReader reader, string text, string fileName = "export.json", bool trickle = false)
    {
        Stream stream = Samples.Utf8(text);
        if (trickle)
        {
            stream = new TrickleStream(stream);
        }
        var items = new List<ImportItem>();
        await foreach (var item in reader.ReadAsync(stream, fileName, CancellationToken.None))
        {
            items.Add(item);
        }
        return items;
    }

    public static async Task<List<NormalizedEvent>> ReadEventsAsync(IEventReader reader, string text, string fileName = "export.json") =>
        (await ReadAllAsync(reader, text, fileName)).Select(i => Assert.IsType<NormalizedEvent>(i)).ToList();

    /// <summary>The formats of every registered reader that would claim the text.</summary>
    public static List<string> FormatsClaiming(string text)
    {
        var head = Encoding.UTF8.GetBytes(text);
        return EventImporter.Readers.Where(r => r.CanRead(head)).Select(r => r.Format).ToList();
    }

    public static async Task<string> DetectedFormatAsync(string text)
    {
        var (reader, _) = await EventImporter.DetectAsync(Samples.Utf8(text), "export.json", CancellationToken.None);
        return reader.Format;
    }

    /// <summary>Imports the text twice into a fresh database; returns both results and the stored counts after each.</summary>
    public static async Task<(ImportResult First, ImportResult Second, StoredCounts AfterFirst, StoredCounts AfterSecond)> ImportTwiceAsync(string text, string fileName)
    {
        using var database = new TestDatabase();
        var workspace = await database.CreateWorkspaceAsync();
        var first = await database.Importer.ImportAsync(workspace, Samples.Utf8(text), fileName);
        var afterFirst = await CountAsync(database);
        var second = await database.Importer.ImportAsync(workspace, Samples.Utf8(text), fileName);
        return (first, second, afterFirst, await CountAsync(database));
    }

    private static async Task<StoredCounts> CountAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        return new StoredCounts(await db.Events.CountAsync(), await db.Campaigns.CountAsync(), await db.CampaignLinks.CountAsync(), await db.Recipients.CountAsync());
    }

    public sealed record StoredCounts(int Events, int Campaigns, int Links, int Recipients);

    /// <summary>Gives a few bytes per read, so that records and tokens straddle every buffer boundary.</summary>
    private sealed class TrickleStream(Stream inner) : Stream
    {
        private int _next = 1;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, Step()));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer[..Math.Min(buffer.Length, Step())], cancellationToken);

        private int Step() => _next = _next % 7 + 1;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
