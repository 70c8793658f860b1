using System.Security.Cryptography;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Providers;

/// <summary>A connection as the dashboard shows it: never a secret, only which secrets are set.</summary>
public sealed record ConnectionView(
    int Id,
    int WorkspaceId,
    string Provider,
    string Name,
    string? BaseUrl,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlySet<string> SecretsSet,
    bool Enabled,
    int SyncIntervalMinutes,
    DateTime? LastSyncAt,
    string? LastSyncSummary,
    DateTime? LastErrorAt,
    string? LastError,
    int RequestsToday,
    DateTime? AccessTokenExpiresAt,
    DateTime CreatedAt,
    string? WebhookKey = null)
{
    public string ProviderName => ProviderNames.Display(Provider);

    /// <summary>Whether ClickInsights can fetch data itself (it has what the provider's API needs).</summary>
    public bool CanPull => Provider switch
    {
        ProviderNames.ConstantContact => SecretsSet.Contains(SecretNames.RefreshToken) || SecretsSet.Contains(SecretNames.AccessToken),
        ProviderNames.Mailchimp => SecretsSet.Contains(SecretNames.ApiKey),
        ProviderNames.Mailgun => SecretsSet.Contains(SecretNames.ApiKey),
        ProviderNames.Postmark => SecretsSet.Contains(SecretNames.ServerToken),
        _ => false,
    };

    /// <summary>Whether the provider can push events to this connection's webhook address.</summary>
    public bool ReceivesWebhooks => Provider switch
    {
        ProviderNames.SendGrid => Settings.ContainsKey(SettingNames.PublicKey),
        ProviderNames.Mailgun or ProviderNames.Mandrill => SecretsSet.Contains(SecretNames.SigningKey),
        ProviderNames.Postmark or ProviderNames.Brevo => SecretsSet.Contains(SecretNames.WebhookPassword),
        _ => false,
    };

    /// <summary>A Constant Contact connection saved but not (or no longer) signed in.</summary>
    public bool NeedsSignIn => Provider == ProviderNames.ConstantContact && !CanPull;

    public ConnectionHealth Health =>
        NeedsSignIn ? ConnectionHealth.NotSignedIn
        : LastError is not null ? ConnectionHealth.NeedsAttention
        : LastSyncAt is null ? ConnectionHealth.NoDataYet
        : ConnectionHealth.Working;
}

public enum ConnectionHealth
{
    Working,
    NoDataYet,
    NotSignedIn,
    NeedsAttention,
}

/// <summary>What the user entered for a new connection.</summary>
public sealed record ConnectionDraft(int WorkspaceId, string Provider, string Name)
{
    public string? BaseUrl { get; init; }
    public Dictionary<string, string> Settings { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Secrets { get; init; } = new(StringComparer.Ordinal);
    public int SyncIntervalMinutes { get; init; } = 60;
    /// <summary>The webhook key, when its address was shown before saving (Mailchimp Transactional wants the address first); else a new one.</summary>
    public string? WebhookKey { get; init; }
}

/// <summary>
/// Stores connections with their secrets encrypted (<see cref="ISecretProtector"/>). Secrets go in once and come
/// out only to the code that calls the provider; nothing here logs or returns them to a page.
/// </summary>
public sealed class ConnectionService(IDbContextFactory<ClickInsightsDbContext> dbFactory, ISecretProtector protector, TimeProvider time, Microsoft.Extensions.Options.IOptions<ProviderOptions> providerOptions)
{
    public async Task<IReadOnlyList<ConnectionView>> ListAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Connections.AsNoTracking().Where(c => c.WorkspaceId == workspaceId).OrderBy(c => c.Name).ThenBy(c => c.Id).ToListAsync(cancellationToken);
        return rows.Select(View).ToList();
    }

