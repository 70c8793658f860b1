namespace ClickInsights.Core.Data;

/// <summary>One sender account: a business, or one customer a support person is looking at.</summary>
public sealed class Workspace
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? SendingDomain { get; set; }
    public bool IsDemo { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The workspace's classifier settings as JSON; null means the defaults.</summary>
    public string? ClassifierSettingsJson { get; set; }
    /// <summary>The user's own scanner catalogue entries (user agents, networks, MX) as JSON.</summary>
    public string? UserCatalogueJson { get; set; }
    /// <summary>A pattern (substring of the URL) that marks the hidden honeypot link of the workspace's emails.</summary>
    public string? HoneypotPattern { get; set; }
    /// <summary>The provider the workspace sends through (constantcontact, mailchimp, sendgrid, mailgun, postmark, brevo).</summary>
    public string? SendingProvider { get; set; }
    /// <summary>A DKIM selector the user gave in addition to the provider's.</summary>
    public string? DkimSelector { get; set; }
    /// <summary>When the sender authentication check first passed (SPF include + aligned DKIM + DMARC).</summary>
    public DateTime? AuthFirstPassedAt { get; set; }
    public DateTime? AuthLastCheckedAt { get; set; }
    /// <summary>The last authentication check's full result as JSON.</summary>
    public string? AuthLastResultJson { get; set; }
}

public sealed class Campaign
{
    public int Id { get; set; }
    public int WorkspaceId { get; set; }
    /// <summary>Where the campaign came from, e.g. <c>sendgrid</c>.</summary>
    public required string Source { get; set; }
    /// <summary>The source's own key for the campaign (single send id, campaign id or category).</summary>
    public required string ExternalId { get; set; }
    public required string Name { get; set; }
    /// <summary>Who gave the campaign the name it has (null: its source named it). A source's name never overwrites a person's.</summary>
    public string? NameGivenBy { get; set; }
    public DateTime? SentAt { get; set; }
    /// <summary>
    /// How many emails went out and were delivered, as a person entered them from the provider's own report, for a
    /// source that does not say (a clicks-only file). Used only while the events hold no sends or deliveries.
    /// </summary>
    public int? SentByHand { get; set; }
    public int? DeliveredByHand { get; set; }
    public string? CountsGivenBy { get; set; }
    /// <summary>The import that first stored the campaign (null for campaigns stored before this was kept): taking that import back removes the campaign if it is left without events.</summary>
    public int? ImportId { get; set; }
    public List<CampaignLink> Links { get; set; } = [];
}

public sealed class CampaignLink
{
    public int Id { get; set; }
    public int CampaignId { get; set; }
    public required string Url { get; set; }
    /// <summary>Position of the link in the email when the source says it (SendGrid <c>url_offset.index</c>).</summary>
    public int? Position { get; set; }
}

public sealed class Recipient
{
    public int Id { get; set; }
    public int WorkspaceId { get; set; }
    public required string Email { get; set; }
    public required string Domain { get; set; }
}

/// <summary>A user-agent string, stored once however many events carry it.</summary>
public sealed class UserAgent
{
    public int Id { get; set; }
    public required string Value { get; set; }
}

public enum EventType
{
    Sent = 0,
    Delivered = 1,
    Open = 2,
    Click = 3,
    Bounce = 4,
    Unsubscribe = 5,
    SpamReport = 6,
    Dropped = 7,
    Deferred = 8,
    /// <summary>Any other event a source reports (kept, never counted).</summary>
    Other = 99,
}

