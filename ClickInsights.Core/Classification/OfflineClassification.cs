using ClickInsights.Core.Data;
using ClickInsights.Core.Import;

namespace ClickInsights.Core.Classification;

/// <summary>One classified click, as the CLI and the per-click export write it.</summary>
public sealed record ClickRow(string CampaignId, string Email, string? Url, long ClickedAtMs, Verdict Verdict, int Score, IReadOnlyList<Reason> Reasons, string EventId);

/// <summary>
/// Classifies events read from files without a database: collects them per campaign (duplicates collapsed by
/// event id) and runs the same classifier the dashboard uses.
/// </summary>
public sealed class OfflineClassification
{
    private readonly Dictionary<string, CampaignEvents> _campaigns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _recipients = new(StringComparer.Ordinal);
    private readonly List<string> _emails = [];
    private readonly HashSet<(string Source, string Id)> _seen = [];

    public int Duplicates { get; private set; }
    public int Events { get; private set; }

    public void Add(ImportItem item)
    {
        switch (item)
        {
            case NormalizedEvent e:
                Add(e);
                break;
            case CampaignInfo info:
                CampaignOf(info.CampaignKey).SentAtMs ??= info.SentAtMs;
                break;
            case LinkInfo link:
                LinkOf(CampaignOf(link.CampaignKey), link.Url);
                break;
        }
    }

    private CampaignEvents CampaignOf(string key)
    {
        if (!_campaigns.TryGetValue(key, out var campaign))
        {
            campaign = new CampaignEvents(key);
            _campaigns.Add(key, campaign);
        }
        return campaign;
    }

    private static int LinkOf(CampaignEvents campaign, string url)
    {
        if (!campaign.Links.TryGetValue(url, out var link))
        {
            link = campaign.Links.Count + 1;
            campaign.Links.Add(url, link);
        }
        return link;
    }

    public void Add(NormalizedEvent e)
    {
        if (!_seen.Add((e.Source, e.ExternalId)))
        {
            Duplicates++;
            return;
        }
        Events++;
        var campaign = CampaignOf(e.CampaignKey);
        campaign.SentAtMs ??= e.CampaignSentAtMs;
        if (!_recipients.TryGetValue(e.Email, out var recipient))
        {
            recipient = _emails.Count;
            _recipients.Add(e.Email, recipient);
            _emails.Add(e.Email);
        }
        var link = e.Url is null ? 0 : LinkOf(campaign, e.Url);
        var id = campaign.Events.Count;
        campaign.Events.Add(new ClassifierEvent(id, recipient, e.Type, e.OccurredAtMs, link, e.Ip, e.UserAgent, e.ProviderBotFlag));
        if (e.Type == EventType.Click)
        {
            campaign.ClickIds.Add(id, (e.ExternalId, e.Url));
        }
    }

    public IEnumerable<ClickRow> Classify(ClickClassifier classifier, ClassifierSettings settings)
    {
        foreach (var campaign in _campaigns.Values)
        {
            var domains = new Dictionary<int, string>();
            foreach (var e in campaign.Events)
            {
                if (!domains.ContainsKey(e.RecipientId))
                {
                    domains.Add(e.RecipientId, EventWriter.DomainOf(_emails[e.RecipientId]));
                }
            }
            var result = classifier.Classify(new CampaignInput
            {
                Events = campaign.Events,
                RecipientDomains = domains,
                KnownLinkCount = campaign.Links.Count,
                SentAtMs = campaign.SentAtMs,
            }, settings);
            var byId = result.Clicks.ToDictionary(c => c.EventId);
            // In the order the clicks were read.
            foreach (var (id, (eventId, url)) in campaign.ClickIds)
            {
                var click = byId[id];
                var e = campaign.Events[(int)id];
                yield return new ClickRow(campaign.Key, _emails[e.RecipientId], url, e.TimeMs, click.Verdict, click.Score, click.Reasons, eventId);
            }
        }
    }

    private sealed class CampaignEvents(string key)
    {
        public string Key { get; } = key;
        public long? SentAtMs { get; set; }
        public List<ClassifierEvent> Events { get; } = [];
        public Dictionary<string, int> Links { get; } = new(StringComparer.Ordinal);
        public Dictionary<long, (string EventId, string? Url)> ClickIds { get; } = [];
    }
}
