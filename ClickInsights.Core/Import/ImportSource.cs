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
            var entries = archive.Entries
                .Where(e => !e.FullName.EndsWith('/') && e.Length > 0 && !IsSystemFile(e.FullName))
                .Select(e => new ImportEntry($"{name}/{e.FullName}", e.Length, e.Open))
                .ToList();
            return new ImportSource(name, entries, file, archive);
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw new ImportFormatException(name, "the end of the file", $"it starts like a ZIP archive but cannot be opened as one ({e.Message.TrimEnd('.')}); is it complete?");
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
