using ClickInsights.Core.Data;
using ClickInsights.Core.Reports;
using ClickInsights.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace ClickInsights.Web.Components.Pages.Campaigns;

public partial class CampaignPage
{
    [Inject] private ReportService Reports { get; set; } = null!;
    [Inject] private ClickReports Clicks { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private CampaignNames Names { get; set; } = null!;
    [Inject] private CampaignSends Sends { get; set; } = null!;
    [Inject] private Viewer Viewer { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    [Parameter] public int Id { get; set; }
    [SupplyParameterFromQuery] public string? Verdict { get; set; }
    [SupplyParameterFromQuery] public string? Reason { get; set; }
    [SupplyParameterFromQuery] public string? Domain { get; set; }
    [SupplyParameterFromQuery] public int? Link { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public int? PageNumber { get; set; }

    private int? _loadedId;
    private CampaignDetail? _detail;
    private ClickPage? _clicks;
    private ClickFilter? _loadedFilter;
    private IReadOnlyList<UnsubscribeInBurst> _unsubscribes = [];
    private bool _loading = true;
    private string? _error;
    private List<BreadcrumbItem> _crumbs = [];
    private List<ChartSeries<double>> _linkSeries = [];
    private bool _canEdit;
    private bool _renaming;
    private string _newName = "";
    private string? _renameError;
    private bool _editingSends;
    private bool _savingSends;
    private int? _sentByHand;
    private int? _deliveredByHand;
    private string? _sendsError;
    private string[] _linkLabels = [];
    private List<ChartSeries<double>> _delaySeries = [];
    private string LinkSummary { get; set; } = "";
    private string DelaySummary { get; set; } = "";
    private string[] _delayLabels = [];
    private readonly BarChartOptions _linkOptions = new() { YAxisTitle = "Clicks", XAxisTitle = "Link (numbered as in the table below)", ShowLegend = true, MaxNumYAxisTicks = 8, ChartPalette = ["#90a4ae", "#2e7d32"] };
    private readonly StackedBarChartOptions _delayOptions = new() { YAxisTitle = "Clicks", XAxisTitle = "Time from delivery to click", ShowLegend = true, MaxNumYAxisTicks = 8, ChartPalette = ["#2e7d32", "#ef6c00", "#c62828"] };

    private ClickFilter Filter => new(Urls.ParseVerdict(Verdict), Reason, Domain, Link, Math.Max(0, (PageNumber ?? 1) - 1), NotHuman: Verdict == Urls.NotHuman);

    private int PageCount => _clicks is null ? 1 : Math.Max(1, (_clicks.Total + Filter.PageSize - 1) / Filter.PageSize);

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            if (_loadedId != Id)
            {
                _loading = true;
                _detail = await Reports.CampaignAsync(Id);
                _loadedId = Id;
                if (_detail is not null)
                {
                    BuildCharts(await Clicks.DelayHistogramAsync(Id));
                    _unsubscribes = await Clicks.UnsubscribesInBurstsAsync(Id);
                    _canEdit = (await Viewer.GetAsync())?.Can(ClickInsights.Core.Accounts.Permission.Import, _detail.WorkspaceId) == true;
                }
                _crumbs = [new("Campaigns", Urls.Campaigns), new(_detail?.Campaign.Name ?? $"Campaign {Id}", null, disabled: true)];
                _loading = false;
            }
            if (_detail is not null && _loadedFilter != Filter)
            {
                _clicks = null;
                _loadedFilter = Filter;
                _clicks = await Clicks.ClicksAsync(Id, Filter);
            }
            _error = null;
        }
        catch (Exception e)
        {
            _error = $"This campaign could not be loaded: {e.Message}";
            _loading = false;
        }
    }

    /// <summary>
    /// Work in the campaign's workspace ended (new events classified, a recompute, an import or its removal): the figures
    /// are read again in place, without the page going blank.
    /// </summary>
    private async Task ReloadAsync()
    {
        try
        {
            var delays = await Clicks.DelayHistogramAsync(Id);
            _detail = await Reports.CampaignAsync(Id);
            if (_detail is not null)
            {
                BuildCharts(delays);
                _unsubscribes = await Clicks.UnsubscribesInBurstsAsync(Id);
                _clicks = await Clicks.ClicksAsync(Id, Filter);
                _loadedFilter = Filter;
            }
        }
        catch (Exception e)
        {
            _error = $"This campaign could not be loaded again: {e.Message}";
        }
    }

    private void BuildCharts(IReadOnlyList<DelayBucket> delays)
    {
        var links = _detail!.Links;
        _linkLabels = links.Select((_, i) => $"{i + 1}").ToArray();
        _linkSeries =
        [
            new() { Name = "Reported clicks", Data = new ChartData<double>(links.Select(l => (double)l.RawClicks).ToArray()) },
            new() { Name = "Clicks by people", Data = new ChartData<double>(links.Select(l => (double)l.HumanClicks).ToArray()) },
        ];
        _delayLabels = delays.Select(d => d.Label).ToArray();
        LinkSummary = ChartSummaries.Links(links);
        DelaySummary = ChartSummaries.Delays(delays);
        _delaySeries =
        [
            new() { Name = "People", Data = new ChartData<double>(delays.Select(d => (double)d.Human).ToArray()) },
            new() { Name = "Suspect", Data = new ChartData<double>(delays.Select(d => (double)d.Suspect).ToArray()) },
            new() { Name = "Bots", Data = new ChartData<double>(delays.Select(d => (double)d.Bot).ToArray()) },
        ];
    }

    private void StartRename()
    {
        _newName = _detail!.Campaign.Name;
        _renameError = null;
        _renaming = true;
    }

    private async Task RenameKeyAsync(Microsoft.AspNetCore.Components.Web.KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await SaveNameAsync();
        }
        else if (e.Key == "Escape")
        {
            _renaming = false;
        }
    }

