using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

public sealed record ImportProgress(string FileName, long EventsRead, long EventsAdded, long BytesRead, long? TotalBytes, string Stage)
{
    public double? Fraction => TotalBytes is > 0 ? Math.Min(1.0, (double)BytesRead / TotalBytes.Value) : null;
}

public sealed record ImportResult(
    int ImportId,
    string FileName,
    string Format,
    int Campaigns,
    int EventsRead,
    int EventsAdded,
    int DuplicatesSkipped,
    int Clicks,
    TimeSpan Elapsed)
{
    /// <summary>The campaigns that got new events (the ones to classify).</summary>
    public IReadOnlyCollection<int> CampaignIds { get; init; } = [];

    /// <summary>Among <see cref="DuplicatesSkipped"/>: events whose id came earlier in this same file (the file repeats itself; the first is kept).</summary>
    public int RepeatsInFile { get; init; }

    /// <summary>"2 events repeat an id that came earlier in this file (the first of each was kept)", or null.</summary>
    public string? RepeatsNote => RepeatsInFile switch
    {
        0 => null,
        1 => "1 event repeats an id that came earlier in this file (the first was kept).",
        _ => $"{RepeatsInFile:N0} events repeat an id that came earlier in this file (the first of each was kept).",
    };
}


/// <summary>Choices for one import.</summary>
public sealed record ImportOptions
{
    public static ImportOptions Default { get; } = new();

    /// <summary>The columns of a CSV file; null uses the mapping remembered for its header row, or a confident guess.</summary>
    public CsvColumnMapping? CsvMapping { get; init; }

    /// <summary>False stores the events and leaves classification to the caller (see <see cref="ImportResult.CampaignIds"/>).</summary>
    public bool Classify { get; init; } = true;

    /// <summary>The connection the data comes from (a sync or a webhook), kept with the import's record; null for a file.</summary>
    public int? ConnectionId { get; init; }

    /// <summary>Numbers identical records over several files of one report (<see cref="ContentIds.ReadNumberedAsync"/>); null: within the file.</summary>
    public ContentNumbering? Numbering { get; init; }
}

/// <summary>What the first bytes of a file say it is: a JSON format (its reader), a CSV file (its header) or a ZIP archive.</summary>
public sealed record SniffedFile(IEventReader? Reader, CsvHeader? Csv, bool IsArchive, Stream Stream);

/// <summary>One file of an import: its result, or why nothing of it was stored.</summary>
public sealed record ImportOutcome(string FileName, ImportResult? Result, string? Error);

/// <summary>A look at a file before importing it: nothing is stored.</summary>
public sealed record ImportPreview
{
    public required string FileName { get; init; }
    /// <summary>The detected format; null when the file is not one ClickInsights reads (<see cref="Error"/> says why).</summary>
    public string? Format { get; init; }
    public CsvHeader? Csv { get; init; }
    /// <summary>For a CSV file: the mapping that would be used (chosen, remembered or guessed).</summary>
    public CsvColumnMapping? Mapping { get; init; }
    public bool MappingRemembered { get; init; }
    /// <summary>True when a CSV file's columns were guessed from its header and values (nobody chose or confirmed them yet).</summary>
    public bool MappingGuessed { get; init; }
    /// <summary>For a CSV file: what still has to be chosen before it can be read.</summary>
    public IReadOnlyList<string> Unmapped { get; init; } = [];
    public long Events { get; init; }
    public IReadOnlyDictionary<EventType, long> EventsByType { get; init; } = new Dictionary<EventType, long>();
    public IReadOnlyList<string> Campaigns { get; init; } = [];
    /// <summary>The file's campaigns by source and key (<c>source:key</c>), each with its name when the file gives one.</summary>
    public IReadOnlyDictionary<string, string?> CampaignKeys { get; init; } = new Dictionary<string, string?>();
    public string? Error { get; init; }

    public bool NeedsMapping => Error is null && Unmapped.Count > 0;
    public bool CanImport => Error is null && Unmapped.Count == 0;
    public long Clicks => EventsByType.GetValueOrDefault(EventType.Click);
}

/// <summary>What removing an import took away: its events, the campaigns left without any, and the campaigns recomputed.</summary>
public sealed record ImportRemoval(string FileName, int EventsRemoved, int CampaignsRemoved, int CampaignsRecomputed);

/// <summary>A small body (a webhook batch) read into memory and checked, waiting to be stored with others.</summary>
/// <param name="Reader">The reader that read it, to tell one provider's body from another's.</param>
public sealed record ParsedBatch(IReadOnlyList<ImportItem> Items, int Events, string Format, Type Reader);
