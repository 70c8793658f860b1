using ClickInsights.Core.Data;
using ClickInsights.Core.Import;

namespace ClickInsights.Core.Classification;

/// <summary>
/// A campaign's events arranged for the signals: clicks in time order, each recipient's clicks, each recipient's
/// delivery, send and open times, and every distinct user agent and IP address looked up once. Built once per
/// campaign; signals only read it.
/// </summary>
public sealed class CampaignAnalysis
{
    public const long Unknown = long.MinValue;

    private CampaignAnalysis(CampaignInput input, ClassifierEvent[] clicks, int recipientCount)
    {
        Input = input;
        Clicks = clicks;
        RecipientCount = recipientCount;
        ClickRecipient = new int[clicks.Length];
        ClickAgent = new int[clicks.Length];
        ClickLink = new int[clicks.Length];
        ClickNetwork = new NetworkEntry?[clicks.Length];
        ClickNetworkKey = new long[clicks.Length];
        DeliveredAt = Filled(recipientCount);
        SentAt = Filled(recipientCount);
        FirstOpenAt = Filled(recipientCount);
        RecipientDomain = new string[recipientCount];
        RecipientClickStart = new int[recipientCount + 1];
        ClicksByRecipient = new int[clicks.Length];
    }

    public CampaignInput Input { get; }
    /// <summary>The campaign's clicks, by time then input order.</summary>
    public ClassifierEvent[] Clicks { get; }
    /// <summary>Dense recipient index of each click.</summary>
    public int[] ClickRecipient { get; }
    /// <summary>Dense index (0..<see cref="DistinctLinks"/>) of each click's link, for per-link arrays in signals.</summary>
    public int[] ClickLink { get; }
    public int DistinctLinks { get; private set; }
    /// <summary>Index into <see cref="Agents"/> of each click's user agent, or -1.</summary>
    public int[] ClickAgent { get; }
    /// <summary>The catalogue entry of each click's network, if any.</summary>
    public NetworkEntry?[] ClickNetwork { get; }
    /// <summary>Equal for clicks from the same network (catalogued owner, else /16 or /48); 0 without an IP.</summary>
    public long[] ClickNetworkKey { get; }
    /// <summary>Every distinct user agent of the campaign's clicks.</summary>
    public IReadOnlyList<string> Agents => _agents;
    public int RecipientCount { get; }
    /// <summary>Clicks of recipient r are <c>ClicksByRecipient[RecipientClickStart[r]..RecipientClickStart[r+1]]</c>, in time order.</summary>
    public int[] RecipientClickStart { get; }
    public int[] ClicksByRecipient { get; }
    public long[] DeliveredAt { get; }
    public long[] SentAt { get; }
    public long[] FirstOpenAt { get; }
    public string[] RecipientDomain { get; }
    public long CampaignStartMs { get; private set; }
    /// <summary>Distinct links of the email: the source's list, or at least every link somebody clicked.</summary>
    public int LinkCount { get; private set; }
    public bool HasIp { get; private set; }
    public bool HasUserAgent { get; private set; }
    public bool HasDelivery { get; private set; }
    public bool HasSend { get; private set; }
    public bool HasOpens { get; private set; }
    /// <summary>Every click time falls on a whole minute (Constant Contact): sub-minute timing cannot be used.</summary>
    public bool WholeMinuteTimes { get; private set; }

    private readonly List<string> _agents = [];

    public ReadOnlySpan<int> ClicksOf(int recipient) =>
        ClicksByRecipient.AsSpan(RecipientClickStart[recipient], RecipientClickStart[recipient + 1] - RecipientClickStart[recipient]);

    /// <summary>The catalogue's entry for the network a click came from, if any.</summary>
    public NetworkEntry? NetworkOf(int click) => ClickNetwork[click];

