using ClickInsights.Core.Data;

namespace ClickInsights.Core.Classification;

/// <summary>One event of a campaign as the classifier sees it.</summary>
public readonly record struct ClassifierEvent(
    long EventId,
    int RecipientId,
    EventType Type,
    long TimeMs,
    int LinkId,
    string? Ip,
    string? UserAgent,
    string? ProviderBotFlag);

/// <summary>Everything the classifier needs about one campaign.</summary>
public sealed class CampaignInput
{
    /// <summary>All the campaign's events, in any order.</summary>
    public required IReadOnlyList<ClassifierEvent> Events { get; init; }
    /// <summary>Recipient id → domain.</summary>
    public IReadOnlyDictionary<int, string> RecipientDomains { get; init; } = new Dictionary<int, string>();
    /// <summary>How many links the email has when the source says so; 0 when unknown (inferred from clicks).</summary>
    public int KnownLinkCount { get; init; }
    public long? SentAtMs { get; init; }
    public IReadOnlySet<int> HoneypotLinkIds { get; init; } = new HashSet<int>();
}

/// <summary>One piece of evidence: a code, a sentence a person can read, and its weight in the score.</summary>
public sealed record Reason(string Code, string Evidence, int Weight);

/// <summary>A click's verdict. A struct, with its reasons a slice of one shared array: a campaign of a million
/// clicks then costs a few large arrays instead of millions of small objects.</summary>
public readonly record struct ClickResult(long EventId, int RecipientId, Verdict Verdict, int Score, ReasonSet Reasons);

/// <summary>The reasons of one click: a read-only slice of an array.</summary>
public readonly struct ReasonSet(Reason[] items, int start, int count) : IReadOnlyList<Reason>
{
    public static ReasonSet Of(Reason[] items) => new(items, 0, items.Length);

    public int Count => count;

    public Reason this[int index] => (uint)index < (uint)count ? items[start + index] : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<Reason> GetEnumerator()
    {
        for (int i = 0; i < count; i++)
        {
            yield return items[start + i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public Reason[] ToArray() => items.AsSpan(start, count).ToArray();
}

/// <param name="Clicks">One verdict per click, in the order of <see cref="Campaign"/>'s clicks.</param>
public sealed record ClassificationResult(IReadOnlyList<ClickResult> Clicks, IReadOnlyList<string> UnavailableSignals, CampaignAnalysis Campaign);
