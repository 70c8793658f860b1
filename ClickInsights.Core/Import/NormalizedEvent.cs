using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>An event as every reader produces it, whatever the source format.</summary>
public sealed record NormalizedEvent
{
    public required string Source { get; init; }
    /// <summary>The provider's event id, or a hash of the record when it has none.</summary>
    public required string ExternalId { get; init; }
    public required string CampaignKey { get; init; }
    public required string CampaignName { get; init; }
    public long? CampaignSentAtMs { get; init; }
    public required string Email { get; init; }
    public required EventType Type { get; init; }
    public required long OccurredAtMs { get; init; }
    public string? Url { get; init; }
    public int? LinkPosition { get; init; }
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public string? ProviderBotFlag { get; init; }
    public required string Raw { get; init; }
}

/// <summary>A file that cannot be read: names the file, where, and what was expected there.</summary>
public sealed class ImportFormatException(string fileName, string position, string problem)
    : Exception($"{fileName}: {problem} (at {position}). Nothing from this file was stored.")
{
    public string FileName { get; } = fileName;
    public string Position { get; } = position;
    public string Problem { get; } = problem;
}

/// <summary>Reads one format of provider export into normalized events, streaming.</summary>
public interface IEventReader
{
    string Format { get; }

    /// <summary>Whether the first bytes of a file look like this format.</summary>
    bool CanRead(ReadOnlySpan<byte> head);

    IAsyncEnumerable<NormalizedEvent> ReadAsync(Stream stream, string fileName, CancellationToken cancellationToken);
}