/// <summary>A raw event exactly as imported. Never altered or dropped.</summary>
public sealed class EmailEvent
{
    public long Id { get; set; }
    public int WorkspaceId { get; set; }
    public int CampaignId { get; set; }
    public int RecipientId { get; set; }
    public EventType Type { get; set; }
    /// <summary>UTC time of the event in Unix milliseconds (sortable on every database).</summary>
    public long OccurredAtMs { get; set; }
    public int? LinkId { get; set; }
    public string? Ip { get; set; }
    public int? UserAgentId { get; set; }
    /// <summary>The provider's own machine/bot flag (SendGrid <c>sg_machine_open</c>, Mailgun <c>client-info.bot</c>).</summary>
    public string? ProviderBotFlag { get; set; }
    public required string Source { get; set; }
    /// <summary>The provider's event id, or a content hash when it has none; unique per workspace and source.</summary>
    public required string ExternalId { get; set; }
    /// <summary>64-bit hash of <see cref="Source"/> and <see cref="ExternalId"/>, the key duplicates are found by (a hit is checked against both).</summary>
    public long IdHash { get; set; }
    public int? ImportId { get; set; }
    /// <summary>The original record, as read: <see cref="RawLength"/> bytes at <see cref="RawOffset"/> of the unpacked <see cref="RawBlock"/>.</summary>
    public long? RawBlockId { get; set; }
    public int RawOffset { get; set; }
    public int RawLength { get; set; }

    /// <summary>The <see cref="IdHash"/> of a source and event id: 64-bit FNV-1a over both, one number per stored event instead of its strings.</summary>
    public static long IdHashOf(string source, string externalId)
    {
        ulong hash = 14695981039346656037;
        foreach (var c in source)
        {
            hash = (hash ^ c) * 1099511628211;
        }
        hash = (hash ^ 0x1f) * 1099511628211;
        foreach (var c in externalId)
        {
            hash = (hash ^ c) * 1099511628211;
        }
        return unchecked((long)hash);
    }
}

/// <summary>
/// The raw records of many events, one after another, compressed together (JSON of one export compresses about
/// tenfold). Events point into a block; the records are kept exactly as read.
/// </summary>
public sealed class RawBlock
{
    public long Id { get; set; }
    public int WorkspaceId { get; set; }
    /// <summary>The records' UTF-8 bytes, zlib-compressed when <see cref="Compressed"/>.</summary>
    public required byte[] Data { get; set; }
    /// <summary>False only for records carried over from before blocks existed (one record per block, as it was).</summary>
    public bool Compressed { get; set; } = true;
}

public enum Verdict
{
    Human = 0,
    Suspect = 1,
    Bot = 2,
}

public sealed class ClickVerdict
{
    public long EventId { get; set; }
    public int CampaignId { get; set; }
    public Verdict Verdict { get; set; }
    public int Score { get; set; }
    /// <summary>
    /// The click's reasons: the <see cref="CampaignReasonSet.Index"/> of its campaign's set with the same reasons.
    /// Thousands of clicks share each set, so a verdict row holds four numbers.
    /// </summary>
    public int ReasonSet { get; set; }
}

/// <summary>One combination of reasons that clicks of a campaign were given.</summary>
public sealed class CampaignReasonSet
{
    public int CampaignId { get; set; }
    public int Index { get; set; }
    /// <summary>The reason codes joined by <c>;</c>, for filtering.</summary>
    public required string Codes { get; set; }
    /// <summary>The reasons as indexes into the campaign's <see cref="CampaignReason"/> rows, joined by <c>;</c>.</summary>
    public required string Refs { get; set; }
}

/// <summary>Figures of one campaign, rewritten whenever it is classified, so pages never aggregate raw events.</summary>
public sealed class CampaignSummary
{
    public int CampaignId { get; set; }
    public int Sent { get; set; }
    public int Delivered { get; set; }
    public int Opens { get; set; }
    public int Clicks { get; set; }
    public int UniqueClickers { get; set; }
    public int HumanClicks { get; set; }
    public int SuspectClicks { get; set; }
    public int BotClicks { get; set; }
    public int HumanClickers { get; set; }
    public int Unsubscribes { get; set; }
    /// <summary>Whether <see cref="Delivered"/> (and <see cref="Sent"/>) are the numbers a person entered, the events holding none.</summary>
    public bool DeliveredByHand { get; set; }
    /// <summary>The campaign's first send, if its source has sends (what "Sent" shows when the source gives no send time).</summary>
    public DateTime? FirstSentAt { get; set; }
    /// <summary>The campaign's first event of any kind: when it went out, for a source without sends (clicks only).</summary>
    public DateTime? FirstEventAt { get; set; }
    /// <summary>Signals the classifier could not use for lack of data, joined by <c>;</c>.</summary>
    public string UnavailableSignals { get; set; } = "";
    /// <summary>When the campaign's clicks were classified, and by which classifier version and settings.</summary>
    public DateTime UpdatedAt { get; set; }
    public string ClassifierVersion { get; set; } = "";
    public string SettingsHash { get; set; } = "";
}

