using System.ComponentModel.DataAnnotations;

namespace ClickInsights.Core.Providers;

/// <summary>
/// Where the providers' APIs are and how politely to call them (configuration section <c>ClickInsights:Providers</c>).
/// The defaults are the real hosts. A person adding a connection cannot change them: only configuration can, and a
/// connection's own address (a test server) is used only where <see cref="AllowTestApiAddresses"/> is set.
/// </summary>
public sealed class ProviderOptions
{
    public const string Section = "ClickInsights:Providers";

    /// <summary>
    /// For tests and development only: connections may carry their own API address (a fake provider on loopback) and
    /// plain HTTP is allowed. Off, every call goes over HTTPS to the configured hosts.
    /// </summary>
    public bool AllowTestApiAddresses { get; set; }

    /// <summary>A connection's own API address where allowed, else null (the configured host is used).</summary>
    public string? OwnAddress(Data.ProviderConnection connection) => AllowTestApiAddresses ? connection.BaseUrl : null;

    [Required] public string ConstantContactApi { get; set; } = "https://api.cc.email/v3";
    /// <summary>The OAuth2 authorization server: <c>/authorize</c> and <c>/token</c> live under it.</summary>
    [Required] public string ConstantContactAuth { get; set; } = "https://authz.constantcontact.com/oauth2/default/v1";
    /// <summary><c>{dc}</c> is replaced by the data centre, the API key's suffix after the dash.</summary>
    [Required] public string MailchimpApi { get; set; } = "https://{dc}.api.mailchimp.com/3.0";
    [Required] public string MailgunApi { get; set; } = "https://api.mailgun.net";
    [Required] public string MailgunEuApi { get; set; } = "https://api.eu.mailgun.net";
    [Required] public string PostmarkApi { get; set; } = "https://api.postmarkapp.com";

    /// <summary>How long one HTTP attempt may take.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>First wait of the exponential backoff (with jitter) after a transient error or an HTTP 429.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Retries of a transient error (5xx, 408, network, timeout) before the sync stops.</summary>
    [Range(0, 10)] public int MaxRetries { get; set; } = 3;
    /// <summary>Waits on HTTP 429 ("slow down") before the sync stops and leaves the rest for the next one.</summary>
    [Range(0, 20)] public int MaxThrottleWaits { get; set; } = 6;
    /// <summary>The longest single wait on HTTP 429, whatever Retry-After says.</summary>
    public TimeSpan MaxThrottleWait { get; set; } = TimeSpan.FromMinutes(2);

    [Range(1, 100)] public int ConstantContactRequestsPerSecond { get; set; } = 4;
    [Range(1, 1_000_000)] public int ConstantContactDailyQuota { get; set; } = 10_000;
    [Range(1, 10)] public int MailchimpMaxConcurrency { get; set; } = 10;

    /// <summary>Campaigns sent longer ago than this are not fetched again once they were fetched completely.</summary>
    [Range(1, 3650)] public int RecheckDays { get; set; } = 30;
    /// <summary>How far back the first sync of an event stream (Mailgun, Postmark) reaches.</summary>
    [Range(1, 3650)] public int FirstSyncDays { get; set; } = 30;
    /// <summary>Mailgun indexes events late: the newest events are fetched but fetched again next time.</summary>
    public TimeSpan MailgunNotFinal { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Signed webhook calls older (or further in the future) than this are refused as stale or replayed.</summary>
    public TimeSpan WebhookMaxAge { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>
    /// Mailgun retries a call that failed for 8 hours: its signed calls are accepted that long (a replay is still
    /// refused by its token, and an event stored before is never stored twice).
    /// </summary>
    public TimeSpan MailgunWebhookMaxAge { get; set; } = TimeSpan.FromHours(8.5);
}
