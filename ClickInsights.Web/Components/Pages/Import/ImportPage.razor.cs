using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace ClickInsights.Web.Components.Pages.Import;

/// <summary>
/// Upload, check and import provider exports. The work lives in the person's <see cref="ImportRunner"/> for the
/// workspace (from <see cref="ImportDesk"/>), so it goes on when the person navigates away and nobody else sees their
/// files; this page only shows the runner's state and passes on what the person chose. Others' long work in the
/// workspace shows in the layout's activity bar.
/// </summary>
public sealed partial class ImportPage : IDisposable
{
    [Inject] private ImportDesk Desk { get; set; } = default!;
    [Inject] private EventImporter Importer { get; set; } = default!;
    [Inject] private ClickInsights.Core.Jobs.ImportRemovalJob Removals { get; set; } = default!;
    [Inject] private ClickInsights.Core.Jobs.JobQueue Jobs { get; set; } = default!;
    [Inject] private ClickInsights.Core.WorkspaceActivity Activity { get; set; } = default!;
    [Inject] private CurrentWorkspace Current { get; set; } = default!;
    [Inject] private Viewer Viewer { get; set; } = default!;
    [Inject] private MudBlazor.IDialogService Dialogs { get; set; } = default!;
    [Inject] private MudBlazor.ISnackbar Snackbar { get; set; } = default!;

    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<string> _editing = [];
    private IDisposable? _subscription;
    private ImportState _state = ImportState.Empty;
    private Workspace? _workspace;
    private IReadOnlyList<ImportRecord>? _history;
    private ImportStage _shownStage;
    private string? _localError;
    private bool _interactive;
    private bool _canImport;
    private ImportRunner? _runner;

    /// <summary>The person's runner for the workspace shown (bound in <see cref="LoadAsync"/>, before the first render).</summary>
    private ImportRunner Runner => _runner ?? throw new InvalidOperationException("The import page has no workspace yet.");

    private string ImportButtonText
    {
        get
        {
            var count = _state.Importable.Count();
            var total = _state.Files.Count;
            return count == total ? (count == 1 ? "Import" : $"Import {count} files")
                : $"Import {count} of {total} files";
        }
    }

    protected override async Task OnInitializedAsync()
    {
        Current.Changed += OnWorkspaceChanged;
        await LoadAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        // Only runs once the page is interactive (never while prerendering).
        if (firstRender)
        {
            _interactive = true;
            StateHasChanged();
        }
    }


