using ClickInsights.Core.Api;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Reports;

namespace ClickInsights.Web.Api;

/// <summary>The REST API's settings (<c>ClickInsights:Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "ClickInsights:Api";

    /// <summary>Calls a minute per token; beyond, <c>429</c> with <c>Retry-After</c>.</summary>
    public int RequestsPerMinute { get; set; } = 300;

    /// <summary>How often the sender looks for webhook deliveries that are due.</summary>
    public TimeSpan WebhookPollEvery { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The wait after a delivery's first failure; it doubles with each further one (at most an hour).</summary>
    public TimeSpan WebhookRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts before a delivery is given up (it stays in the log).</summary>
    public int WebhookMaxAttempts { get; set; } = 8;

    /// <summary>Tests only: lets webhook addresses be plain http and on loopback or private networks.</summary>
    public bool AllowTestWebhookAddresses { get; set; }
}

public sealed record WorkspaceDto(int Id, string Name);

/// <summary>
/// A campaign's figures, named as in the CLI's <c>summary</c>: people are distinct recipients, clicks are events.
/// <see cref="DeliveredByHand"/>: the delivered count was entered by a person (a campaign of clicks only), not imported.
/// </summary>
public sealed record CampaignDto(
    int Id,
    string ProviderId,
    string Name,
    string Source,
    DateTime? SentAt,
    int Delivered,
    bool DeliveredByHand,
    int ReportedClickers,
    int PeopleClickers,
    double? ReportedClickRate,
    double? RealClickRate,
    int ReportedClicks,
    int HumanClicks,
    int SuspectClicks,
    int BotClicks)
{
    public static CampaignDto Of(CampaignRow c, string providerId) => new(c.Id, providerId, c.Name, c.Source, c.SentAt, c.Delivered, c.DeliveredByHand, c.UniqueClickers,
        c.HumanClickers, Round(c.RawClickRate), Round(c.RealClickRate), c.Clicks, c.HumanClicks, c.SuspectClicks, c.BotClicks);

    private static double? Round(double? rate) => rate is { } r ? Math.Round(r, 4) : null;
}

public sealed record ReasonDto(string Code, string Evidence, int Weight);

public sealed record ClickDto(long Id, string Recipient, string Domain, string? Url, DateTime ClickedAt, string? Ip, string? UserAgent, string Verdict, int Score, IReadOnlyList<ReasonDto> Reasons)
{
    public static ClickDto Of(ClickListItem c) => new(c.EventId, c.Email, c.Domain, c.Url, c.ClickedAt, c.Ip, c.UserAgent, WebhookOutbox.Name(c.Verdict), c.Score,
        c.Reasons.Select(r => new ReasonDto(r.Code, r.Evidence, r.Weight)).ToList());
}

/// <summary>A page of clicks; <see cref="Next"/> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record ClickPageDto(IReadOnlyList<ClickDto> Items, string? Next);

public sealed record RecipientDto(string Email, string Domain, int Clicks, int HumanClicks, int SuspectClicks, int BotClicks, string ClickedAs);

public sealed record DomainDto(string Domain, int Recipients, int ReportedClickers, int PeopleClickers, int Clicks, int HumanClicks, int SuspectClicks, int BotClicks, string? Gateway);

public sealed record ImportSummaryDto(int Files, int FilesRefused, int Campaigns, long EventsRead, long EventsAdded, long Duplicates, long Clicks);

/// <summary>An import sent through the API: <c>queued</c>, <c>running</c>, <c>done</c> or <c>failed</c>.</summary>
public sealed record ImportStatusDto(string Id, string Status, string FileName, DateTime ReceivedAt, DateTime? FinishedAt, ImportSummaryDto? Summary, IReadOnlyList<string> Errors);

public sealed record ImportRecordDto(int Id, string FileName, string Format, DateTime StartedAt, DateTime? FinishedAt, int EventsRead, int EventsAdded, int Duplicates, int Clicks, int Campaigns);

public sealed record DecisionDto(int Id, string Scope, string Key, string Verdict, string? Note, DateTime CreatedAt);

public sealed record DecisionRequest(string? Scope, string? Key, string? Verdict, string? Note);

public sealed record SettingsDto(IReadOnlyDictionary<string, double> Classifier, string? HoneypotPattern);

public static class ApiNames
{
    public static string Scope(ClickInsights.Core.Data.OverrideScope scope) => scope.ToString().ToLowerInvariant();

    public static bool TryVerdict(string? text, out Verdict verdict)
    {
        verdict = text?.Trim().ToLowerInvariant() switch
        {
            "human" or "person" => Verdict.Human,
            "suspect" => Verdict.Suspect,
            "bot" or "scanner" => Verdict.Bot,
            _ => (Verdict)(-1),
        };
        return Enum.IsDefined(verdict);
    }
}

/// <summary>Times in the API are UTC, written with their Z (SQLite gives them back without a kind).</summary>
public sealed class UtcDateTimeConverter : System.Text.Json.Serialization.JsonConverter<DateTime>
{
    public override DateTime Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        reader.GetDateTime().ToUniversalTime();

    public override void Write(System.Text.Json.Utf8JsonWriter writer, DateTime value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue((value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
