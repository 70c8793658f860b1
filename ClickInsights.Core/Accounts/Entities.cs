using Microsoft.AspNetCore.Identity;

namespace ClickInsights.Core.Accounts;

/// <summary>
/// What a person may do. <see cref="Admin"/> and <see cref="Support"/> are a person's kind across workspaces;
/// <see cref="Owner"/> and <see cref="Viewer"/> are what a member is in one workspace.
/// </summary>
public enum Role
{
    /// <summary>Reads one workspace.</summary>
    Viewer = 0,
    /// <summary>Everything in one workspace: imports, settings, connections, decisions, share links, its audit log.</summary>
    Owner = 1,
    /// <summary>Reads the workspaces assigned (or all), records decisions, makes share links.</summary>
    Support = 2,
    /// <summary>Every workspace; manages people, roles and connections.</summary>
    Admin = 3,
}

/// <summary>What a page, an export or an action asks of the person doing it, in one workspace.</summary>
public enum Permission
{
    Read,
    /// <summary>Mark a click, a recipient or a domain as a person or a scanner, and undo it.</summary>
    Decide,
    /// <summary>Make and revoke read-only links for a customer.</summary>
    Share,
    /// <summary>Download lists of recipients and of every click (personal data, beyond the figures a viewer reads).</summary>
    ExportPeople,
    Import,
    Settings,
    Connections,
    DeleteWorkspace,
    Audit,
}

/// <summary>A person who signs in: ASP.NET Core Identity's user, with their kind.</summary>
public sealed class Person : IdentityUser
{
    /// <summary><see cref="Role.Admin"/>, <see cref="Role.Support"/>, or a member (<see cref="Role.Owner"/> / <see cref="Role.Viewer"/>, per workspace in <see cref="Membership"/>).</summary>
    public Role Kind { get; set; }

    /// <summary>For support: every workspace, not only the assigned ones.</summary>
    public bool AllWorkspaces { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A person's place in one workspace: owner or viewer for a member, an assignment for support.</summary>
public sealed class Membership
{
    public int Id { get; set; }
    public required string PersonId { get; set; }
    public int WorkspaceId { get; set; }
    public Role Role { get; set; }
}

/// <summary>A read-only link for a customer: one campaign's report, or a whole workspace's figures.</summary>
public sealed class ShareLink
{
    public int Id { get; set; }
    public int WorkspaceId { get; set; }
    /// <summary>The campaign whose report it opens; null for the workspace's figures.</summary>
    public int? CampaignId { get; set; }
    /// <summary>SHA-256 of the link's secret (hex); the secret itself is shown once, never stored.</summary>
    public required string TokenHash { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastOpenedAt { get; set; }
    public int TimesOpened { get; set; }
}

/// <summary>One thing someone did: who, when, what.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    /// <summary>The workspace it happened in; null for what concerns no one workspace (people, sign-ins with no workspace).</summary>
    public int? WorkspaceId { get; set; }
    public DateTime At { get; set; }
    public required string Actor { get; set; }
    /// <summary>A short code: <c>sign-in</c>, <c>export</c>, <c>decision</c>, … (<see cref="AuditActions"/>).</summary>
    public required string Action { get; set; }
    public required string Detail { get; set; }
}

public static class AuditActions
{
    public const string SignIn = "sign-in";
    public const string SignInFailed = "sign-in failed";
    public const string ShareMade = "share link made";
    public const string ShareOpened = "share link opened";
    public const string ShareRevoked = "share link revoked";
    public const string Export = "export";
    public const string Decision = "decision";
    public const string DecisionUndone = "decision undone";
    public const string SettingsSaved = "settings saved";
    public const string Import = "import";
    public const string ImportRemoved = "import removed";
    public const string Connection = "connection";
    public const string Workspace = "workspace";
    public const string People = "people";
    public const string ApiToken = "api token";
    public const string ApiCall = "api call";
    public const string OutgoingWebhook = "outgoing webhook";
    public const string CampaignRenamed = "campaign renamed";
    public const string SendsEntered = "sends entered";

    public static IReadOnlyList<string> All { get; } =
        [SignIn, SignInFailed, ShareMade, ShareOpened, ShareRevoked, Export, Decision, DecisionUndone, SettingsSaved, Import, ImportRemoved, Connection, Workspace, People, ApiToken, ApiCall, OutgoingWebhook, CampaignRenamed, SendsEntered];
}

/// <summary>
/// A sign-in that was signed out while its cookie would still be valid, kept until it would have expired anyway: a copy
/// of the cookie (another tab, another instance behind the load balancer) opens nothing after it.
/// </summary>
public sealed class SignedOutSession
{
    /// <summary>The session id the sign-in's cookie carries.</summary>
    public required string Session { get; set; }
    public DateTime Until { get; set; }
}
