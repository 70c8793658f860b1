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

    private readonly CancellationTokenSource _disposed = new();
    private IDisposable? _subscription;
    private int _workspaceId;
    private IReadOnlyList<DomainRow>? _rows;
    private List<DomainRow> _chartRows = [];
    private List<ChartSeries<double>> _series = [];
    private string ChartSummary { get; set; } = "";
    private string[] _labels = [];
    private string? _error;
    private string _search = "";
    private GatewayProgress _progress = GatewayProgress.Idle;
    private bool _wasRunning;

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
        _progress = Runner.Progress;
        _wasRunning = _progress.Running;
        _subscription = Runner.Subscribe(OnProgress);
        await LoadAsync(startLookup: true);
    }

    private async Task LoadAsync(bool startLookup)
    {
        try
        {
            var workspace = await Current.GetAsync(_disposed.Token);
            _workspaceId = workspace?.Id ?? 0;
            _rows = workspace is null ? [] : await Report.DomainsAsync(workspace.Id, _disposed.Token);
            _error = null;
            BuildChart();
            // Look up missing and expired gateways in the background; the page shows what is stored meanwhile.
            if (startLookup && _workspaceId != 0 && _rows.Count > 0 && !Runner.Progress.Running
                && (await Runner.DueAsync(_workspaceId, _disposed.Token)).Count > 0)
            {
                Runner.Start(_workspaceId);
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

    private void StartLookup()
    {
        if (_workspaceId != 0)
        {
            Runner.Start(_workspaceId);
        }
    }

    private void OnProgress(GatewayProgress progress) => _ = InvokeAsync(async () =>
    {
        _progress = progress;
        var finished = _wasRunning && !progress.Running;
        _wasRunning = progress.Running;
        if (finished && progress.WorkspaceId == _workspaceId)
        {
            await LoadAsync(startLookup: false);
        }
        StateHasChanged();
    });

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
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
