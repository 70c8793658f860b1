using ClickInsights.Core.Data;

namespace ClickInsights.Core.Classification;

/// <summary>
/// A campaign's events arranged for the signals: clicks in time order, each recipient's clicks, and each
/// recipient's delivery and send times. Built once per campaign; signals only read it.
/// </summary>
public sealed class CampaignAnalysis
{
    public const long Unknown = long.MinValue;

    private CampaignAnalysis(ClassifierEvent[] clicks, int[] clickRecipient, int recipientCount)
    {
        Clicks = clicks;
        ClickRecipient = clickRecipient;
        RecipientCount = recipientCount;
        DeliveredAt = new long[recipientCount];
        SentAt = new long[recipientCount];
        FirstOpenAt = new long[recipientCount];
        Array.Fill(DeliveredAt, Unknown);
        Array.Fill(SentAt, Unknown);
        Array.Fill(FirstOpenAt, Unknown);
        RecipientDomain = new string[recipientCount];
        RecipientClickStart = new int[recipientCount + 1];
        ClicksByRecipient = new int[clicks.Length];
    }

    /// <summary>The campaign's clicks, by time then event id.</summary>
    public ClassifierEvent[] Clicks { get; }
    /// <summary>Dense recipient index of each click.</summary>
    public int[] ClickRecipient { get; }
    public int RecipientCount { get; }
    /// <summary>Clicks of recipient r are <c>ClicksByRecipient[RecipientClickStart[r]..RecipientClickStart[r+1]]</c>, in time order.</summary>
    public int[] RecipientClickStart { get; }
    public int[] ClicksByRecipient { get; }
    public long[] DeliveredAt { get; }
    public long[] SentAt { get; }
    public long[] FirstOpenAt { get; }
    public bool HasOpens { get; private set; }
    public string[] RecipientDomain { get; }
    public long CampaignStartMs { get; private set; }
    /// <summary>Distinct links of the email: the source's list, or at least every link somebody clicked.</summary>
    public int LinkCount { get; private set; }
    public bool HasIp { get; private set; }
    public bool HasUserAgent { get; private set; }
    public bool HasDelivery { get; private set; }
    public bool HasSend { get; private set; }
    /// <summary>Every click time falls on a whole minute (Constant Contact): sub-minute timing cannot be used.</summary>
    public bool WholeMinuteTimes { get; private set; }
    public required CampaignInput Input { get; init; }
    public required Networks Networks { get; init; }

    public ReadOnlySpan<int> ClicksOf(int recipient) =>
        ClicksByRecipient.AsSpan(RecipientClickStart[recipient], RecipientClickStart[recipient + 1] - RecipientClickStart[recipient]);

    /// <summary>The moment a recipient's clicks are timed from: delivery, else send, else the campaign's start.</summary>
    public (long TimeMs, string Label) AnchorOf(int recipient)
    {
        if (DeliveredAt[recipient] != Unknown)
        {
            return (DeliveredAt[recipient], "delivery");
        }
        if (SentAt[recipient] != Unknown)
        {
            return (SentAt[recipient], "send");
        }
        return (CampaignStartMs, Input.SentAtMs is null ? "the campaign's first event" : "send");
    }

    /// <summary>Whether a click is isolated: no other click of the same recipient within the given window.</summary>
    public bool IsIsolated(int click, long windowMs)
    {
        var own = ClicksOf(ClickRecipient[click]);
        var time = Clicks[click].TimeMs;
        foreach (var other in own)
        {
            if (other != click && Math.Abs(Clicks[other].TimeMs - time) <= windowMs)
            {
                return false;
            }
        }
        return true;
    }