    public long NetworkKeyOf(int click) => ClickNetworkKey[click];

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
        var time = Clicks[click].TimeMs;
        foreach (var other in ClicksOf(ClickRecipient[click]))
        {
            if (other != click && Math.Abs(Clicks[other].TimeMs - time) <= windowMs)
            {
                return false;
            }
        }
        return true;
    }

    public static CampaignAnalysis Build(CampaignInput input, NetworkIndex networks)
    {
        var events = input.Events switch
        {
            ClassifierEvent[] array => array,
            List<ClassifierEvent> list => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list),
            var other => other.ToArray(),
        };
        var recipients = new RecipientMap(events);
        int clickCount = 0;
        long minClick = long.MaxValue;
        for (int i = 0; i < events.Length; i++)
        {
            if (events[i].Type == EventType.Click)
            {
                clickCount++;
                minClick = Math.Min(minClick, events[i].TimeMs);
            }
        }

        // Sort clicks by time, ties by input order, through integer keys (much faster than comparing structs).
        var keys = new long[clickCount];
        var order = new int[clickCount];
        int c = 0;
        for (int i = 0; i < events.Length; i++)
        {
            if (events[i].Type == EventType.Click)
            {
                keys[c] = (events[i].TimeMs - minClick) << 24 | (long)c;
                order[c] = i;
                c++;
            }
        }
        if (!IsSorted(keys))
        {
            Array.Sort(keys, order);
        }
        var clicks = new ClassifierEvent[clickCount];
        for (int k = 0; k < clickCount; k++)
        {
            clicks[k] = events[order[k]];
        }

        var analysis = new CampaignAnalysis(input, clicks, recipients.Count);
        long firstEvent = long.MaxValue, firstSend = long.MaxValue;
        for (int i = 0; i < events.Length; i++)
        {
            ref readonly var e = ref events[i];
            var r = recipients.IndexOf(e.RecipientId);
            switch (e.Type)
            {
                case EventType.Delivered:
                    analysis.HasDelivery = true;
                    Earliest(analysis.DeliveredAt, r, e.TimeMs);
                    break;
                case EventType.Open:
                    analysis.HasOpens = true;
                    Earliest(analysis.FirstOpenAt, r, e.TimeMs);
                    break;
                case EventType.Sent when e.TimeMs != NormalizedEvent.UnknownTime:
                    // A record without a time (Mailchimp sent-to) says who was sent the email, not when.
                    analysis.HasSend = true;
                    Earliest(analysis.SentAt, r, e.TimeMs);
                    firstSend = Math.Min(firstSend, e.TimeMs);
                    break;
            }
            if (e.TimeMs != NormalizedEvent.UnknownTime)
            {
                firstEvent = Math.Min(firstEvent, e.TimeMs);
            }
        }
        analysis.CampaignStartMs = input.SentAtMs ?? (firstSend != long.MaxValue ? firstSend : firstEvent == long.MaxValue ? 0 : firstEvent);

        for (int r = 0; r < recipients.Count; r++)
        {
            analysis.RecipientDomain[r] = input.RecipientDomains.TryGetValue(recipients.IdOf(r), out var domain) ? domain : "";
        }

        var agents = new Dictionary<string, int>(StringComparer.Ordinal);
        var links = new Dictionary<int, int>();
        bool wholeMinutes = clickCount > 0;
        var start = analysis.RecipientClickStart;
        for (int i = 0; i < clicks.Length; i++)
        {
            ref readonly var click = ref clicks[i];
            var r = recipients.IndexOf(click.RecipientId);
            analysis.ClickRecipient[i] = r;
            start[r + 1]++;
            if (!links.TryGetValue(click.LinkId, out var link))
            {
                link = links.Count;
                links.Add(click.LinkId, link);
            }
            analysis.ClickLink[i] = link;
            wholeMinutes &= click.TimeMs % 60_000 == 0;
            // Consecutive clicks often share an agent (a scanner's burst): skip the dictionary then.
            if (click.UserAgent is null)
            {
                analysis.ClickAgent[i] = -1;
            }
            else if (i > 0 && analysis.ClickAgent[i - 1] >= 0 && ReferenceEquals(click.UserAgent, clicks[i - 1].UserAgent))
            {
                analysis.ClickAgent[i] = analysis.ClickAgent[i - 1];
            }
            else
            {
                analysis.ClickAgent[i] = Intern(agents, analysis._agents, click.UserAgent);
            }
            if (!string.IsNullOrEmpty(click.Ip))
            {
                analysis.HasIp = true;
                (analysis.ClickNetwork[i], analysis.ClickNetworkKey[i]) = networks.Lookup(click.Ip);
            }
        }
        analysis.HasUserAgent = analysis._agents.Count > 0;
        analysis.DistinctLinks = links.Count;
        analysis.LinkCount = Math.Max(input.KnownLinkCount, links.Count);
        analysis.WholeMinuteTimes = wholeMinutes && clicks.Length >= 3;

        // Counting sort of clicks by recipient keeps each recipient's clicks in time order.
        for (int r = 0; r < recipients.Count; r++)
        {
            start[r + 1] += start[r];
        }
        var fill = start.AsSpan(0, recipients.Count).ToArray();
        for (int i = 0; i < clicks.Length; i++)
        {
            analysis.ClicksByRecipient[fill[analysis.ClickRecipient[i]]++] = i;
        }
        return analysis;
    }

    private static int Intern(Dictionary<string, int> map, List<string> values, string value)
    {
        if (!map.TryGetValue(value, out var index))
        {
            index = values.Count;
            map.Add(value, index);
            values.Add(value);
        }
        return index;
    }

    private static void Earliest(long[] times, int recipient, long time)
    {
        if (times[recipient] == Unknown || time < times[recipient])
        {
            times[recipient] = time;
        }
    }

    private static bool IsSorted(long[] keys)
    {
        for (int i = 1; i < keys.Length; i++)
        {
            if (keys[i] < keys[i - 1])
            {
                return false;
            }
        }
        return true;
    }

    private static long[] Filled(int length)
    {
        var array = new long[length];
        Array.Fill(array, Unknown);
        return array;
    }

    /// <summary>Recipient ids → dense indexes: an array when ids are compact (database ids), else a dictionary.</summary>
    private sealed class RecipientMap
    {
        private readonly int[]? _byId;
        private readonly int _minId;
        private readonly Dictionary<int, int>? _dictionary;
        private readonly List<int> _ids = [];

        public RecipientMap(ReadOnlySpan<ClassifierEvent> events)
        {
            int min = int.MaxValue, max = int.MinValue;
            for (int i = 0; i < events.Length; i++)
            {
                min = Math.Min(min, events[i].RecipientId);
                max = Math.Max(max, events[i].RecipientId);
            }
            if (events.Length > 0 && (long)max - min < 4L * events.Length + 1024)
            {
                _minId = min;
                _byId = new int[max - min + 1];
                Array.Fill(_byId, -1);
                for (int i = 0; i < events.Length; i++)
                {
                    ref var slot = ref _byId[events[i].RecipientId - min];
                    if (slot < 0)
                    {
                        slot = _ids.Count;
                        _ids.Add(events[i].RecipientId);
                    }
                }
            }
            else
            {
                _dictionary = [];
                for (int i = 0; i < events.Length; i++)
                {
                    if (_dictionary.TryAdd(events[i].RecipientId, _ids.Count))
                    {
                        _ids.Add(events[i].RecipientId);
                    }
                }
            }
        }

        public int Count => _ids.Count;

        public int IndexOf(int id) => _byId is not null ? _byId[id - _minId] : _dictionary![id];

        public int IdOf(int index) => _ids[index];
    }
}

