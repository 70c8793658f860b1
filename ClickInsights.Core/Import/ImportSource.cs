using System.IO.Compression;

namespace ClickInsights.Core.Import;

/// <summary>One file to import: a file on disk, or one file inside a ZIP archive, read as a stream.</summary>
public sealed record ImportEntry(string Name, long? Length, Func<Stream> Open);

/// <summary>
/// The files in what a person gave: the file itself, or each file of a ZIP archive (recognized by its content, not its
/// name), streamed from the archive one at a time. Each entry is detected and imported on its own.
/// </summary>
public sealed class ImportSource : IDisposable
{
    private readonly FileStream? _archiveFile;
    private readonly ZipArchive? _archive;

    private ImportSource(string name, IReadOnlyList<ImportEntry> entries, FileStream? archiveFile = null, ZipArchive? archive = null)
    {
        Name = name;
        Entries = entries;
        _archiveFile = archiveFile;
        _archive = archive;
    }

    public string Name { get; }
    public bool IsArchive => _archive is not null;
    public IReadOnlyList<ImportEntry> Entries { get; }

    /// <param name="displayName">The name a person knows the file by (an upload is stored under a temporary name).</param>
    public static ImportSource Open(string path, string? displayName = null)
    {
        var name = displayName ?? Path.GetFileName(path);
        if (!IsZipFile(path))
        {
            return new ImportSource(name, [new ImportEntry(name, new FileInfo(path).Length, () => OpenFile(path))]);
        }
        var file = OpenFile(path);
        try
        {
            // On a seekable file the archive reads its directory from the end and each entry streams from its place.
            var archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false);
            if (archive.Entries.Count > MaxEntries)
            {
                archive.Dispose();
                throw new ImportFormatException(name, "its list of files", $"expected a ZIP archive of at most {MaxEntries:N0} files; this one lists {archive.Entries.Count:N0}");
            }
            var entries = archive.Entries
                .Where(e => !e.FullName.EndsWith('/') && e.Length > 0 && !IsSystemFile(e.FullName))
                .Select(e => new ImportEntry($"{name}/{e.FullName}", e.Length, () => OpenChecked(e, name)))
                .ToList();
            if (entries.Sum(e => e.Length ?? 0) > MaxUnpackedBytes)
            {
                archive.Dispose();
                throw new ImportFormatException(name, "its list of files", $"expected a ZIP archive that unpacks to at most {MaxUnpackedBytes / (1L << 30)} GB; this one says it unpacks to more");
            }
            return new ImportSource(name, entries, file, archive);
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw new ImportFormatException(name, "the end of the file", $"it starts like a ZIP archive but cannot be opened as one ({e.Message.TrimEnd('.')}); is it complete?");
        }
    }

    /// <summary>More files than any provider's export holds (Constant Contact's largest are a few hundred pages).</summary>
    public const int MaxEntries = 10_000;

    /// <summary>What an archive may unpack to in all (the 1.5 million event SendGrid file is about 0.5 GB).</summary>
    public const long MaxUnpackedBytes = 16L << 30;

    /// <summary>Exports compress about 10 to 30 times; a file that claims far more is built to exhaust memory or disk.</summary>
    public const int MaxCompressionRatio = 200;

    /// <summary>
    /// One file of an archive, refused before it is unpacked when it claims an implausible compression, and read
    /// through a stream that stops at its declared size and checks its CRC at the end (a damaged or forged entry
    /// fails as <see cref="InvalidDataException"/>, which refuses that file only).
    /// </summary>
    private static Stream OpenChecked(ZipArchiveEntry entry, string archiveName)
    {
        if (entry.Length > 1 << 20 && entry.Length > (long)MaxCompressionRatio * Math.Max(1, entry.CompressedLength))
        {
            throw new InvalidDataException($"it claims to unpack {entry.CompressedLength:N0} bytes into {entry.Length:N0}, more than {MaxCompressionRatio} times, as no export does");
        }
        return new CheckedEntryStream(entry.Open(), entry.Length, entry.Crc32);
    }

    private sealed class CheckedEntryStream(Stream inner, long declared, uint crc) : Stream
    {
        private long _read;
        private uint _crc = 0xFFFF_FFFF;
        private bool _checked;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => declared;
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            return Account(buffer[..read]);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Account(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Account(ReadOnlySpan<byte> bytes)
        {
            _read += bytes.Length;
            if (_read > declared)
            {
                throw new InvalidDataException($"it unpacks to more than the {declared:N0} bytes its archive declares");
            }
            _crc = Crc32.Update(_crc, bytes);
            if (bytes.Length == 0 && !_checked)
            {
                _checked = true;
                if (_read != declared)
                {
                    throw new InvalidDataException($"it unpacks to {_read:N0} bytes, not the {declared:N0} its archive declares");
                }
                if (~_crc != crc)
                {
                    throw new InvalidDataException("its checksum (CRC-32) does not match its content; the archive is damaged");
                }
            }
            return bytes.Length;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>CRC-32 as ZIP computes it (polynomial 0xEDB88320).</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
        {
            var c = (uint)n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
            return c;
        }).ToArray();

        public static uint Update(uint crc, ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }
            return crc;
        }
    }

    public static bool IsZip(ReadOnlySpan<byte> head) => head.StartsWith("PK\u0003\u0004"u8) || head.StartsWith("PK\u0005\u0006"u8);

    private static bool IsZipFile(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && IsZip(head);
    }

    /// <summary>Folders and files that archivers add (macOS resource forks, Finder and Explorer metadata).</summary>
    private static bool IsSystemFile(string path) =>
        path.StartsWith("__MACOSX/", StringComparison.Ordinal) || Path.GetFileName(path) is ".DS_Store" or "Thumbs.db" or "desktop.ini";

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);

    public void Dispose()
    {
        _archive?.Dispose();
        _archiveFile?.Dispose();
    }
}
