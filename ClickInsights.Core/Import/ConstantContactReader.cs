using System.Runtime.CompilerServices;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// Constant Contact V3 report pages: per-contact tracking (<c>{"tracking_activities":[…], "_links":{…}}</c> from
/// <c>/reports/email_reports/{id}/tracking/{sends|opens|clicks|…}</c>) and the links report
/// (<c>{"link_click_counts":[…]}</c>). No event ids, IPs or user agents; times are often whole minutes.
/// </summary>
public sealed class ConstantContactReader : IEventReader
{
    public const string SourceName = "constantcontact";

    private const string Expected = "a Constant Contact report page: an object with a \"tracking_activities\" or \"link_click_counts\" array";
    private static readonly string[] PageArrays = ["tracking_activities", "link_click_counts"];

    public string Format => "Constant Contact V3 report JSON";

    public bool CanRead(ReadOnlySpan<byte> head) => ImportJson.ScanHead(head).RootHasAny(PageArrays);

    public async IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The links report may name its campaign after its array, or not at all: its links wait for the page's end.
        var waitingLinks = new List<JsonRecord>();
        await foreach (var record in ImportJson.ReadRecordsAsync(stream, fileName, Expected, PageArrays, cancellationToken))
        {
            if (record.IsPageEnd)
            {
                if (waitingLinks.Count > 0)
                {
                    var campaignKey = LinksCampaignKey(record.Page, fileName);
                    foreach (var link in waitingLinks)
                    {
                        yield return Link(link, campaignKey);
                    }
                    waitingLinks.Clear();
                }
                continue;
            }
            switch (record.Array)
            {
                case "tracking_activities":
                    yield return Activity(record);
                    break;
                case "link_click_counts" when record.Page["campaign_activity_id"].OptionalString() is { } campaignKey:
                    yield return Link(record, campaignKey);
                    break;
                case "link_click_counts":
                    waitingLinks.Add(record);
                    break;
                default:
                    throw record.Value.Error($"expected {Expected}");
            }
        }
    }

    private static NormalizedEvent Activity(JsonRecord record)
    {
        var activity = record.Value.RequireObject("a tracking activity");
        return new NormalizedEvent
        {
            Source = SourceName,
            CampaignKey = activity["campaign_activity_id"].RequiredString(),
            ExternalId = ActivityIdOf(record.Element),
            Email = activity["email_address"].RequiredEmail(),
            Type = TypeOf(activity["tracking_activity_type"].RequiredString()),
            OccurredAtMs = activity["created_time"].RequiredIsoTime(),
            Url = activity["link_url"].OptionalString(),
            Raw = record.Raw,
        };
    }

    /// <summary>
    /// Fields of a tracking activity that describe the contact as it is now, not the event: a name changed or a
    /// contact deleted between two reads of the same report must not make its clicks new ones.
    /// </summary>
    private static readonly HashSet<string> ContactFields = new(StringComparer.Ordinal) { "first_name", "last_name", "deleted_at", "current_email_address" };

    /// <summary>The id of a tracking activity (the reports give none): a hash of the record without the contact's changing fields.</summary>
    internal static string ActivityIdOf(System.Text.Json.JsonElement activity) => ImportJson.ContentHashWithout(activity, ContactFields);

    private static EventType TypeOf(string name) => name switch
    {
        "em_sends" => EventType.Sent,
        "em_opens" => EventType.Open,
        "em_clicks" => EventType.Click,
        "em_bounces" => EventType.Bounce,
        "em_optouts" => EventType.Unsubscribe,
        _ => EventType.Other,
    };

    private static LinkInfo Link(JsonRecord record, string campaignKey)
    {
        var link = record.Value.RequireObject("a link of the links report");
        return new LinkInfo { Source = SourceName, CampaignKey = campaignKey, Url = link["link_url"].RequiredString() };
    }

    private static string LinksCampaignKey(JsonPage page, string fileName) =>
        page["campaign_activity_id"].OptionalString()
        ?? ImportJson.UuidIn(fileName)
        ?? throw new ImportFormatException(fileName, page.Path,
            "expected the campaign activity the links belong to: the links report does not name it, so add a top-level \"campaign_activity_id\" field or put the campaign activity id (a UUID) in the file name");
}
