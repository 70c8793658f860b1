using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>What a reader produces: an event, facts about a campaign, or a link of a campaign's email.</summary>
public abstract record ImportItem
{
    public required string Source { get; init; }
    /// <summary>The source's own key for the campaign (single send id, campaign id, campaign activity id, category).</summary>
    public required string CampaignKey { get; init; }
}

/// <summary>A campaign's name and send time, from a source's campaign or report record.</summary>
public sealed record CampaignInfo : ImportItem
{
    public string? Name { get; init; }
    public long? SentAtMs { get; init; }
}

/// <summary>A link of the campaign's email, from a source's link list (Constant Contact links, Mailchimp click-details).</summary>
public sealed record LinkInfo : ImportItem
{
    public required string Url { get; init; }
    public int? Position { get; init; }
}

/// <summary>An event as every reader produces it, whatever the source format.</summary>
public sealed record NormalizedEvent : ImportItem
{
    /// <summary>For <see cref="OccurredAtMs"/>: the source does not say when (Mailchimp sent-to records).</summary>
    public const long UnknownTime = 0;

    /// <summary>The provider's event id, or a hash of the record when it has none.</summary>
    public required string ExternalId { get; init; }
    /// <summary>The campaign's name when the event carries it; null keeps whatever name is known.</summary>
    public string? CampaignName { get; init; }
    public long? CampaignSentAtMs { get; init; }
    public required string Email { get; init; }
    public required EventType Type { get; init; }
    public required long OccurredAtMs { get; init; }
    public string? Url { get; init; }
    public int? LinkPosition { get; init; }
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public string? ProviderBotFlag { get; init; }

    private readonly string? _raw;
    private readonly ReadOnlyMemory<byte> _rawUtf8;

    /// <summary>The original record, as read. A reader sets this or <see cref="RawUtf8"/>.</summary>
    public string Raw
    {
        get => _raw ?? System.Text.Encoding.UTF8.GetString(_rawUtf8.Span);
        init => _raw = value;
    }

    /// <summary>How many bytes the original record holds as UTF-8, without making a copy of it.</summary>
    public int RawByteCount => _raw is null ? _rawUtf8.Length : System.Text.Encoding.UTF8.GetByteCount(_raw);

    /// <summary>The original record as UTF-8 bytes, as read from a UTF-8 file (kept as bytes: it is stored compressed).</summary>
    public ReadOnlyMemory<byte> RawUtf8
    {
        get => _raw is null ? _rawUtf8 : System.Text.Encoding.UTF8.GetBytes(_raw);
        init => _rawUtf8 = value;
    }
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

    IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, string fileName, CancellationToken cancellationToken);
}
