namespace ClickInsights.Core.Api;

/// <summary>A key to the REST API for one workspace, made by an owner or admin. Only its SHA-256 is stored.</summary>
public sealed class ApiToken
{
    public int Id { get; set; }
    public int WorkspaceId { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the whole token (hex); the token itself is shown once, when made.</summary>
    public required string TokenHash { get; set; }
    /// <summary>The token's first characters, to tell tokens apart in a list ("ci_Ab3d…").</summary>
    public required string Prefix { get; set; }
    /// <summary>False: reads only; true: may also upload imports, make and undo decisions and change settings.</summary>
    public bool CanWrite { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>An address of the workspace's that receives its classification events (signed JSON batches).</summary>
public sealed class WebhookSubscription
{
    public int Id { get; set; }
    public int WorkspaceId { get; set; }
    public required string Url { get; set; }
    /// <summary>The signing secret, encrypted at rest (shown once when made; needed to sign every delivery).</summary>
    public required string ProtectedSecret { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One batch for one subscription: stored with the classification that caused it, sent and retried from here.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public int SubscriptionId { get; set; }
    public int WorkspaceId { get; set; }
    /// <summary><c>click.classified</c>, <c>campaign.reclassified</c> or <c>test</c>.</summary>
    public required string EventType { get; set; }
    public required string Payload { get; set; }
    public DateTime CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    /// <summary>Set when the last attempt was made and no further one will be.</summary>
    public DateTime? GaveUpAt { get; set; }
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }
}
