using ClickInsights.Core.Accounts;
using ClickInsights.Core.Api;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Cli;

using CliException = CliApp.CliException;

/// <summary><c>tokens add|list|revoke</c>: a workspace's API tokens, through the same service as its Settings page.</summary>
internal static class TokensCommand
{
    public const string Usage = """
          ClickInsights.Cli tokens add NAME --workspace NAME [--write] [--days N] [--db FILE]
              Make an API token for one workspace (read-only unless --write; 90 days unless --days); it is printed once.
          ClickInsights.Cli tokens list --workspace NAME [--db FILE]
          ClickInsights.Cli tokens revoke ID --workspace NAME [--db FILE]
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> words, IReadOnlyDictionary<string, string> options, bool write, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (words.Count == 0)
        {
            throw new CliException("Say what to do: tokens add, list or revoke (--help for usage).");
        }
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddDbContextFactory<ClickInsightsDbContext>(builder => StorageOptions.Configure(builder, CliApp.TargetOf(options.GetValueOrDefault("--db"))));
        services.AddAccounts();
        services.AddSingleton<ApiTokenService>();
        await using var provider = services.BuildServiceProvider();
        await DatabaseMigrator.MigrateAsync(provider.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>(), cancellationToken);
        var name = options.GetValueOrDefault("--workspace") ?? throw new CliException("Name the workspace: --workspace NAME.");
        var workspace = await provider.GetRequiredService<PeopleService>().WorkspaceIdAsync(name, cancellationToken) ?? throw new CliException($"There is no workspace named '{name}'.");
        var tokens = provider.GetRequiredService<ApiTokenService>();
        var actor = $"command line ({Environment.UserName})";
        switch (words[0])
        {
            case "add":
                var days = options.TryGetValue("--days", out var text) ? int.TryParse(text, out var d) ? d : throw new CliException($"--days must be a number of days, not '{text}'.") : 90;
                try
                {
                    var (token, secret) = await tokens.CreateAsync(workspace, words.Count > 1 ? words[1] : throw new CliException("Name the token: what it is for."), write, TimeSpan.FromDays(days), actor, cancellationToken);
                    await provider.GetRequiredService<AuditLog>().RecordAsync(workspace, actor, AuditActions.ApiToken,
                        $"API token \"{token.Name}\" ({token.Prefix}…, {(write ? "read and write" : "read only")}) made, valid until {token.ExpiresAt:yyyy-MM-dd}.", cancellationToken);
                    await stdout.WriteLineAsync(secret);
                    return 0;
                }
                catch (ArgumentException e)
                {
                    throw new CliException(e.Message);
                }
            case "list":
                foreach (var t in await tokens.ListAsync(workspace, cancellationToken))
                {
                    var status = t.RevokedAt is not null ? "revoked" : t.ExpiresAt <= DateTime.UtcNow ? "expired" : "active";
                    await stdout.WriteLineAsync($"{t.Id}\t{t.Name}\t{t.Prefix}…\t{(t.CanWrite ? "read-write" : "read-only")}\t{status}\texpires {t.ExpiresAt:yyyy-MM-dd}\tlast used {(t.LastUsedAt is { } used ? used.ToString("yyyy-MM-dd HH:mm") : "never")}");
                }
                return 0;
            case "revoke":
                if (words.Count < 2 || !int.TryParse(words[1], out var id))
                {
                    throw new CliException("Name the token's number (tokens list shows it).");
                }
                if (!await tokens.RevokeAsync(workspace, id, cancellationToken))
                {
                    throw new CliException($"Workspace '{name}' has no active token {id}.");
                }
                await provider.GetRequiredService<AuditLog>().RecordAsync(workspace, actor, AuditActions.ApiToken, $"API token {id} revoked.", cancellationToken);
                await stdout.WriteLineAsync($"Token {id} revoked.");
                return 0;
            default:
                throw new CliException($"Unknown tokens command '{words[0]}'. Use add, list or revoke.");
        }
    }
}