/// <summary>
/// The reasons collected for each click of a campaign, with running scores: per click a chain through shared
/// arrays rented from the pool (a campaign of a million clicks would otherwise allocate tens of megabytes each time).
/// </summary>
public sealed class ClickEvidence : IDisposable
{
    private readonly int _clicks;
    private readonly int[] _score;
    private readonly int[] _head;
    private readonly int[] _tail;
    private int[] _next;
    private Reason[] _items;
    private int _count;

    public ClickEvidence(int clickCount)
    {
        _clicks = clickCount;
        _score = Rent<int>(clickCount);
        _head = Rent<int>(clickCount);
        _tail = Rent<int>(clickCount);
        Array.Clear(_score, 0, clickCount);
        Array.Fill(_head, -1, 0, clickCount);
        // Scanner clicks collect four to six reasons; start big enough to rarely grow.
        _next = Rent<int>(Math.Max(1024, clickCount * 4));
        _items = Rent<Reason>(_next.Length);
    }

    public void Add(int click, Reason reason)
    {
        if (_count == _items.Length || _count == _next.Length)
        {
            _items = Grow(_items, _count);
            _next = Grow(_next, _count);
        }
        var slot = _count++;
        _items[slot] = reason;
        _next[slot] = -1;
        if (_head[click] < 0)
        {
            _head[click] = slot;
        }
        else
        {
            _next[_tail[click]] = slot;
        }
        _tail[click] = slot;
        _score[click] += reason.Weight;
    }

    public bool Has(int click, string code)
    {
        for (var slot = _head[click]; slot >= 0; slot = _next[slot])
        {
            if (ReferenceEquals(_items[slot].Code, code) || _items[slot].Code == code)
            {
                return true;
            }
        }
        return false;
    }

    public int ScoreOf(int click) => _score[click];

    /// <summary>Every click's reasons, in the order they were added, each click's as one slice of a single array.</summary>
    public ReasonSet[] Compact()
    {
        var all = new Reason[_count];
        var sets = new ReasonSet[_clicks];
        int at = 0;
        for (int click = 0; click < _clicks; click++)
        {
            int start = at;
            for (var slot = _head[click]; slot >= 0; slot = _next[slot])
            {
                all[at++] = _items[slot];
            }
            sets[click] = new ReasonSet(all, start, at - start);
        }
        return sets;
    }

    public void Dispose()
    {
        System.Buffers.ArrayPool<int>.Shared.Return(_score);
        System.Buffers.ArrayPool<int>.Shared.Return(_head);
        System.Buffers.ArrayPool<int>.Shared.Return(_tail);
        System.Buffers.ArrayPool<int>.Shared.Return(_next);
        // Cleared, so pooled arrays do not keep this campaign's reasons alive.
        System.Buffers.ArrayPool<Reason>.Shared.Return(_items, clearArray: true);
    }

    private static T[] Rent<T>(int length) => System.Buffers.ArrayPool<T>.Shared.Rent(Math.Max(1, length));

    private static T[] Grow<T>(T[] array, int used)
    {
        var bigger = Rent<T>(array.Length * 2);
        Array.Copy(array, bigger, used);
        System.Buffers.ArrayPool<T>.Shared.Return(array, clearArray: RuntimeHelpersIsReference<T>());
        return bigger;
    }

    private static bool RuntimeHelpersIsReference<T>() => System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>();
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
