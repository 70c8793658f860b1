using ClickInsights.Core.Data;
using ClickInsights.Core.Domains;
using ClickInsights.Core.Reports;
using ClickInsights.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace ClickInsights.Web.Components.Pages.Domains;

public sealed partial class Domains : IDisposable
{
    private const int ChartDomains = 10;

    [Inject] private CurrentWorkspace Current { get; set; } = default!;
    [Inject] private DomainReport Report { get; set; } = default!;
    [Inject] private GatewayRunner Runner { get; set; } = default!;
    [Inject] private ClickInsights.Core.WorkspaceActivity Activity { get; set; } = default!;
    [Inject] private Viewer Viewer { get; set; } = default!;

    private readonly CancellationTokenSource _disposed = new();
    private IDisposable? _progressWatch;
    private int _watched;
    private int _workspaceId;
    private IReadOnlyList<DomainRow>? _rows;
    private List<DomainRow> _chartRows = [];
    private List<ChartSeries<double>> _series = [];
    private string ChartSummary { get; set; } = "";
    private string[] _labels = [];
    private string? _error;
    private string _search = "";
    /// <summary>The workspace's lookup: waiting, running (any instance), or the last one that ended.</summary>
    private ClickInsights.Core.Jobs.JobView? _lookup;

    /// <summary>The running lookup's progress, as the workspace's activity shows it.</summary>
    private ClickInsights.Core.Activity? _running;

    private bool LookupBusy => _running is not null || _lookup?.State is JobState.Queued or JobState.Running;

    private readonly BarChartOptions _chartOptions = new() { YAxisTitle = "Clicks", ShowLegend = true, XAxisLabelRotation = 30, ChartPalette = ["#c62828", "#2e7d32"] };

    private double TopThreeShare
    {
        get
        {
            var total = _rows?.Sum(r => r.BotClicks) ?? 0;
            return total == 0 ? 0 : (double)_rows!.Take(3).Sum(r => r.BotClicks) / total;
        }
    }

    private string GatewayStatus =>
        _rows is null ? ""
        : _rows.Count(r => r.GatewayPending) is var pending and > 0 ? $"{Show.Number(pending)} of {Show.Number(_rows.Count)} domains not looked up yet."
        : "";

    protected override async Task OnInitializedAsync()
    {
        Current.Changed += OnWorkspaceChanged;
        await LoadAsync(startLookup: true);
    }

    private async Task LoadAsync(bool startLookup)
    {
        try
        {
            var workspace = await Current.GetAsync(_disposed.Token);
            _workspaceId = workspace?.Id ?? 0;
            Watch();
            _rows = workspace is null ? [] : await Report.DomainsAsync(workspace.Id, _disposed.Token);
            _lookup = workspace is null ? null : await Runner.LatestAsync(workspace.Id, _disposed.Token);
            _error = null;
            BuildChart();
            // Look up missing and expired gateways in the background; the page shows what is stored meanwhile.
            if (startLookup && _workspaceId != 0 && _rows.Count > 0 && !LookupBusy
                && (await Runner.DueAsync(_workspaceId, _disposed.Token)).Count > 0)
            {
                await StartLookupAsync();
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _error = $"Your recipients' domains could not be loaded: {e.Message}";
        }
    }

    private void BuildChart()
    {
        _chartRows = (_rows ?? []).Where(r => r.BotClicks > 0).Take(ChartDomains).ToList();
        _labels = _chartRows.Select(r => r.Domain).ToArray();
        ChartSummary = ChartSummaries.Domains(_chartRows);
        _series =
        [
            new() { Name = "Clicks by scanners", Data = new ChartData<double>(_chartRows.Select(r => (double)r.BotClicks).ToArray()) },
            new() { Name = "Clicks by people", Data = new ChartData<double>(_chartRows.Select(r => (double)r.HumanClicks).ToArray()) },
        ];
    }

    private async Task StartLookupAsync()
    {
        if (_workspaceId != 0 && await Runner.EnqueueAsync(_workspaceId, await Viewer.ActorAsync(), _disposed.Token))
        {
            _lookup = await Runner.LatestAsync(_workspaceId, _disposed.Token);
        }
    }

    private async Task StopLookupAsync()
    {
        if (_workspaceId != 0)
        {
            await Runner.StopAsync(_workspaceId, await Viewer.ActorAsync(), _disposed.Token);
        }
    }

    /// <summary>
    /// Follows the lookup's progress as it goes, on this instance or another. When any work ends (the lookup, an import,
    /// a recompute), <c>WorkEnded</c> in the page reads the domains and their figures again.
    /// </summary>
    private void Watch()
    {
        if (_workspaceId == _watched)
        {
            return;
        }
        _progressWatch?.Dispose();
        _watched = _workspaceId;
        _running = null;
        if (_workspaceId == 0)
        {
            return;
        }
        var id = _workspaceId;
        _running = Activity.RunningJob(id, ClickInsights.Core.Jobs.JobKinds.Gateways);
        _progressWatch = Activity.Watch(id, () => _ = InvokeAsync(() =>
        {
            _running = Activity.RunningJob(id, ClickInsights.Core.Jobs.JobKinds.Gateways);
            StateHasChanged();
        }));
    }

    private readonly TableSort<DomainRow> _sort = new(new Dictionary<string, Func<DomainRow, object?>>
    {
        ["domain"] = r => r.Domain,
        ["gateway"] = r => r.Gateway ?? "",
        ["recipients"] = r => r.Recipients,
        ["human-clicks"] = r => r.HumanClicks,
        ["clicks"] = r => r.Clicks,
        ["bot-clicks"] = r => r.BotClicks,
        ["bot-share"] = r => r.BotShare,
    }, "bot-clicks", descending: true);

    private bool Matches(DomainRow row) =>
        string.IsNullOrWhiteSpace(_search)
        || row.Domain.Contains(_search, StringComparison.OrdinalIgnoreCase)
        || (row.Gateway?.Contains(_search, StringComparison.OrdinalIgnoreCase) ?? false);

    private static string GatewayLabel(DomainRow row) => Show.GatewayLabel(row.Gateway, row.MxHosts);

    private static string GatewayTooltip(DomainRow row) => Show.GatewayTooltip(row.Gateway, row.MxHosts, row.GatewayError, row.GatewayCheckedAt);

    private void OnWorkspaceChanged() => InvokeAsync(async () =>
    {
        _rows = null;
        StateHasChanged();
        await LoadAsync(startLookup: true);
        StateHasChanged();
    });

    public void Dispose()
    {
        Current.Changed -= OnWorkspaceChanged;
        _progressWatch?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
