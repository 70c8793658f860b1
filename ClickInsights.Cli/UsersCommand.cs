using ClickInsights.Core.Accounts;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Cli;

using CliException = CliApp.CliException;

/// <summary>
/// <c>users add|list|remove|role</c>: the dashboard's people, through the same service as its People page. The first
/// admin turns accounts on. Passwords are read from standard input, never from the command line (which others can see).
/// </summary>
internal static class UsersCommand
{
    public const string Usage = """
          ClickInsights.Cli users add EMAIL --role admin|support|owner|viewer [--workspace NAME] [--db FILE]
              Add a person; the password is read from standard input. The first admin turns accounts on: from then
              on everyone signs in. Owners and viewers belong to one workspace; support without --workspace sees all.
          ClickInsights.Cli users list [--db FILE]
          ClickInsights.Cli users remove EMAIL [--db FILE]
          ClickInsights.Cli users role EMAIL ROLE [--workspace NAME] [--db FILE]
          ClickInsights.Cli users password EMAIL [--db FILE]
              Set a new password (read from standard input); the person's sign-ins end everywhere.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> words, IReadOnlyDictionary<string, string> options, TextReader stdin, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (words.Count == 0)
        {
            throw new CliException("Say what to do: users add, list, remove, role or password (--help for usage).");
        }
        var path = CliApp.TargetOf(options.GetValueOrDefault("--db"));
        await using var services = Services(path);
        await DatabaseMigrator.MigrateAsync(services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>(), cancellationToken);
        var people = services.GetRequiredService<PeopleService>();
        var audit = services.GetRequiredService<AuditLog>();
        var actor = $"command line ({Environment.UserName})";
        try
        {
            switch (words[0])
            {
                case "list":
                    var rows = await people.ListAsync(cancellationToken);
                    if (rows.Count == 0)
                    {
                        await stdout.WriteLineAsync("No accounts: the dashboard is open to whoever reaches it on this computer. Add an admin to turn accounts on.");
                    }
                    foreach (var p in rows)
                    {
                        var where = p.Kind switch
                        {
                            Role.Admin => "every workspace",
                            Role.Support when p.AllWorkspaces => "every workspace",
                            _ => p.Workspaces.Count == 0 ? "no workspace" : string.Join(", ", p.Workspaces.Select(w => $"{w.Workspace} ({w.Role.ToString().ToLowerInvariant()})")),
                        };
                        await stdout.WriteLineAsync($"{p.Email}\t{(p.Kind is Role.Viewer ? "member" : p.Kind.ToString().ToLowerInvariant())}\t{where}{(p.LockedOut ? "\tlocked out" : "")}");
                    }
                    return 0;
                case "add":
                {
                    var email = Argument(words, 1, "the email address");
                    var role = RoleOption(options.GetValueOrDefault("--role") ?? throw new CliException("Say the role: --role admin|support|owner|viewer."));
                    var workspace = await WorkspaceAsync(people, options.GetValueOrDefault("--workspace"), cancellationToken);
                    var password = await ReadPasswordAsync(stdin);
                    var added = await people.AddAsync(email, password, role, workspace, cancellationToken);
                    await audit.RecordAsync(workspace, actor, AuditActions.People, $"Added {added.Email} as {role.ToString().ToLowerInvariant()}.", cancellationToken);
                    await stdout.WriteLineAsync($"Added {added.Email} as {role.ToString().ToLowerInvariant()}{(workspace is null ? "" : $" of {options["--workspace"]}")}." +
                        (role == Role.Admin ? " Accounts are on: sign in at /signin." : ""));
                    return 0;
                }
                case "remove":
                {
                    var email = Argument(words, 1, "the email address");
                    await people.RemoveAsync(email, cancellationToken);
                    await audit.RecordAsync(null, actor, AuditActions.People, $"Removed {email}.", cancellationToken);
                    await stdout.WriteLineAsync($"Removed {email}; their sign-ins have ended.");
                    return 0;
                }
                case "role":
                {
                    var email = Argument(words, 1, "the email address");
                    var role = RoleOption(Argument(words, 2, "the role (admin, support, owner or viewer)"));
                    var workspace = await WorkspaceAsync(people, options.GetValueOrDefault("--workspace"), cancellationToken);
                    await people.SetRoleAsync(email, role, workspace, cancellationToken);
                    await audit.RecordAsync(workspace, actor, AuditActions.People, $"Made {email} {role.ToString().ToLowerInvariant()}.", cancellationToken);
                    await stdout.WriteLineAsync($"{email} is now {role.ToString().ToLowerInvariant()}{(workspace is null ? "" : $" of {options["--workspace"]}")}.");
                    return 0;
                }
                case "password":
                {
                    var email = Argument(words, 1, "the email address");
                    await people.ResetPasswordAsync(email, await ReadPasswordAsync(stdin), cancellationToken);
                    await audit.RecordAsync(null, actor, AuditActions.People, $"Set a new password for {email}.", cancellationToken);
                    await stdout.WriteLineAsync($"New password set for {email}; their sign-ins have ended.");
                    return 0;
                }
                default:
                    throw new CliException($"Unknown users command '{words[0]}'. Use add, list, remove, role or password.");
            }
        }
        catch (PeopleException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static ServiceProvider Services(string databasePath)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddDbContextFactory<ClickInsightsDbContext>(builder => StorageOptions.Configure(builder, databasePath));
        services.AddAccounts();
        return services.BuildServiceProvider();
    }

    private static string Argument(IReadOnlyList<string> words, int index, string what) =>
        words.Count > index ? words[index] : throw new CliException($"Name {what}.");

    private static Role RoleOption(string text) =>
        Permissions.TryParse(text, out var role) ? role : throw new CliException($"'{text}' is not a role. Use admin, support, owner or viewer.");

    private static async Task<int?> WorkspaceAsync(PeopleService people, string? name, CancellationToken cancellationToken) =>
        name is null ? null : await people.WorkspaceIdAsync(name, cancellationToken) ?? throw new CliException($"There is no workspace named '{name}'.");

    /// <summary>The first line of standard input (typed, or piped by a script).</summary>
    private static async Task<string> ReadPasswordAsync(TextReader stdin)
    {
        if (ReferenceEquals(stdin, Console.In) && !Console.IsInputRedirected)
        {
            Console.Error.Write("Password (at least 10 characters): ");
        }
        var password = (await stdin.ReadLineAsync())?.TrimEnd('\r');
        if (string.IsNullOrEmpty(password))
        {
            throw new CliException("Give the password on standard input, e.g. echo 'a long passphrase' | … users add EMAIL --role admin.");
        }
        return password;
    }
}
