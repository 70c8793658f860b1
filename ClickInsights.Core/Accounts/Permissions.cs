namespace ClickInsights.Core.Accounts;

/// <summary>What each role may do in a workspace it can see: the one table every page, export and action asks.</summary>
public static class Permissions
{
    public static bool Allows(Role role, Permission permission) => role switch
    {
        Role.Admin or Role.Owner => true,
        Role.Support => permission is Permission.Read or Permission.Decide or Permission.Share or Permission.ExportPeople,
        Role.Viewer => permission is Permission.Read,
        _ => false,
    };

    public static string Describe(Role role) => role switch
    {
        Role.Admin => "admin: every workspace; manages people, roles and connections",
        Role.Support => "support: reads the workspaces assigned, records decisions, makes share links",
        Role.Owner => "owner: everything in the workspace",
        _ => "viewer: reads the workspace",
    };

    public static bool TryParse(string? text, out Role role) =>
        Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role) && !char.IsDigit(text![0]);
}
