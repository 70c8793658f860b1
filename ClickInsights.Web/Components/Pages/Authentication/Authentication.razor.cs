using ClickInsights.Core.Authentication;
using ClickInsights.Core.Reports;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace ClickInsights.Web.Components.Pages.Authentication;

public sealed partial class Authentication : IDisposable
{
    private const string NoProvider = "";

    [Inject] private CurrentWorkspace Current { get; set; } = default!;
    [Inject] private AuthenticationService Auth { get; set; } = default!;
    [Inject] private AuthImpactReport ImpactReport { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private Viewer Viewer { get; set; } = default!;

    private readonly CancellationTokenSource _disposed = new();
    private int _workspaceId;
    private bool _loading = true;
    private string? _error;
    private AuthState? _state;
    private AuthCheckResult? _result;
    private AuthImpact? _impact;

    private string? _domain;
    private string _provider = NoProvider;
    private string? _selector;
    private string? _saveError;
    private bool _canChange;

    private bool _checking;
    private AuthCheckProgress _progress = new(0, 3, "");

    private string? _headers;
    private HeaderAnalysis? _analysis;

    private const string DomainHelp = "The part after the @ in your From address, e.g. yourbusiness.com";

    private string SelectorHelp => SendingProviders.Find(_provider) switch
    {
        null => "The name your provider gave for its DKIM record, before ._domainkey",
        { Selectors.Count: 0 } p => $"Needed for {p.Name}: one of the names before ._domainkey it gave you",
        var p => $"Only if {p.Name} gave you another name than {string.Join(", ", p.Selectors.Select(s => s.Selector))}",
    };

    protected override async Task OnInitializedAsync()
    {
        Current.Changed += OnWorkspaceChanged;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            var workspace = await Current.GetAsync(_disposed.Token);
            _workspaceId = workspace?.Id ?? 0;
            _state = workspace is null ? null : await Auth.LoadAsync(workspace.Id, _disposed.Token);
            _result = _state?.LastResult;
            _domain = _state?.SendingDomain;
            _provider = _state?.Provider ?? NoProvider;
            _selector = _state?.Selector;
            _impact = workspace is null ? null : await ImpactReport.ForWorkspaceAsync(workspace.Id, _disposed.Token);
            _canChange = workspace is not null && (await Viewer.GetAsync(_disposed.Token))?.Can(ClickInsights.Core.Accounts.Permission.Settings, workspace.Id) == true;
            _error = null;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _error = $"Your authentication settings could not be loaded: {e.Message}";
        }
        _loading = false;
    }

    private async Task SaveAndCheckAsync()
    {
        if (!await Viewer.AllowsAsync(ClickInsights.Core.Accounts.Permission.Settings, _workspaceId, Snackbar))
        {
            return;
        }
        _saveError = await Auth.SaveSettingsAsync(_workspaceId, _domain, _provider, _selector, _disposed.Token);
        if (_saveError is not null)
        {
            return;
        }
        _state = await Auth.LoadAsync(_workspaceId, _disposed.Token);
        _domain = _state?.SendingDomain;
        _selector = _state?.Selector;
        _result = _state?.LastResult;
        await CheckAsync();
    }

    private async Task CheckAsync()
    {
        if (_checking || _workspaceId == 0)
        {
            return;
        }
        _checking = true;
        _progress = new AuthCheckProgress(0, 3, "Asking DNS…");
        try
        {
            var progress = new ComponentProgress(this);
            _result = await Auth.CheckAsync(_workspaceId, progress, _disposed.Token);
            _state = await Auth.LoadAsync(_workspaceId, _disposed.Token);
            _impact = await ImpactReport.ForWorkspaceAsync(_workspaceId, _disposed.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _error = $"The check could not be run: {e.Message}";
        }
        finally
        {
            _checking = false;
        }
    }

    private void AnalyzeHeaders() => _analysis = HeaderAnalyzer.Analyze(_headers);

    private async Task CopyAsync(string value)
    {
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", value);
            Snackbar.Add("Copied.", Severity.Success);
        }
        catch (JSException)
        {
            Snackbar.Add("Your browser did not allow copying; select the value and copy it by hand.", Severity.Warning);
        }
    }

    private static string Explain(string key) => key switch
    {
        "spf" => "who may send as you",
        "dkim" => "your signature on every campaign",
        "dmarc" => "what receivers do with forgeries",
        _ => "does the signature carry your own domain",
    };

    private static string Plural(int campaigns) => campaigns == 1 ? "1 campaign" : $"{campaigns} campaigns";

    private void OnWorkspaceChanged() => InvokeAsync(async () =>
    {
        _analysis = null;
        _saveError = null;
        await LoadAsync();
        StateHasChanged();
    });

    public void Dispose()
    {
        Current.Changed -= OnWorkspaceChanged;
        _disposed.Cancel();
        _disposed.Dispose();
    }

    /// <summary>Reports the check's steps on the component's own thread.</summary>
    private sealed class ComponentProgress(Authentication page) : IProgress<AuthCheckProgress>
    {
        public void Report(AuthCheckProgress value) => _ = page.InvokeAsync(() =>
        {
            page._progress = value;
            page.StateHasChanged();
        });
    }
}
