using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;

namespace ClickInsights.Tests.Classification;

/// <summary>Builds a campaign's events in a few readable lines: times are seconds after the send.</summary>
public sealed class CampaignBuilder
{
    public const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36";
    private const long SendMs = 1_780_000_000_000;
    private readonly List<ClassifierEvent> _events = [];
    private readonly Dictionary<int, string> _domains = [];
    private long _nextId = 1;

    public int Links { get; set; } = 5;

    public CampaignBuilder Delivered(int recipient, double atSeconds, string domain = "example.com")
    {
        _domains[recipient] = domain;
        _events.Add(new ClassifierEvent(_nextId++, recipient, EventType.Sent, SendMs, 0, null, null, null));
        _events.Add(new ClassifierEvent(_nextId++, recipient, EventType.Delivered, At(atSeconds), 0, null, null, null));
        return this;
    }

    public long Click(int recipient, double atSeconds, int link, string? ip = "73.20.1.5", string? agent = Browser, string? flag = null)
    {
        var id = _nextId++;
        _events.Add(new ClassifierEvent(id, recipient, EventType.Click, At(atSeconds), link, ip, agent, flag));
        return id;
    }

    public CampaignBuilder Open(int recipient, double atSeconds)
    {
        _events.Add(new ClassifierEvent(_nextId++, recipient, EventType.Open, At(atSeconds), 0, null, null, null));
        return this;
    }

    /// <summary>Sent events only, without deliveries (Constant Contact's sends report).</summary>
    public CampaignBuilder Sent(int recipient, double atSeconds, string domain = "example.com")
    {
        _domains[recipient] = domain;
        _events.Add(new ClassifierEvent(_nextId++, recipient, EventType.Sent, At(atSeconds), 0, null, null, null));
        return this;
    }

    public HashSet<int> Honeypots { get; } = [];

    public CampaignInput Build() => new()
    {
        Events = _events,
        RecipientDomains = _domains,
        KnownLinkCount = Links,
        SentAtMs = SendMs,
        HoneypotLinkIds = Honeypots,
    };

    public static ClassificationResult Classify(CampaignInput input, ClassifierSettings? settings = null) =>
        new ClickClassifier(ScannerCatalogue.Default).Classify(input, settings ?? ClassifierSettings.Default);

    public static long At(double seconds) => SendMs + (long)(seconds * 1000);
}

public static class ResultExtensions
{
    public static ClickResult Of(this ClassificationResult result, long eventId) => result.Clicks.Single(c => c.EventId == eventId);

    public static bool Has(this ClickResult click, string code) => click.Reasons.Any(r => r.Code == code);
}