    public static CampaignAnalysis Build(CampaignInput input, ScannerCatalogue catalogue)
    {
        var events = input.Events;
        var recipientIndex = new Dictionary<int, int>();
        int clickCount = 0;
        long firstEvent = long.MaxValue;
        long firstSend = long.MaxValue;
        foreach (var e in events)
        {
            if (e.Type == EventType.Click)
            {
                clickCount++;
            }
            if (e.TimeMs == Import.NormalizedEvent.UnknownTime)
            {
                // A record without a time (Mailchimp sent-to) says who was sent the email, not when.
            }
            else if (e.Type == EventType.Sent && e.TimeMs < firstSend)
            {
                firstSend = e.TimeMs;
            }
            else if (e.TimeMs < firstEvent)
            {
                firstEvent = e.TimeMs;
            }
            if (!recipientIndex.ContainsKey(e.RecipientId))
            {
                recipientIndex.Add(e.RecipientId, recipientIndex.Count);
            }
        }

        var clicks = new ClassifierEvent[clickCount];
        int c = 0;
        foreach (var e in events)
        {
            if (e.Type == EventType.Click)
            {
                clicks[c++] = e;
            }
        }
        Array.Sort(clicks, static (a, b) => a.TimeMs != b.TimeMs ? a.TimeMs.CompareTo(b.TimeMs) : a.EventId.CompareTo(b.EventId));

        var clickRecipient = new int[clickCount];
        for (int i = 0; i < clicks.Length; i++)
        {
            clickRecipient[i] = recipientIndex[clicks[i].RecipientId];
        }

        var analysis = new CampaignAnalysis(clicks, clickRecipient, recipientIndex.Count) { Input = input, Networks = new Networks(catalogue) };
        analysis.CampaignStartMs = input.SentAtMs ?? (firstSend != long.MaxValue ? firstSend : (firstEvent == long.MaxValue ? 0 : firstEvent));

        foreach (var e in events)
        {
            var r = recipientIndex[e.RecipientId];
            if (e.Type == EventType.Delivered)
            {
                analysis.HasDelivery = true;
                if (analysis.DeliveredAt[r] == Unknown || e.TimeMs < analysis.DeliveredAt[r])
                {
                    analysis.DeliveredAt[r] = e.TimeMs;
                }
            }
            else if (e.Type == EventType.Open)
            {
                analysis.HasOpens = true;
                if (analysis.FirstOpenAt[r] == Unknown || e.TimeMs < analysis.FirstOpenAt[r])
                {
                    analysis.FirstOpenAt[r] = e.TimeMs;
                }
            }
            else if (e.Type == EventType.Sent && e.TimeMs != Import.NormalizedEvent.UnknownTime)
            {
                analysis.HasSend = true;
                if (analysis.SentAt[r] == Unknown || e.TimeMs < analysis.SentAt[r])
                {
                    analysis.SentAt[r] = e.TimeMs;
                }
            }
        }

        foreach (var (id, r) in recipientIndex)
        {
            analysis.RecipientDomain[r] = input.RecipientDomains.TryGetValue(id, out var domain) ? domain : "";
        }

        // Counting sort of clicks by recipient keeps each recipient's clicks in time order.
        var start = analysis.RecipientClickStart;
        foreach (var r in clickRecipient)
        {
            start[r + 1]++;
        }
        for (int r = 0; r < analysis.RecipientCount; r++)
        {
            start[r + 1] += start[r];
        }
        var fill = start.AsSpan(0, analysis.RecipientCount).ToArray();
        for (int i = 0; i < clicks.Length; i++)
        {
            analysis.ClicksByRecipient[fill[clickRecipient[i]]++] = i;
        }

        var links = new HashSet<int>();
        bool wholeMinutes = clicks.Length > 0;
        foreach (var click in clicks)
        {
            links.Add(click.LinkId);
            analysis.HasIp |= !string.IsNullOrEmpty(click.Ip);
            analysis.HasUserAgent |= click.UserAgent is not null;
            wholeMinutes &= click.TimeMs % 60_000 == 0;
        }
        analysis.LinkCount = Math.Max(input.KnownLinkCount, links.Count);
        analysis.WholeMinuteTimes = wholeMinutes && clicks.Length >= 3;
        return analysis;
    }
}

/// <summary>The reasons collected for each click of a campaign.</summary>
public sealed class ClickEvidence(int clickCount)
{
    private readonly List<Reason>?[] _reasons = new List<Reason>?[clickCount];

    public void Add(int click, Reason reason) => (_reasons[click] ??= new List<Reason>(2)).Add(reason);

    public bool Has(int click, string code)
    {
        var reasons = _reasons[click];
        if (reasons is null)
        {
            return false;
        }
        foreach (var reason in reasons)
        {
            if (reason.Code == code)
            {
                return true;
            }
        }
        return false;
    }

    public int ScoreOf(int click)
    {
        var reasons = _reasons[click];
        if (reasons is null)
        {
            return 0;
        }
        int sum = 0;
        foreach (var reason in reasons)
        {
            sum += reason.Weight;
        }
        return sum;
    }

    public IReadOnlyList<Reason> Of(int click) => _reasons[click] ?? (IReadOnlyList<Reason>)[];
}

/// <summary>One rule of the classifier. Each signal adds reasons to clicks and never reads another signal's reasons
/// unless it runs in a later <see cref="Stage"/>.</summary>
public interface IClickSignal
{
    /// <summary>Signals run by stage; patterns that build on other evidence (domains, persons) run later.</summary>
    int Stage => 0;

    /// <summary>Why this signal cannot be used on this campaign, or null when it can.</summary>
    string? Unavailable(CampaignAnalysis campaign) => null;

    void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence);
}
