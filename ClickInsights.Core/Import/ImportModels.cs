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
}
