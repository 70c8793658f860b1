using ClickInsights.Core.Data;
using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.ConstantContact;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace ClickInsights.Web.Components.Pages.Connections;

public sealed partial class Connections : IDisposable
{
    /// <summary>At most this often a running sync redraws the page.</summary>
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromMilliseconds(300);

    [Inject] private CurrentWorkspace Current { get; set; } = null!;
    [Inject] private ConnectionService ConnectionService { get; set; } = null!;
    [Inject] private Viewer Viewer { get; set; } = null!;
    [Inject] private SyncRunner Runner { get; set; } = null!;
    [Inject] private ClickInsights.Core.Jobs.SyncJob Syncs { get; set; } = null!;
    [Inject] private ConstantContactAuth ConstantContactSignIn { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private TimeProvider Time { get; set; } = null!;

    /// <summary>Set by the Constant Contact callback: the connection just signed in.</summary>
    [SupplyParameterFromQuery(Name = "signedin")] public int? SignedIn { get; set; }
    /// <summary>Set by the Constant Contact callback when the sign-in failed, in plain words.</summary>
    /// <summary>The number of a message the dashboard kept for this page (<see cref="Notices"/>); a made-up one shows nothing.</summary>
    [SupplyParameterFromQuery(Name = "problem")] public string? Problem { get; set; }

    [Inject] private Notices Notices { get; set; } = default!;
    /// <summary>Opens the form for this provider at once (a link a support person can send).</summary>
    [SupplyParameterFromQuery(Name = "add")] public string? Add { get; set; }

    private Workspace? _workspace;
    private IReadOnlyList<ConnectionView> _connections = [];
    private readonly Dictionary<int, SyncOutcome> _tests = [];
    private readonly HashSet<int> _testing = [];
    private bool _loading = true;
    private bool _adding;
    private string? _loadError;
    private string? _showOnce;
    private IDisposable? _subscription;
    private DateTime _lastRefresh;
    private int _refreshQueued;

    protected override async Task OnInitializedAsync()
    {
        Current.Changed += OnWorkspaceChanged;
        _subscription = Runner.Subscribe(OnProgress);
        _adding = Add is { Length: > 0 } provider && ProviderNames.All.Contains(provider);
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        _loadError = null;
        try
        {
            _workspace = await Current.GetAsync();
            _canChange = _workspace is not null && (await Viewer.GetAsync())?.Can(ClickInsights.Core.Accounts.Permission.Connections, _workspace.Id) == true;
            _connections = _workspace is null ? [] : await ConnectionService.ListAsync(_workspace.Id);
        }
        catch (Exception e)
        {
            _loadError = e.Message;
        }
        finally
        {
            _loading = false;
        }
    }

    private void OnWorkspaceChanged() => InvokeAsync(async () =>
    {
        _adding = false;
        _tests.Clear();
        await ReloadAsync();
        StateHasChanged();
    });

    /// <summary>From the runner's thread: redraw, at most every <see cref="RefreshEvery"/>; reload when a sync ends.</summary>
    private void OnProgress(SyncProgress progress)
    {
        if (!_connections.Any(c => c.Id == progress.ConnectionId))
        {
            return;
        }
        if (!progress.Running)
        {
            _ = InvokeAsync(async () =>
            {
                await ReloadAsync();
                StateHasChanged();
            });
            return;
        }
        var wait = _lastRefresh + RefreshEvery - DateTime.UtcNow;
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 1)
        {
            return;
        }
        _ = InvokeAsync(async () =>
        {
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            Interlocked.Exchange(ref _refreshQueued, 0);
            _lastRefresh = DateTime.UtcNow;
            StateHasChanged();
        });
    }

    private void ClearNotices() => Navigation.NavigateTo(Urls.Connections, replace: true);

    private async Task OnSavedAsync((int Id, string? ShowOnce) saved)
    {
        _adding = false;
        _showOnce = saved.ShowOnce;
        await ReloadAsync();
        Snackbar.Add("Connection saved.", Severity.Success);
    }

    /// <summary>Changing a connection is for owners and admins; the server asks before each change.</summary>
    private async Task<bool> MayChangeAsync() =>
        _workspace is not null && await Viewer.AllowsAsync(ClickInsights.Core.Accounts.Permission.Connections, _workspace.Id, Snackbar);

    private bool _canChange;

    private async Task CancelSyncAsync(ConnectionView connection)
    {
        if (await MayChangeAsync())
        {
            // On whichever instance runs it (at once when it is this one).
            Runner.Cancel(connection.Id);
            await Syncs.StopAsync(_workspace!.Id, connection.Id, await Viewer.ActorAsync());
        }
    }

    private async Task SyncNow(ConnectionView connection)
    {
        if (!await MayChangeAsync())
        {
            return;
        }
        _tests.Remove(connection.Id);
        // A background job: it goes on when this page closes, and runs once whichever instance takes it.
        if (!await Syncs.EnqueueAsync(_workspace!.Id, connection.Id, connection.Name, await Viewer.ActorAsync()))
        {
            Snackbar.Add($"“{connection.Name}” is already being fetched.", Severity.Info);
        }
    }

    private async Task TestAsync(ConnectionView connection)
    {
        _testing.Add(connection.Id);
        try
        {
            _tests[connection.Id] = await Runner.TestAsync(connection.Id);
        }
        finally
        {
            _testing.Remove(connection.Id);
        }
    }

    private async Task SignInAsync(ConnectionView connection)
    {
        if (!await MayChangeAsync())
        {
            return;
        }
        try
        {
            var url = await ConstantContactSignIn.StartSignInAsync(connection.Id, Navigation.BaseUri.TrimEnd('/') + Urls.ConstantContactCallback);
            Navigation.NavigateTo(url, forceLoad: true);
        }
        catch (ProviderException e)
        {
            _tests[connection.Id] = new SyncOutcome(false, "", e.Message, e.Problem);
        }
    }

    private async Task SetIntervalAsync(ConnectionView connection, int minutes)
    {
        if (!await MayChangeAsync())
        {
            return;
        }
        await Viewer.AuditAsync(_workspace!.Id, ClickInsights.Core.Accounts.AuditActions.Connection, $"“{connection.Name}” now checks every {minutes} minutes.");
        await ConnectionService.SetIntervalAsync(connection.Id, minutes);
        await ReloadAsync();
    }

    private async Task RemoveAsync(ConnectionView connection)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            $"Remove “{connection.Name}”?",
            $"ClickInsights stops fetching from {connection.ProviderName} and forgets the saved keys. The campaigns and clicks already fetched stay.",
            yesText: "Remove", cancelText: "Keep it");
        if (confirmed != true)
        {
            return;
        }
        if (!await MayChangeAsync())
        {
            return;
        }
        Runner.Cancel(connection.Id);
        await Syncs.StopAsync(_workspace!.Id, connection.Id, await Viewer.ActorAsync());
        await ConnectionService.RemoveAsync(connection.Id);
        await Viewer.AuditAsync(_workspace!.Id, ClickInsights.Core.Accounts.AuditActions.Connection, $"Removed connection “{connection.Name}” ({connection.ProviderName}).");
        _tests.Remove(connection.Id);
        await ReloadAsync();
        Snackbar.Add($"“{connection.Name}” was removed. Its data stays.", Severity.Info);
    }

    public void Dispose()
    {
        Current.Changed -= OnWorkspaceChanged;
        _subscription?.Dispose();
    }
}