    public async Task<ConnectionView?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        return row is null ? null : View(row);
    }

    public async Task<int> AddAsync(ConnectionDraft draft, CancellationToken cancellationToken = default)
    {
        if (!ProviderNames.All.Contains(draft.Provider))
        {
            throw new ArgumentException($"Unknown provider '{draft.Provider}'.", nameof(draft));
        }
        if (!string.IsNullOrWhiteSpace(draft.BaseUrl) && !providerOptions.Value.AllowTestApiAddresses)
        {
            // Otherwise anyone adding a connection could send its key to any host, or probe the network from the server.
            throw new ArgumentException("Connections use the provider's own API address; it cannot be changed here.", nameof(draft));
        }
        if (draft.BaseUrl is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
        {
            throw new ArgumentException("The API address must be a full URL such as https://api.example.com.", nameof(draft));
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var connection = new ProviderConnection
        {
            WorkspaceId = draft.WorkspaceId,
            Provider = draft.Provider,
            Name = string.IsNullOrWhiteSpace(draft.Name) ? ProviderNames.Display(draft.Provider) : draft.Name.Trim(),
            BaseUrl = string.IsNullOrWhiteSpace(draft.BaseUrl) ? null : draft.BaseUrl.Trim().TrimEnd('/'),
            SettingsJson = JsonMap.Write(draft.Settings.Where(p => !string.IsNullOrWhiteSpace(p.Value)).ToDictionary(p => p.Key, p => p.Value.Trim())),
            ProtectedSecrets = ProtectSecrets(draft.Secrets.Where(p => !string.IsNullOrWhiteSpace(p.Value)).ToDictionary(p => p.Key, p => p.Value.Trim())),
            SyncIntervalMinutes = draft.SyncIntervalMinutes,
            Enabled = draft.SyncIntervalMinutes > 0,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            WebhookKey = IsWebhookKey(draft.WebhookKey) ? draft.WebhookKey : NewWebhookKey(),
        };
        db.Connections.Add(connection);
        await db.SaveChangesAsync(cancellationToken);
        return connection.Id;
    }

    public async Task RemoveAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Connections.Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>How often the background sync runs for the connection; 0 means only when someone presses Sync now.</summary>
    public async Task SetIntervalAsync(int id, int minutes, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Connections.Where(c => c.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.SyncIntervalMinutes, minutes > 0 ? minutes : 60)
            .SetProperty(c => c.Enabled, minutes > 0), cancellationToken);
    }

    /// <summary>The connection with its secrets, for the code that talks to the provider.</summary>
    internal Task<(ProviderConnection Connection, Dictionary<string, string> Secrets)?> LoadAsync(int id, CancellationToken cancellationToken) =>
        LoadWhereAsync(c => c.Id == id, cancellationToken);

    /// <summary>The connection whose webhook address carries this key, with its secrets; null for a key no connection has.</summary>
    internal Task<(ProviderConnection Connection, Dictionary<string, string> Secrets)?> LoadByWebhookKeyAsync(string key, CancellationToken cancellationToken) =>
        LoadWhereAsync(c => c.WebhookKey == key, cancellationToken);

    private async Task<(ProviderConnection Connection, Dictionary<string, string> Secrets)?> LoadWhereAsync(System.Linq.Expressions.Expression<Func<ProviderConnection, bool>> which, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Connections.AsNoTracking().FirstOrDefaultAsync(which, cancellationToken);
        return row is null ? null : (row, UnprotectSecrets(row.ProtectedSecrets));
    }

    /// <summary>Merges secrets into the stored ones (a null value removes one).</summary>
    internal Task UpdateSecretsAsync(int id, IReadOnlyDictionary<string, string?> changes, DateTime? accessTokenExpiresAt, CancellationToken cancellationToken) =>
        ChangeSecretsAsync(id, changes, accessTokenExpiresAt, onlyIf: null, cancellationToken);

    /// <summary>
    /// Forgets the tokens of a sign-in whose refresh token was refused, unless they were replaced meanwhile (the
    /// person signed in again, or another run renewed them): true when they were forgotten.
    /// </summary>
    internal Task<bool> ForgetSignInAsync(int id, string refusedRefreshToken, CancellationToken cancellationToken) =>
        ChangeSecretsAsync(id, new Dictionary<string, string?> { [SecretNames.RefreshToken] = null, [SecretNames.AccessToken] = null }, null,
            onlyIf: stored => stored.GetValueOrDefault(SecretNames.RefreshToken) == refusedRefreshToken, cancellationToken);

    /// <summary>Merges secrets into the stored ones, if the stored ones pass <paramref name="onlyIf"/>: true when they were changed.</summary>
    private async Task<bool> ChangeSecretsAsync(int id, IReadOnlyDictionary<string, string?> changes, DateTime? accessTokenExpiresAt,
        Func<IReadOnlyDictionary<string, string>, bool>? onlyIf, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Connections.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (row is null)
        {
            return false;
        }
        var secrets = UnprotectSecrets(row.ProtectedSecrets);
        if (onlyIf is not null && !onlyIf(secrets))
        {
            return false;
        }
        foreach (var (name, value) in changes)
        {
            if (value is null)
            {
                secrets.Remove(name);
            }
            else
            {
                secrets[name] = value;
            }
        }
        row.ProtectedSecrets = ProtectSecrets(secrets);
        row.AccessTokenExpiresAt = accessTokenExpiresAt;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    internal async Task UpdateSettingAsync(int id, string name, string? value, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Connections.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (row is null)
        {
            return;
        }
        var settings = JsonMap.Read(row.SettingsJson);
        if (value is null)
        {
            settings.Remove(name);
        }
        else
        {
            settings[name] = value;
        }
        row.SettingsJson = JsonMap.Write(settings);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Saves where a sync got to and how many requests it made today.</summary>
    internal async Task SaveProgressAsync(int id, string? syncStateJson, (int Count, DateOnly? Date) requests, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Connections.Where(c => c.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.SyncStateJson, syncStateJson)
            .SetProperty(c => c.RequestsToday, requests.Count)
            .SetProperty(c => c.RequestCountDate, requests.Date), cancellationToken);
    }

    internal async Task RecordOutcomeAsync(int id, bool succeeded, string summary, string? error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (succeeded)
        {
            await db.Connections.Where(c => c.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.LastSyncAt, now)
                .SetProperty(c => c.LastSyncSummary, summary)
                .SetProperty(c => c.LastError, (string?)null)
                .SetProperty(c => c.LastErrorAt, (DateTime?)null), cancellationToken);
        }
        else
        {
            await db.Connections.Where(c => c.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.LastSyncSummary, summary)
                .SetProperty(c => c.LastError, error)
                .SetProperty(c => c.LastErrorAt, now), cancellationToken);
        }
    }

    internal async Task RecordSummaryAsync(int id, string summary, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Connections.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastSyncSummary, summary), cancellationToken);
    }

    /// <summary>
    /// Records a webhook call. A connection that also fetches keeps its fetch's time, summary and error: a call must
    /// neither put off the next fetch nor hide why the last one failed. One that only receives shows the call.
    /// </summary>
    internal async Task RecordWebhookCallAsync(int id, string summary, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken) is not { } connection || View(connection).CanPull)
        {
            return;
        }
        await RecordOutcomeAsync(id, true, summary, null, cancellationToken);
    }

    /// <summary>The ids of enabled connections that can fetch and whose interval has passed since their last sync or failure.</summary>
    internal async Task<IReadOnlyList<int>> DueAsync(CancellationToken cancellationToken) =>
        (await DueConnectionsAsync(cancellationToken)).Select(c => c.Id).ToList();

    /// <summary>Enabled connections that can fetch and whose interval has passed since their last sync or failure.</summary>
    internal async Task<IReadOnlyList<ConnectionView>> DueConnectionsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Connections.AsNoTracking().Where(c => c.Enabled && c.Provider != ProviderNames.SendGrid).ToListAsync(cancellationToken);
        return rows
            .Select(View)
            .Where(c => c.CanPull)
            .Where(c =>
            {
                var last = new[] { c.LastSyncAt, c.LastErrorAt }.Max();
                return last is null || now - last.Value >= TimeSpan.FromMinutes(Math.Max(1, c.SyncIntervalMinutes));
            })
            .ToList();
    }

    private string? ProtectSecrets(IReadOnlyDictionary<string, string> secrets) =>
        JsonMap.Write(secrets) is { } json ? protector.Protect(json) : null;

    private Dictionary<string, string> UnprotectSecrets(string? protectedSecrets)
    {
        if (string.IsNullOrEmpty(protectedSecrets))
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
        try
        {
            return JsonMap.Read(protector.Unprotect(protectedSecrets));
        }
        catch (CryptographicException e)
        {
            throw new ProviderException(ProviderProblem.Setup,
                "The keys of this connection cannot be decrypted any more (the encryption keys stored next to the database were lost or replaced). Remove the connection and add it again.", e);
        }
    }

    private ConnectionView View(ProviderConnection c)
    {
        IReadOnlySet<string> secretNames;
        try
        {
            secretNames = UnprotectSecrets(c.ProtectedSecrets).Keys.ToHashSet(StringComparer.Ordinal);
        }
        catch (ProviderException)
        {
            secretNames = new HashSet<string>();
        }
        return new ConnectionView(c.Id, c.WorkspaceId, c.Provider, c.Name, c.BaseUrl, JsonMap.Read(c.SettingsJson), secretNames, c.Enabled, c.SyncIntervalMinutes,
            c.LastSyncAt, c.LastSyncSummary, c.LastErrorAt, c.LastError,
            c.RequestCountDate == DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime) ? c.RequestsToday : 0,
            c.AccessTokenExpiresAt, c.CreatedAt, c.WebhookKey);
    }

    /// <summary>A new webhook key: 128 random bits as hex.</summary>
    public static string NewWebhookKey() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether the text has the form of a webhook key (<see cref="NewWebhookKey"/>): 32 lower-case hex digits.</summary>
    public static bool IsWebhookKey(string? key) => key is { Length: 32 } && key.All(char.IsAsciiHexDigitLower);
}