public enum OverrideScope
{
    Click = 0,
    Recipient = 1,
    Domain = 2,
}

/// <summary>A person's decision about a click, recipient or domain; wins over the classifier and survives recomputation.</summary>
public sealed class VerdictOverride
{
    public int Id { get; set; }
    public int WorkspaceId { get; set; }
    public OverrideScope Scope { get; set; }
    /// <summary>Event id, recipient email or domain, depending on <see cref="Scope"/>.</summary>
    public required string Key { get; set; }
    public Verdict Verdict { get; set; }
    public string? Note { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Who made (or last changed) the decision: a person's address, or the API token's name; null for decisions older than this.</summary>
    public string? CreatedBy { get; set; }
}

public sealed class ImportRecord
{
    public int Id { get; set; }
    public int WorkspaceId { get; set; }
    public required string FileName { get; set; }
    public required string Format { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public int EventsRead { get; set; }
    public int EventsAdded { get; set; }
    public int DuplicatesSkipped { get; set; }
    public int Clicks { get; set; }
    public int Campaigns { get; set; }
    /// <summary>The connection that fetched or received these events (a sync's page, a webhook's batch); null for a file.</summary>
    public int? ConnectionId { get; set; }
}

/// <summary>The MX gateway of a recipient domain, cached with the record's TTL.</summary>
public sealed class DomainGateway
{
    public required string Domain { get; set; }
    /// <summary>MX hosts, lowest preference first, joined by a space.</summary>
    public string MxHosts { get; set; } = "";
    /// <summary>The gateway named by the catalogue (Microsoft 365, Mimecast, …), or "Unknown".</summary>
    public string Gateway { get; set; } = "Unknown";
    public DateTime CheckedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    /// <summary>Why the lookup could not be made (timeout, SERVFAIL, …), when it could not.</summary>
    public string? Error { get; set; }
}

/// <summary>A CSV column mapping a user chose, remembered for files with the same header row.</summary>
public sealed class CsvMapping
{
    public int Id { get; set; }
    /// <summary>Hash of the normalized header row.</summary>
    public required string HeaderKey { get; set; }
    public required string Headers { get; set; }
    public required string MappingJson { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A workspace's link to a provider account, for pulling campaign data or receiving its webhooks.</summary>
public sealed class ProviderConnection
{
    /// <summary>The secret part of the connection's webhook address (<c>/webhooks/{provider}/{key}</c>): random, so that addresses cannot be guessed or told apart by their answers.</summary>
    public string? WebhookKey { get; set; }

    public int Id { get; set; }
    public int WorkspaceId { get; set; }
    /// <summary>constantcontact, mailchimp, mailgun, postmark, sendgrid, brevo.</summary>
    public required string Provider { get; set; }
    public required string Name { get; set; }
    /// <summary>The API base URL; null means the provider's real host.</summary>
    public string? BaseUrl { get; set; }
    /// <summary>Keys, tokens and signing secrets as JSON, encrypted with ASP.NET Core Data Protection. Never shown again.</summary>
    public string? ProtectedSecrets { get; set; }
    /// <summary>Non-secret settings (account id, domain, client id, …) as JSON.</summary>
    public string? SettingsJson { get; set; }
    /// <summary>Where the last sync stopped, per campaign or stream, as JSON, so the next one fetches only what is new.</summary>
    public string? SyncStateJson { get; set; }
    public bool Enabled { get; set; } = true;
    public int SyncIntervalMinutes { get; set; } = 60;
    public DateTime? AccessTokenExpiresAt { get; set; }
    public DateTime? LastSyncAt { get; set; }
    public string? LastSyncSummary { get; set; }
    public DateTime? LastErrorAt { get; set; }
    /// <summary>The last error in plain words (expired token, wrong key, quota reached, provider down).</summary>
    public string? LastError { get; set; }
    /// <summary>Requests made on <see cref="RequestCountDate"/>, against daily quotas (Constant Contact: 10,000).</summary>
    public int RequestsToday { get; set; }
    public DateOnly? RequestCountDate { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum BreakdownKind
{
    Link = 0,
    Reason = 1,
    Delay = 2,
    Domain = 3,
}

/// <summary>
/// A campaign's clicks broken down by link, reason, time from delivery or recipient domain, written whenever the
/// campaign is classified, so pages of a million-click workspace read a few rows instead of aggregating events.
/// </summary>
public sealed class CampaignBreakdown
{
    public int CampaignId { get; set; }
    public BreakdownKind Kind { get; set; }
    /// <summary>The link id, reason code, delay bucket index or domain.</summary>
    public required string Key { get; set; }
    public int Clicks { get; set; }
    public int HumanClicks { get; set; }
    public int SuspectClicks { get; set; }
    public int BotClicks { get; set; }
    public int Clickers { get; set; }
    public int HumanClickers { get; set; }
}

/// <summary>One distinct reason (code, evidence sentence, weight) of a campaign's verdicts, stored once and
/// referenced by index from every click that has it.</summary>
public sealed class CampaignReason
{
    public int CampaignId { get; set; }
    public int Index { get; set; }
    public required string Code { get; set; }
    public required string Evidence { get; set; }
    public int Weight { get; set; }
}

public enum JobState
{
    Queued = 0,
    Running = 1,
    Done = 2,
    Failed = 3,
}

/// <summary>
/// A piece of background work in the database, so that it runs once whichever instance takes it, and is taken over
/// when the instance running it stops (its lease runs out). <see cref="Jobs.JobQueue"/> claims and finishes them.
/// </summary>
public sealed class BackgroundJob
{
    public long Id { get; set; }
    /// <summary>What to do: <see cref="Jobs.JobKinds"/>.</summary>
    public required string Kind { get; set; }
    /// <summary>What the job is about, for not queueing it twice: "classify:42", "sync-due".</summary>
    public required string Key { get; set; }
    public int? WorkspaceId { get; set; }
    /// <summary>The job's input as JSON (a campaign's id, …).</summary>
    public string? Payload { get; set; }
    public JobState State { get; set; }
    /// <summary>The instance running it (its <c>InstanceName</c>), while it runs.</summary>
    public string? Owner { get; set; }
    /// <summary>Until when the owner holds it; after that another instance takes it over.</summary>
    public DateTime? LeaseUntil { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>Why it failed, in one line.</summary>
    public string? Error { get; set; }
    /// <summary>What it did, in one line for the people of its workspace ("Looked up 40 domains.").</summary>
    public string? Result { get; set; }
    /// <summary>Who asked for it (an email, "local user"); null for the dashboard's own work.</summary>
    public string? RequestedBy { get; set; }
    /// <summary>When someone asked it to stop; its worker stops at the next check and keeps what was done.</summary>
    public DateTime? StopRequestedAt { get; set; }
    /// <summary>Not claimed before this (null: at once): a campaign's classification waits a moment for more webhook batches.</summary>
    public DateTime? RunAfter { get; set; }
}

/// <summary>A signed webhook call's token (its SHA-256), kept while the call's timestamp counts as fresh: a second call with it is a replay.</summary>
public sealed class WebhookToken
{
    public required string Token { get; set; }
    public DateTime Until { get; set; }
}