    /// <summary>Takes back an earlier import, after saying what goes and how to get it back.</summary>
    private async Task RemoveAsync(ImportRecord record)
    {
        if (_workspace is null || !await Viewer.AllowsAsync(ClickInsights.Core.Accounts.Permission.Import, _workspace.Id, Snackbar))
        {
            return;
        }
        if (Desk.WhyNotRemove(_workspace.Id) is { } busy)
        {
            Snackbar.Add(busy, MudBlazor.Severity.Info);
            return;
        }
        var clicks = record.Clicks == 1 ? "1 click" : $"{record.Clicks:N0} clicks";
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            $"Remove the import of {record.FileName}?",
            $"This deletes the {record.EventsAdded:N0} events this file brought into {_workspace.Name} ({clicks}). Campaigns that only this file " +
            "filled disappear; the others are counted again. If a later file held some of the same events, those go too: they were stored " +
            "once, with this file. Your decisions about single clicks from this file are lost. Importing the file again brings its events back.",
            yesText: "Remove", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }
        try
        {
            // A background job: it finishes on its own once asked for, on whichever instance takes it.
            if (!await Removals.EnqueueAsync(_workspace.Id, record.Id, record.FileName, await Viewer.ActorAsync(), _disposed.Token))
            {
                Snackbar.Add("Another import is being removed from this workspace; remove this one when that has finished.", MudBlazor.Severity.Info);
                return;
            }
            _removalAsked = _workspace.Id;
        }
        catch (Exception) when (_disposed.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Snackbar.Add($"Could not remove the import of {record.FileName}: {e.Message}", MudBlazor.Severity.Error);
        }
    }

    /// <summary>The workspace this page asked a removal of, to say how it ended when it does.</summary>
    private int? _removalAsked;

    /// <summary>The removal running in the workspace now (asked for here, or by someone else on any instance).</summary>
    private ClickInsights.Core.Activity? _removing;

    private async Task LoadAsync()
    {
        _workspace = await Current.GetAsync(_disposed.Token);
        await BindRunnerAsync();
        _history = _workspace is null ? [] : await Runner.HistoryAsync(_workspace.Id, cancellationToken: _disposed.Token);
        _storedNames = _workspace is null ? new Dictionary<string, string>() : await Importer.StoredCampaignNamesAsync(_workspace.Id, _disposed.Token);
    }

    private IReadOnlyDictionary<string, string> _storedNames = new Dictionary<string, string>();

    /// <summary>Shows the person's own import of the workspace on screen (again after a switch of workspace).</summary>
    private async Task BindRunnerAsync()
    {
        if (_workspace is null || _runner is not null && _boundTo == _workspace.Id)
        {
            return;
        }
        var access = await Viewer.GetAsync(_disposed.Token);
        _canImport = access?.Can(ClickInsights.Core.Accounts.Permission.Import, _workspace.Id) == true;
        _subscription?.Dispose();
        _activityWatch?.Dispose();
        _editing.Clear();
        _localError = null;
        _boundTo = _workspace.Id;
        _runner = Desk.For(access?.Id ?? "", access?.Email ?? "someone", _workspace.Id);
        _state = _runner.State;
        _shownStage = _state.Stage;
        _subscription = _runner.Subscribe(OnRunnerChanged);
        var workspaceId = _workspace.Id;
        _removing = Removing(workspaceId);
        _activityWatch = Activity.Watch(workspaceId, () => _ = InvokeAsync(() =>
        {
            _removing = Removing(workspaceId);
            StateHasChanged();
        }));
    }

    private int _boundTo;
    private IDisposable? _activityWatch;

    private ClickInsights.Core.Activity? Removing(int workspaceId) => Activity.RunningJob(workspaceId, ClickInsights.Core.Jobs.JobKinds.RemoveImport);

    /// <summary>Someone's import or removal in this workspace ended (on any instance): its history changed.</summary>
    private async Task OnWorkEndedAsync(IReadOnlyList<ClickInsights.Core.Activity> ended)
    {
        if (_workspace?.Id is not { } workspaceId || _disposed.IsCancellationRequested)
        {
            return;
        }
        _removing = Removing(workspaceId);
        _history = await Runner.HistoryAsync(workspaceId, cancellationToken: _disposed.Token);
        _storedNames = await Importer.StoredCampaignNamesAsync(workspaceId, _disposed.Token);
        if (_removalAsked == workspaceId && ended.Any(a => a.Kind == ClickInsights.Core.Jobs.JobKinds.RemoveImport)
            && await Jobs.LatestAsync(workspaceId, ClickInsights.Core.Jobs.JobKinds.WorkspaceKey(ClickInsights.Core.Jobs.JobKinds.RemoveImport, workspaceId), _disposed.Token) is { FinishedAt: not null } job)
        {
            _removalAsked = null;
            if (job.Error is { } error)
            {
                Snackbar.Add($"Could not remove the import: {error}", MudBlazor.Severity.Error);
            }
            else if (job.Result is { } result)
            {
                Snackbar.Add(result, MudBlazor.Severity.Success);
            }
        }
        Current.Refresh();
        StateHasChanged();
    }

    private void OnRunnerChanged(ImportState state) => _ = InvokeAsync(async () =>
    {
        var finished = state.Stage == ImportStage.Done && _shownStage != ImportStage.Done;
        _state = state;
        _shownStage = state.Stage;
        if (state.Stage == ImportStage.Empty)
        {
            _editing.Clear();
        }
        if (finished)
        {
            await LoadAsync();
            // The workspace picker and other pages show the new campaigns.
            Current.Refresh();
        }
        StateHasChanged();
    });

    private void OnWorkspaceChanged() => _ = InvokeAsync(async () => { await LoadAsync(); StateHasChanged(); });

    private async Task OnFilesChosenAsync(InputFileChangeEventArgs e)
    {
        if (_workspace is null || !await Viewer.AllowsAsync(ClickInsights.Core.Accounts.Permission.Import, _workspace.Id, Snackbar))
        {
            return;
        }
        var limit = Desk.Limits.MaxFiles;
        _localError = null;
        if (e.FileCount > limit)
        {
            _localError = ImportRunner.TooManyFiles(e.FileCount, limit);
            return;
        }
        var files = e.GetMultipleFiles(limit)
            .Select(f => (f.Name, f.Size, (Func<long, Stream>)(max => f.OpenReadStream(max, _disposed.Token))))
            .ToList();
        await Runner.UploadAsync(_workspace.Id, files, _disposed.Token);
    }

    private async Task ApplyMappingAsync(ImportFileState file, CsvColumnMapping mapping)
    {
        _editing.Remove(file.Id);
        await Runner.UseMappingAsync(file.Id, mapping);
    }

    private async Task StartImport()
    {
        // The files go into the workspace they were uploaded for: that is the one whose role counts.
        var target = _state.WorkspaceId;
        if (!await Viewer.AllowsAsync(ClickInsights.Core.Accounts.Permission.Import, target, Snackbar))
        {
            return;
        }
        if (Runner.StartImport())
        {
            await Viewer.AuditAsync(target, ClickInsights.Core.Accounts.AuditActions.Import, "Imported " + string.Join(", ", _state.Importable.Select(f => f.Name)) + ".");
        }
    }

    private void DismissError()
    {
        _localError = null;
        if (!_state.Busy && _state.Stage == ImportStage.Empty)
        {
            Runner.Reset();
        }
        _state = _state with { Error = null };
    }

    private static string ProgressText(ImportProgress? progress) => progress switch
    {
        null => "",
        { Stage: "Uploading", TotalBytes: { } total } => $"— {ImportRunner.Megabytes(progress.BytesRead)} of {ImportRunner.Megabytes(total)}",
        _ => $"— {progress.EventsRead:N0} events read",
    };

    private static string SummaryTitle(ImportSummary s) =>
        s.Cancelled ? "Import cancelled"
        : s.FilesImported == 0 ? "Nothing was imported"
        : s.FilesRefused > 0 ? $"Imported {Files(s.FilesImported)}; {Files(s.FilesRefused)} left out (see below)"
        : s.FilesImported == 1 ? "Import finished" : $"Imported {s.FilesImported} files";

    private static string Files(int count) => count == 1 ? "1 file" : $"{count} files";

    internal static string Seconds(TimeSpan elapsed) =>
        elapsed.TotalSeconds < 60 ? $"{elapsed.TotalSeconds:0.0} s" : $"{(int)elapsed.TotalMinutes} min {elapsed.Seconds} s";

    public void Dispose()
    {
        Current.Changed -= OnWorkspaceChanged;
        _subscription?.Dispose();
        _activityWatch?.Dispose();
        // Stops an upload in progress (the browser's stream ends with the page); a running import goes on.
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
