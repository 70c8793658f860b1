using System.Runtime.CompilerServices;
using System.Text.Json;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Import;

/// <summary>
/// Mailgun events: Events API pages (<c>{"items":[…], "paging":{…}}</c>), webhook bodies
/// (<c>{"signature":{…}, "event-data":{…}}</c>), bare events, arrays or one per line of any of these.
/// Float Unix seconds; <c>client-info.bot</c> is Mailgun's own bot flag.
/// </summary>
public sealed class MailgunReader : IEventReader
{
    public const string SourceName = "mailgun";

    private const string Expected = "Mailgun events: an Events API page ({\"items\":[…]}), webhook bodies ({\"event-data\":{…}}) or events";
    private static readonly string[] PageArrays = ["items"];
    // Keys of a Mailgun event that SendGrid's and Brevo's events do not have.
    private static readonly string[] EventKeys = ["recipient", "log-level", "client-info", "user-variables", "delivery-status", "envelope", "recipient-domain"];

    public string Format => "Mailgun events JSON";

    public bool CanRead(ReadOnlySpan<byte> head)
    {
        var json = ImportJson.ScanHead(head);
        return (json.RootKeys.Contains("items") && json.RootKeys.Contains("paging"))
            || json.AnyRecord(r => r.Contains("event-data")
                || (r.Contains("event") && (r.Contains("timestamp") || r.Contains("@timestamp")) && EventKeys.Any(r.Contains) && !r.Contains("sg_event_id")));
    }

    public async IAsyncEnumerable<ImportItem> ReadAsync(Stream stream, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in ImportJson.ReadRecordsAsync(stream, fileName, Expected, PageArrays, cancellationToken))
        {
            if (!record.IsPageEnd)
            {
                yield return Map(record);
            }
        }
    }

    private static NormalizedEvent Map(JsonRecord record)
    {
        var body = record.Value.RequireObject("a Mailgun event");
        var e = body["event-data"].IsMissing ? body : body["event-data"].RequireObject("the webhook's event data");
        var client = e["client-info"];
        if (!client.IsMissing)
        {
            client.RequireObject("client information");
        }
        var (campaignKey, campaignName) = CampaignOf(e);
        return new NormalizedEvent
        {
            Source = SourceName,
            ExternalId = e["id"].OptionalString() ?? ImportJson.ContentHash(e.Value),
            CampaignKey = campaignKey,
            CampaignName = campaignName,
            Email = e["recipient"].RequiredEmail(),
            Type = e["event"].RequiredString() switch
            {
                "clicked" => EventType.Click,
                "opened" => EventType.Open,
                "delivered" => EventType.Delivered,
                "accepted" => EventType.Sent,
                // Mailgun retries a temporary failure and reports a permanent one when it gives up.
                "failed" when e["severity"].OptionalString() == "temporary" => EventType.Deferred,
                "failed" => EventType.Bounce,
                "unsubscribed" => EventType.Unsubscribe,
                "complained" => EventType.SpamReport,
                _ => EventType.Other,
            },
            // The Events API and webhooks give float Unix seconds; the Logs API that replaces them an ISO "@timestamp".
            OccurredAtMs = e["timestamp"].IsMissing && !e["@timestamp"].IsMissing ? e["@timestamp"].RequiredIsoTime() : e["timestamp"].RequiredUnixTime(),
            Url = e["url"].OptionalString(),
            Ip = e["ip"].OptionalString(),
            UserAgent = client["user-agent"].OptionalString(),
            ProviderBotFlag = BotFlag(client["bot"]),
            Raw = e.Value.GetRawText(),
        };
    }

    /// <summary><c>client-info.bot</c>: apple, gmail, generic, or empty for a person.</summary>
    private static string? BotFlag(LocatedJson bot) => bot.Value.ValueKind switch
    {
        JsonValueKind.True => "mailgun:true",
        JsonValueKind.False => null,
        _ => bot.OptionalString() is { } value ? "mailgun:" + value : null,
    };

    /// <summary>The first campaign's id, else a campaign named in user-variables, else the first tag.</summary>
    private static (string Key, string? Name) CampaignOf(LocatedJson e)
    {
        foreach (var campaign in e["campaigns"].OptionalItems())
        {
            // Campaigns are objects {id, name} in Mailgun's docs; a plain id is read too.
            var id = campaign.Value.ValueKind == JsonValueKind.Object ? campaign["id"].OptionalString() : campaign.OptionalString();
            if (id is not null)
            {
                return (id, campaign.Value.ValueKind == JsonValueKind.Object ? campaign["name"].OptionalString() : null);
            }
        }
        if (ImportJson.CampaignIn(e["user-variables"]) is { } variable)
        {
            return (variable, null);
        }
        var tags = e["tags"];
        if (tags.Value.ValueKind == JsonValueKind.String && tags.OptionalString() is { } single)
        {
            return (single, single);
        }
        foreach (var tag in tags.OptionalItems())
        {
            if (tag.OptionalString() is { } name)
            {
                return (name, name);
            }
        }
        return ("none", "Events without a campaign");
    }
}