    private async Task SaveNameAsync()
    {
        if (_detail is null || !await Viewer.AllowsAsync(ClickInsights.Core.Accounts.Permission.Import, _detail.WorkspaceId, Snackbar))
        {
            return;
        }
        if (CampaignNames.Problem(_newName) is { } problem)
        {
            _renameError = problem;
            return;
        }
        var name = _newName.Trim();
        var before = await Names.RenameAsync(_detail.WorkspaceId, Id, name, await Viewer.ActorAsync());
        if (before is null)
        {
            _renameError = "This campaign is no longer there.";
            return;
        }
        await Viewer.AuditAsync(_detail.WorkspaceId, ClickInsights.Core.Accounts.AuditActions.CampaignRenamed, $"Campaign {Id} “{before}” renamed “{name}”.");
        _detail = _detail with { Campaign = _detail.Campaign with { Name = name } };
        _crumbs = [new("Campaigns", Urls.Campaigns), new(name, null, disabled: true)];
        _renaming = false;
        Snackbar.Add($"Renamed “{name}”. Imports and syncs keep this name.", Severity.Success);
    }

    private void StartSends()
    {
        _deliveredByHand = _detail!.Campaign.Delivered;
        _sendsError = null;
        _editingSends = true;
    }

    private Task SaveSendsAsync() => StoreSendsAsync(_sentByHand, _deliveredByHand);

    private Task ClearSendsAsync() => StoreSendsAsync(null, null);

    private async Task StoreSendsAsync(int? sent, int? delivered)
    {
        if (_detail is null || !await Viewer.AllowsAsync(ClickInsights.Core.Accounts.Permission.Import, _detail.WorkspaceId, Snackbar))
        {
            return;
        }
        _savingSends = true;
        try
        {
            await Sends.SetAsync(_detail.WorkspaceId, Id, sent, delivered, await Viewer.ActorAsync());
            await Viewer.AuditAsync(_detail.WorkspaceId, ClickInsights.Core.Accounts.AuditActions.SendsEntered,
                delivered is null ? $"Campaign {Id}: the numbers entered by hand removed." : $"Campaign {Id}: {(sent is null ? "" : $"{sent} sent, ")}{delivered} delivered, entered by hand.");
            _detail = await Reports.CampaignAsync(Id);
            _editingSends = false;
            _sendsError = null;
            Snackbar.Add(delivered is null ? "The numbers are removed: the rates are unknown again." : "The rates are worked out from the numbers you entered.", Severity.Success);
        }
        catch (ArgumentException e)
        {
            _sendsError = e.Message;
        }
        finally
        {
            _savingSends = false;
        }
    }

    private void Navigate(ClickFilter filter) => Navigation.NavigateTo(Urls.Campaign(Id, filter));

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
