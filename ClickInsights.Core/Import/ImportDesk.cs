using System.Collections.Concurrent;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClickInsights.Core.Import;

/// <summary>
/// The dashboard's imports: one <see cref="ImportRunner"/> per person and workspace, so that two people importing into
/// two workspaces (or the same one) never see or touch each other's files. What a runner is doing is also shown to
/// everyone looking at its workspace, through <see cref="WorkspaceActivity"/>.
/// </summary>
public sealed class ImportDesk(
    EventImporter importer,
    CsvMappingStore mappings,
    IDbContextFactory<ClickInsightsDbContext> dbFactory,
    IOptions<UploadOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    WorkspaceActivity activity,
    ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<(string Person, int WorkspaceId), Desk> _desks = new();

    public UploadOptions Limits => options.Value;

    /// <summary>The person's import into the workspace (made when first asked for).</summary>
    /// <param name="personId">The person's id; one key for everyone while no account exists.</param>
    /// <param name="who">How others see the person in the workspace's activity (an email).</param>
    public ImportRunner For(string personId, string who, int workspaceId) =>
        _desks.GetOrAdd((personId, workspaceId), key => Open(key.WorkspaceId, who)).Runner;

    /// <summary>Why an earlier import of the workspace cannot be removed now (someone is importing into it here), or null.</summary>
    public string? WhyNotRemove(int workspaceId) =>
        _desks.Where(d => d.Key.WorkspaceId == workspaceId).Select(d => d.Value).FirstOrDefault(d => d.Runner.State.Stage == ImportStage.Importing) is { } busy
            ? $"{busy.Who} is importing files into this workspace; remove an earlier import when that has finished."
            : null;

    private Desk Open(int workspaceId, string who)
    {
        var runner = new ImportRunner(importer, mappings, dbFactory, options, storage, time, loggers.CreateLogger<ImportRunner>());
        var desk = new Desk(runner, who);
        runner.Subscribe(state => desk.Show(activity, workspaceId, state));
        return desk;
    }

    private sealed class Desk(ImportRunner runner, string who)
    {
        private readonly Lock _lock = new();
        private WorkspaceActivity.Handle? _shown;

        public ImportRunner Runner { get; } = runner;
        public string Who { get; } = who;

        /// <summary>Checking and importing are shown to the workspace; files waiting for the person are theirs alone.</summary>
        public void Show(WorkspaceActivity activity, int workspaceId, ImportState state)
        {
            var what = state switch
            {
                { Stage: ImportStage.Importing } => $"Importing {Count(state.Importable.Count())}",
                { Stage: ImportStage.Uploading or ImportStage.Checking } => "Uploading and checking files",
                _ => null,
            };
            lock (_lock)
            {
                if (what is null)
                {
                    _shown?.Dispose();
                    _shown = null;
                    return;
                }
                var (done, total) = state.Stage == ImportStage.Importing
                    ? (state.Files.Count(f => f.Outcome is not null), state.Importable.Count())
                    : ((int?)null, (int?)null);
                if (_shown is null)
                {
                    _shown = activity.Start(workspaceId, Who, what, done, total);
                }
                else
                {
                    _shown.Report(what, done, total);
                }
            }
        }

        private static string Count(int files) => files == 1 ? "1 file" : $"{files} files";
    }
}
