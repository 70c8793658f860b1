using System.Text.Json;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Providers;

/// <summary>
/// One provider's way of fetching a connection's data. Each fetched page is imported through
/// <see cref="SyncContext.ImportPageAsync"/>, so it is read, stored and deduplicated exactly like a file.
/// </summary>
public interface IProviderSync
{
    string Provider { get; }

    /// <summary>The provider's limits for this connection's account (pace, concurrency, daily quota).</summary>
    RequestGate CreateGate(SyncContext context);

    /// <summary>Fetches what is new since the last sync; saves its progress with <see cref="SyncContext.SaveStateAsync{T}"/>.</summary>
    Task SyncAsync(SyncContext context, CancellationToken cancellationToken);

    /// <summary>One cheap request that proves the keys work; returns what it found, in a sentence.</summary>
    Task<string> TestAsync(SyncContext context, CancellationToken cancellationToken);
}

/// <summary>What a provider sync works with: the connection, its secrets, its saved state, and the import path.</summary>
public sealed class SyncContext
{
    private static readonly JsonSerializerOptions StateOptions = new(JsonSerializerDefaults.Web);

    private readonly ConnectionService _connections;
    private readonly EventImporter _importer;
    private readonly IDbContextFactory<ClickInsightsDbContext> _dbFactory;
    private readonly Dictionary<string, string> _secrets;
    private readonly Action<string> _report;
    private string? _stateJson;

    internal SyncContext(ProviderConnection connection, Dictionary<string, string> secrets, ConnectionService connections, EventImporter importer,
        IDbContextFactory<ClickInsightsDbContext> dbFactory, ProviderOptions options, TimeProvider time, Action<string> report)
    {
        Connection = connection;
        _secrets = secrets;
        _connections = connections;
        _importer = importer;
        _dbFactory = dbFactory;
        _report = report;
        _stateJson = connection.SyncStateJson;
        Options = options;
        Time = time;
        Settings = JsonMap.Read(connection.SettingsJson);
        Gate = RequestGate.Unlimited(time, ProviderNames.Display(connection.Provider));
    }

    /// <summary>A snapshot of the stored connection (its secrets are in <see cref="Secret"/>).</summary>
    public ProviderConnection Connection { get; }
    public int ConnectionId => Connection.Id;
    public int WorkspaceId => Connection.WorkspaceId;
    public string ProviderName => ProviderNames.Display(Connection.Provider);
    public IReadOnlyDictionary<string, string> Settings { get; }
    public ProviderOptions Options { get; }
    public TimeProvider Time { get; }
    public RequestGate Gate { get; internal set; }
    public DateTime? AccessTokenExpiresAt { get; private set; }

    public int Pages { get; private set; }
    public int EventsRead { get; private set; }
    public int EventsAdded { get; private set; }
    public int Clicks { get; private set; }
    public HashSet<int> CampaignsWithNewEvents { get; } = [];
    internal string? StateJson => _stateJson;

    public string? Secret(string name) => _secrets.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public string? Setting(string name) => Settings.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public string RequiredSecret(string name, string whatToDo) =>
        Secret(name) ?? throw new ProviderException(ProviderProblem.Setup, whatToDo);

    public string RequiredSetting(string name, string whatToDo) =>
        Setting(name) ?? throw new ProviderException(ProviderProblem.Setup, whatToDo);

    /// <summary>Stores new secrets (renewed tokens); a null value removes one.</summary>
    public async Task UpdateSecretsAsync(IReadOnlyDictionary<string, string?> changes, DateTime? accessTokenExpiresAt, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in changes)
        {
            if (value is null)
            {
                _secrets.Remove(name);
            }
            else
            {
                _secrets[name] = value;
            }
        }
        AccessTokenExpiresAt = accessTokenExpiresAt;
        Connection.AccessTokenExpiresAt = accessTokenExpiresAt;
        // Tokens are saved even when the sync is being cancelled: a refresh token may have been used up.
        await _connections.UpdateSecretsAsync(ConnectionId, changes, accessTokenExpiresAt, CancellationToken.None);
    }

    /// <summary>Forgets the sign-in whose refresh token was refused, unless its tokens were replaced meanwhile.</summary>
    public async Task ForgetSignInAsync(string refusedRefreshToken, CancellationToken cancellationToken)
    {
        _secrets.Remove(SecretNames.AccessToken);
        _secrets.Remove(SecretNames.RefreshToken);
        await _connections.ForgetSignInAsync(ConnectionId, refusedRefreshToken, cancellationToken);
    }

    public T LoadState<T>() where T : new() =>
        string.IsNullOrWhiteSpace(_stateJson) ? new T() : JsonSerializer.Deserialize<T>(_stateJson, StateOptions) ?? new T();

    /// <summary>Saves where the sync got to: call it only once what it describes is stored.</summary>
    public async Task SaveStateAsync<T>(T state, CancellationToken cancellationToken)
    {
        _stateJson = JsonSerializer.Serialize(state, StateOptions);
        await _connections.SaveProgressAsync(ConnectionId, _stateJson, Gate.Today, cancellationToken);
    }

    /// <summary>Imports one fetched page exactly as a file of that name would be; classification waits for the sync's end.</summary>
    /// <param name="numbering">Shared by the pages of one report, so that identical records on two pages are numbered over the report.</param>
    public async Task<ImportResult?> ImportPageAsync(byte[] body, string fileName, CancellationToken cancellationToken, ContentNumbering? numbering = null)
    {
        Pages++;
        if (body.Length == 0)
        {
            return null;
        }
        using var stream = new MemoryStream(body, writable: false);
        var result = await _importer.ImportAsync(WorkspaceId, stream, fileName, ImportOptions.Default with { Classify = false, ConnectionId = ConnectionId, Numbering = numbering }, progress: null, cancellationToken);
        EventsRead += result.EventsRead;
        EventsAdded += result.EventsAdded;
        Clicks += result.Clicks;
        CampaignsWithNewEvents.UnionWith(result.CampaignIds);
        return result;
    }

    /// <summary>What the person should know about this fetch (data the provider would not give), added to its summary.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>A page with nothing on it: counted, not imported.</summary>
    public void CountEmptyPage() => Pages++;

    /// <summary>Names a stored campaign after the provider's campaign (pages that only carry ids leave a placeholder name).</summary>
    public async Task NameCampaignAsync(string source, string campaignKey, string name, CancellationToken cancellationToken)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Campaigns
            .Where(c => c.WorkspaceId == WorkspaceId && c.Source == source && c.ExternalId == campaignKey && c.Name != name)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, name), cancellationToken);
    }

    public void Report(string stage) => _report(stage);
}
