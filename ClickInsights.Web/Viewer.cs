using System.Security.Claims;
using ClickInsights.Core.Accounts;
using Microsoft.AspNetCore.Components.Authorization;

namespace ClickInsights.Web;

/// <summary>
/// Who is looking, and what they may see and do: the person signed in, or everyone as admin while no account exists
/// (the dashboard on one person's computer). The server asks it on every page, export and action.
/// </summary>
public sealed class Viewer(PeopleService people, IServiceProvider services)
{
    private PersonAccess? _access;
    private bool _resolved;

    /// <summary>The person's access; null when accounts are on and nobody is signed in.</summary>
    public async Task<PersonAccess?> GetAsync(CancellationToken cancellationToken = default)
    {
        if (!_resolved)
        {
            // Who is signed in matters only once accounts are on.
            _access = !await people.AccountsOnAsync(cancellationToken) ? PersonAccess.Local
                : Access.PersonId(await UserAsync()) is { } id ? await people.AccessAsync(id, cancellationToken)
                : null;
            _resolved = true;
        }
        return _access;
    }

    /// <summary>
    /// Whether the person may do this in the workspace, checked on the server before every action (hidden buttons are
    /// not enough). When not, the snackbar says so in words.
    /// </summary>
    public async Task<bool> AllowsAsync(Permission permission, int workspaceId, MudBlazor.ISnackbar? snackbar = null)
    {
        var role = (await GetAsync())?.RoleIn(workspaceId);
        if (role is { } r && Permissions.Allows(r, permission))
        {
            return true;
        }
        snackbar?.Add(role is null ? "This workspace is not open to you." : $"Your role in this workspace ({role.ToString()!.ToLowerInvariant()}) does not allow this. Ask an owner of the workspace.", MudBlazor.Severity.Warning);
        return false;
    }

    /// <summary>Writes what this person did into the workspace's audit log.</summary>
    public async Task AuditAsync(int? workspaceId, string action, string detail) =>
        await services.GetRequiredService<AuditLog>().RecordAsync(workspaceId, await ActorAsync(), action, detail);

    /// <summary>The name written in the audit log for what this person does.</summary>
    public async Task<string> ActorAsync() => (await GetAsync())?.Email ?? "anonymous";

    /// <summary>The request's user while there is one (prerendering, endpoints), else the circuit's.</summary>
    private async Task<ClaimsPrincipal?> UserAsync()
    {
        if (services.GetService<IHttpContextAccessor>()?.HttpContext is { } http && !http.WebSockets.IsWebSocketRequest)
        {
            return http.User;
        }
        try
        {
            return (await services.GetRequiredService<AuthenticationStateProvider>().GetAuthenticationStateAsync()).User;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>Marks a page that shows one entity of a workspace: the workspace is the entity's, read from a route parameter.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class WorkspaceFromAttribute(WorkspaceEntity entity, string parameter) : Attribute
{
    public WorkspaceEntity Entity { get; } = entity;
    public string Parameter { get; } = parameter;
}

public enum WorkspaceEntity
{
    Campaign,
    Click,
    Recipient,
}
