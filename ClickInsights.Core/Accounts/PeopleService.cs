using ClickInsights.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Core.Accounts;

/// <summary>What one person may see and do: their kind, and their role in each workspace they are a member of.</summary>
public sealed record PersonAccess(string Id, string Email, Role Kind, bool AllWorkspaces, IReadOnlyDictionary<int, Role> Memberships)
{
    /// <summary>Everyone, when no account exists yet: the dashboard on one person's own computer.</summary>
    public static PersonAccess Local { get; } = new("", "local user", Role.Admin, true, new Dictionary<int, Role>());

    public bool IsAdmin => Kind == Role.Admin;

    /// <summary>The role in a workspace, or null when the person may not see it at all.</summary>
    public Role? RoleIn(int workspaceId) => Kind switch
    {
        Role.Admin => Role.Admin,
        Role.Support => AllWorkspaces || Memberships.ContainsKey(workspaceId) ? Role.Support : null,
        _ => Memberships.TryGetValue(workspaceId, out var role) ? role : null,
    };

    public bool Can(Permission permission, int workspaceId) => RoleIn(workspaceId) is { } role && Permissions.Allows(role, permission);

    /// <summary>Whether the workspace is open to the person at all (in any role).</summary>
    public bool Sees(int workspaceId) => RoleIn(workspaceId) is not null;
}

public sealed record PersonRow(string Id, string Email, Role Kind, bool AllWorkspaces, IReadOnlyList<(int WorkspaceId, string Workspace, Role Role)> Workspaces, bool LockedOut, DateTime CreatedAt);

/// <summary>A change to people refused, with the reason in words.</summary>
public sealed class PeopleException(string message) : Exception(message);

/// <summary>
/// People and their roles, through ASP.NET Core Identity (passwords hashed, lockout after repeated failures) on the
/// dashboard's own database: used by the People page and by the command line's <c>users</c> commands.
/// </summary>
public sealed class PeopleService(IServiceScopeFactory scopes, IDbContextFactory<ClickInsightsDbContext> dbFactory, TimeProvider time)
{
    private static readonly TimeSpan AdminCheckKeptFor = TimeSpan.FromSeconds(2);
    private (bool Any, DateTimeOffset At)? _anyAdmin;

    /// <summary>
    /// Whether accounts are on: once the first admin exists, everyone signs in. Asked on every request, so kept for
    /// two seconds (an admin added by the command line while the dashboard runs turns accounts on within that time).
    /// </summary>
    public async Task<bool> AccountsOnAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_anyAdmin is { } kept && (kept.Any || now - kept.At < AdminCheckKeptFor))
        {
            return kept.Any;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var any = await db.Users.AnyAsync(p => p.Kind == Role.Admin, cancellationToken);
        _anyAdmin = (any, now);
        return any;
    }

    public async Task<PersonAccess?> AccessAsync(string personId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var person = await db.Users.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, cancellationToken);
        if (person is null)
        {
            return null;
        }
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.PersonId == personId).ToDictionaryAsync(m => m.WorkspaceId, m => m.Role, cancellationToken);
        return new PersonAccess(person.Id, person.Email ?? person.UserName ?? "", person.Kind, person.AllWorkspaces, memberships);
    }

    public async Task<IReadOnlyList<PersonRow>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var people = await db.Users.AsNoTracking().OrderBy(p => p.Email).ToListAsync(cancellationToken);
        var memberships = await (from m in db.Memberships join w in db.Workspaces on m.WorkspaceId equals w.Id select new { m.PersonId, m.WorkspaceId, w.Name, m.Role })
            .AsNoTracking().ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return people.Select(p => new PersonRow(p.Id, p.Email ?? "", p.Kind, p.AllWorkspaces,
            memberships.Where(m => m.PersonId == p.Id).OrderBy(m => m.Name).Select(m => (m.WorkspaceId, m.Name, m.Role)).ToList(),
            p.LockoutEnd is { } end && end > now, p.CreatedAt)).ToList();
    }

    /// <summary>Adds a person. Owners and viewers need a workspace; support without one sees every workspace.</summary>
    public async Task<PersonRow> AddAsync(string email, string password, Role role, int? workspaceId, CancellationToken cancellationToken = default)
    {
        email = ValidEmail(email);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        if (await users.FindByEmailAsync(email) is not null)
        {
            throw new PeopleException($"{email} already has an account. Change their role instead.");
        }
        await CheckWorkspaceAsync(role, workspaceId, cancellationToken);
        var person = new Person
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            Kind = role is Role.Owner or Role.Viewer ? Role.Viewer : role,
            AllWorkspaces = role == Role.Support && workspaceId is null,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            LockoutEnabled = true,
        };
        Check(await users.CreateAsync(person, password));
        await SetMembershipAsync(person.Id, role, workspaceId, cancellationToken);
        _anyAdmin = null;
        return (await ListAsync(cancellationToken)).First(p => p.Id == person.Id);
    }

    /// <summary>Gives a person another role (in a workspace, for owner, viewer or assigned support); their open pages sign in again.</summary>
    public async Task SetRoleAsync(string email, Role role, int? workspaceId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var person = await users.FindByEmailAsync(email.Trim()) ?? throw new PeopleException($"No one has the account {email.Trim()}.");
        await CheckWorkspaceAsync(role, workspaceId, cancellationToken);
        if (person.Kind == Role.Admin && role != Role.Admin)
        {
            await KeepOneAdminAsync(person.Id, cancellationToken);
        }
        var wasSupport = person.Kind == Role.Support;
        person.Kind = role is Role.Owner or Role.Viewer ? Role.Viewer : role;
        person.AllWorkspaces = role == Role.Support && workspaceId is null;
        Check(await users.UpdateAsync(person));
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // A new kind starts from its own workspaces: an admin made a viewer keeps no assignment of old.
            if (role is Role.Admin || role == Role.Support && workspaceId is null || role is Role.Owner or Role.Viewer && wasSupport)
            {
                await db.Memberships.Where(m => m.PersonId == person.Id).ExecuteDeleteAsync(cancellationToken);
            }
        }
        await SetMembershipAsync(person.Id, role, workspaceId, cancellationToken);
        Check(await users.UpdateSecurityStampAsync(person));
        _anyAdmin = null;
    }

    /// <summary>Takes a person out of one workspace.</summary>
    public async Task RemoveFromWorkspaceAsync(string email, int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var person = await users.FindByEmailAsync(email.Trim()) ?? throw new PeopleException($"No one has the account {email.Trim()}.");
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await db.Memberships.Where(m => m.PersonId == person.Id && m.WorkspaceId == workspaceId).ExecuteDeleteAsync(cancellationToken);
        }
        Check(await users.UpdateSecurityStampAsync(person));
    }

    public async Task RemoveAsync(string email, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var person = await users.FindByEmailAsync(email.Trim()) ?? throw new PeopleException($"No one has the account {email.Trim()}.");
        if (person.Kind == Role.Admin)
        {
            await KeepOneAdminAsync(person.Id, cancellationToken);
        }
        Check(await users.DeleteAsync(person));
        _anyAdmin = null;
    }

    /// <summary>An admin sets a new password: the person's sign-ins end everywhere, and a lockout is lifted.</summary>
    public async Task ResetPasswordAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var person = await users.FindByEmailAsync(email.Trim()) ?? throw new PeopleException($"No one has the account {email.Trim()}.");
        // Checked before the old password goes, so that a refused one never leaves the account without any.
        foreach (var validator in users.PasswordValidators)
        {
            Check(await validator.ValidateAsync(users, person, password));
        }
        Check(await users.RemovePasswordAsync(person));
        Check(await users.AddPasswordAsync(person, password));
        await users.SetLockoutEndDateAsync(person, null);
        await users.ResetAccessFailedCountAsync(person);
        Check(await users.UpdateSecurityStampAsync(person));
    }

    public async Task<int?> WorkspaceIdAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trimmed = name.Trim();
        return await db.Workspaces.Where(w => w.Name == trimmed).Select(w => (int?)w.Id).FirstOrDefaultAsync(cancellationToken);
    }

    private async Task SetMembershipAsync(string personId, Role role, int? workspaceId, CancellationToken cancellationToken)
    {
        if (workspaceId is not { } id || role == Role.Admin)
        {
            return;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.PersonId == personId && m.WorkspaceId == id, cancellationToken);
        if (membership is null)
        {
            db.Memberships.Add(new Membership { PersonId = personId, WorkspaceId = id, Role = role });
        }
        else
        {
            membership.Role = role;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task CheckWorkspaceAsync(Role role, int? workspaceId, CancellationToken cancellationToken)
    {
        if (role is Role.Owner or Role.Viewer && workspaceId is null)
        {
            throw new PeopleException($"An {(role == Role.Owner ? "owner" : "viewer")} belongs to one workspace: name it (--workspace NAME).");
        }
        if (workspaceId is { } id)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!await db.Workspaces.AnyAsync(w => w.Id == id, cancellationToken))
            {
                throw new PeopleException($"There is no workspace number {id}.");
            }
        }
    }

    private async Task KeepOneAdminAsync(string personId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Users.AnyAsync(p => p.Kind == Role.Admin && p.Id != personId, cancellationToken))
        {
            throw new PeopleException("This is the only admin. Make someone else an admin first: without one, nobody could manage people.");
        }
    }

    internal static string ValidEmail(string email)
    {
        email = (email ?? "").Trim();
        var at = email.IndexOf('@');
        if (email.Length is 0 or > 254 || at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1
            || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || !email[(at + 1)..].Contains('.'))
        {
            throw new PeopleException($"\"{(email.Length > 80 ? email[..80] + "…" : email)}\" is not an email address (name@example.com).");
        }
        return email;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new PeopleException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
