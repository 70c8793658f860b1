using System.Diagnostics;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Core.Reports;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Cli;

/// <summary>The command-line front-end: <c>classify</c> and <c>import</c> over the same Core as the dashboard.</summary>
public static class CliApp
{
    private const string Usage = """
        ClickInsights — how many real people clicked your email campaigns.

        Usage:
          ClickInsights.Cli classify PATH... [--out FILE]
              Classify every click in provider exports (files or folders; format detected per file) and write
              CSV: campaign_id,email,url,clicked_at,verdict,score,reasons,evidence. Without --out, CSV goes to stdout.
          ClickInsights.Cli import PATH... [--db FILE|postgresql://URI] [--workspace NAME]
              Import exports into the dashboard's database (or FILE, created if new, or a PostgreSQL database,
              migrated if new), then classify them.
          ClickInsights.Cli summary [--db FILE|postgresql://URI] [--workspace NAME]
              One CSV row per campaign: campaign_id,name,sent_at,delivered,reported_clickers,people_clickers,
              reported_clicks,human_clicks,suspect_clicks,bot_clicks (send order).
          ClickInsights.Cli imports [--db FILE] [--workspace NAME]
              List the workspace's imports, newest first, with the number to remove one by.
          ClickInsights.Cli remove-import NUMBER [--db FILE] [--workspace NAME]
              Take back one imported file: the events it added, campaigns left without events; the rest is recomputed.
          ClickInsights.Cli demo [--out FILE] [--contacts N] [--campaigns N] [--seed N] [--business-share 0..1] [--links N] [--format F]
              Write simulated events of a small business (the dashboard's demo data) to try the other commands on:
              SendGrid JSON to FILE (default demo.json), or with --format mailchimp|constantcontact|mailgun|postmark
              that provider's report pages into the folder FILE (default demo-F).

        A ZIP archive is imported file by file. A CSV export is read with the columns chosen for the same
        header row in the dashboard's Import page, or with a confident guess from its header names.

        Formats read: 
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default, TextReader? stdin = null)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await stdout.WriteLineAsync(Usage.TrimEnd() + "\n" + UsersCommand.Usage + TokensCommand.Usage + "\n" + EventImporter.KnownFormats);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            if (args[0] == "demo")
            {
                return await DemoAsync(Parse(args.Skip(1), requirePaths: false).Options, stdout);
            }
            if (args[0] == "users")
            {
                var (words, chosen) = Parse(args.Skip(1), requirePaths: false);
                return await UsersCommand.RunAsync(words, chosen, stdin ?? Console.In, stdout, cancellationToken);
            }
            if (args[0] == "tokens")
            {
                var write = args.Contains("--write");
                var (words, chosen) = Parse(args.Skip(1).Where(a => a != "--write"), requirePaths: false);
                return await TokensCommand.RunAsync(words, chosen, write, stdout, cancellationToken);
            }
            if (args[0] is "imports" or "remove-import" or "summary")
            {
                var (numbers, chosen) = Parse(args.Skip(1), requirePaths: false);
                return args[0] switch
                {
                    "imports" => await ListImportsAsync(chosen.GetValueOrDefault("--db"), chosen.GetValueOrDefault("--workspace"), stdout, cancellationToken),
                    "summary" => await SummaryAsync(chosen.GetValueOrDefault("--db"), chosen.GetValueOrDefault("--workspace"), stdout, stderr, cancellationToken),
                    _ => await RemoveImportAsync(numbers, chosen.GetValueOrDefault("--db"), chosen.GetValueOrDefault("--workspace"), stdout, cancellationToken),
                };
            }
            if (args[0] is not ("classify" or "import"))
            {
                throw new CliException($"Unknown command '{args[0]}'. Use 'classify', 'import', 'imports', 'remove-import', 'summary', 'users', 'tokens' or 'demo' (--help for usage).");
            }
            var (paths, options) = Parse(args.Skip(1), requirePaths: true);
            var files = ExpandPaths(paths);
            return args[0] switch
            {
                "classify" => await ClassifyAsync(files, options.GetValueOrDefault("--out"), stdout, stderr, cancellationToken),
                "import" => await ImportAsync(files, options.GetValueOrDefault("--db"), options.GetValueOrDefault("--workspace"), stdout, stderr, cancellationToken),
                _ => throw new UnreachableException(),
            };
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        catch (ImportFormatException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or InvalidDataException)
        {
            // A file that cannot be read or written, a database that cannot be opened: said in one line, not a stack trace.
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> ClassifyAsync(IReadOnlyList<string> files, string? outPath, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var collected = new OfflineClassification();
        var mappings = RememberedMappings();
        foreach (var file in files)
        {
            using var source = ImportSource.Open(file);
            foreach (var entry in source.Entries)
            {
                await using var stream = entry.Open();
                var sniffed = await EventImporter.SniffAsync(stream, entry.Name, cancellationToken);
                IEventReader reader;
                var input = sniffed.Stream;
                if (sniffed.Csv is { } csv && mappings is not null && await mappings.FindAsync(csv.Key, entry.Name, cancellationToken) is { } mapping)
                {
                    reader = new CsvEventReader(mapping, csv.Delimiter, csv.IsUtf8);
                }
                else
                {
                    // A JSON format, or a CSV file read with a confident guess of its columns (else the unknown ones are named).
                    (reader, input) = await EventImporter.DetectAsync(sniffed.Stream, entry.Name, cancellationToken);
                }
                await stderr.WriteLineAsync($"{entry.Name}: {reader.Format}");
                await foreach (var e in reader.ReadNumberedAsync(input, entry.Name, cancellationToken))
                {
                    collected.Add(e);
                }
            }
        }

        var classifier = new ClickClassifier(ScannerCatalogue.Default);
        await using var output = outPath is null ? null : new StreamWriter(outPath, append: false, new System.Text.UTF8Encoding(false));
        var writer = (TextWriter?)output ?? stdout;
        ClickCsv.WriteHeader(writer);
        int clicks = 0, bots = 0, suspects = 0;
        foreach (var row in collected.Classify(classifier, ClassifierSettings.Default))
        {
            ClickCsv.Write(writer, row);
            clicks++;
            bots += row.Verdict == Verdict.Bot ? 1 : 0;
            suspects += row.Verdict == Verdict.Suspect ? 1 : 0;
        }
        await writer.FlushAsync(cancellationToken);
        await stderr.WriteLineAsync($"{clicks:N0} clicks classified: {clicks - bots - suspects:N0} human, {suspects:N0} suspect, {bots:N0} bot" +
            (collected.Duplicates > 0 ? $" ({collected.Duplicates:N0} duplicate events skipped)" : "") +
            (outPath is null ? "" : $"; written to {outPath}"));
        return 0;
    }

    /// <summary>The CSV mappings chosen in the dashboard, when its database exists (classify never creates one).</summary>
    private static CsvMappingStore? RememberedMappings()
    {
        var path = StorageOptions.DefaultDatabasePath;
        if (!File.Exists(path))
        {
            return null;
        }
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, path);
        return new CsvMappingStore(new ContextFactory(builder.Options), TimeProvider.System);
    }

    /// <summary>An existing database's workspace (the named one, else the first that is not the demo); it must exist.</summary>
    /// <summary>What <c>--db</c> names: the default file, another file, or a PostgreSQL database (a <c>postgresql://</c> URI).</summary>
    internal static string TargetOf(string? db) =>
        db is null ? StorageOptions.DefaultDatabasePath : StorageOptions.IsPostgreSql(db) ? db : Path.GetFullPath(db);

    private static async Task<(IDbContextFactory<ClickInsightsDbContext> Factory, Workspace Workspace)> OpenWorkspaceAsync(string? dbPath, string? workspaceName, TextWriter? stdout, CancellationToken cancellationToken)
    {
        var path = TargetOf(dbPath);
        if (!StorageOptions.IsPostgreSql(path) && !File.Exists(path))
        {
            throw new CliException($"There is no database at {path}.");
        }
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, path);
        IDbContextFactory<ClickInsightsDbContext> factory = new ContextFactory(builder.Options);
        await DatabaseMigrator.MigrateAsync(factory, cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var workspace = workspaceName is null
            ? await db.Workspaces.OrderBy(w => w.IsDemo).ThenBy(w => w.Id).FirstOrDefaultAsync(cancellationToken)
            : await db.Workspaces.FirstOrDefaultAsync(w => w.Name == workspaceName, cancellationToken);
        if (workspace is null)
        {
            throw new CliException(workspaceName is null ? $"The database at {StorageOptions.Describe(path)} has no workspace." : $"There is no workspace named '{workspaceName}' in {StorageOptions.Describe(path)}.");
        }
        if (stdout is not null)
        {
            await stdout.WriteLineAsync($"Database: {StorageOptions.Describe(path)}");
            await stdout.WriteLineAsync($"Workspace: {workspace.Name}");
        }
        return (factory, workspace);
    }

    private static async Task<int> ListImportsAsync(string? dbPath, string? workspaceName, TextWriter stdout, CancellationToken cancellationToken)
    {
        var (factory, workspace) = await OpenWorkspaceAsync(dbPath, workspaceName, stdout, cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var imports = await db.Imports.AsNoTracking().Where(i => i.WorkspaceId == workspace.Id && i.FinishedAt != null).OrderByDescending(i => i.Id).ToListAsync(cancellationToken);
        if (imports.Count == 0)
        {
            await stdout.WriteLineAsync("Nothing has been imported into this workspace yet.");
            return 0;
        }
        foreach (var i in imports)
        {
            var from = i.ConnectionId is null ? "" : " (from a connection; cannot be removed)";
            await stdout.WriteLineAsync(FormattableString.Invariant(
                $"{i.Id,6}  {i.StartedAt:yyyy-MM-dd HH:mm} UTC  {i.FileName}: {i.EventsAdded:N0} new events, {i.Clicks:N0} new clicks, {i.Campaigns:N0} campaigns{from}"));
        }
        return 0;
    }

    private static async Task<int> RemoveImportAsync(IReadOnlyList<string> numbers, string? dbPath, string? workspaceName, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (numbers is not [var text] || !int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var importId))
        {
            throw new CliException("Name one import by its number, as 'imports' lists them.");
        }
        var (factory, workspace) = await OpenWorkspaceAsync(dbPath, workspaceName, stdout, cancellationToken);
        var time = TimeProvider.System;
        var importer = new EventImporter(factory, new ClassificationService(factory, ScannerCatalogue.Default, time), time);
        ImportRemoval removed;
        try
        {
            removed = await importer.RemoveImportAsync(workspace.Id, importId, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
        await stdout.WriteLineAsync($"Removed the import of {removed.FileName}: {removed.EventsRemoved:N0} events, {removed.CampaignsRemoved:N0} campaigns left without events, {removed.CampaignsRecomputed:N0} campaigns recomputed.");
        return 0;
    }

    /// <summary>
    /// One CSV row per campaign of the workspace, in send order (then the provider's id): the figures of the Overview and
    /// the campaign pages, the same on every store for the same files. Database and workspace go to stderr, so that
    /// stdout is the CSV alone.
    /// </summary>
    private static async Task<int> SummaryAsync(string? dbPath, string? workspaceName, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var (factory, workspace) = await OpenWorkspaceAsync(dbPath, workspaceName, stderr, cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var rows = await (
            from c in db.Campaigns.AsNoTracking()
            where c.WorkspaceId == workspace.Id
            join s in db.CampaignSummaries on c.Id equals s.CampaignId into summaries
            from s in summaries.DefaultIfEmpty()
            select new { c.ExternalId, c.Name, c.SentAt, Summary = s }).ToListAsync(cancellationToken);
        await stdout.WriteLineAsync("campaign_id,name,sent_at,delivered,reported_clickers,people_clickers,reported_clicks,human_clicks,suspect_clicks,bot_clicks");
        foreach (var row in rows.OrderBy(r => r.SentAt ?? DateTime.MaxValue).ThenBy(r => r.ExternalId, StringComparer.Ordinal))
        {
            var line = new System.Text.StringBuilder();
            ClickCsv.Cell(line, row.ExternalId).Append(',');
            ClickCsv.Cell(line, row.Name).Append(',');
            line.Append(row.SentAt is { } sent ? ClickCsv.Timestamp(new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)).ToUnixTimeMilliseconds()) : "");
            var s = row.Summary ?? new CampaignSummary();
            line.Append(System.Globalization.CultureInfo.InvariantCulture, $",{s.Delivered},{s.UniqueClickers},{s.HumanClickers},{s.Clicks},{s.HumanClicks},{s.SuspectClicks},{s.BotClicks}");
            await stdout.WriteLineAsync(line.ToString());
        }
        return 0;
    }

    private static async Task<int> ImportAsync(IReadOnlyList<string> files, string? dbPath, string? workspaceName, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var path = TargetOf(dbPath);
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, path);
        IDbContextFactory<ClickInsightsDbContext> factory = new ContextFactory(builder.Options);
        await DatabaseMigrator.MigrateAsync(factory, cancellationToken);
        var time = TimeProvider.System;
        var importer = new EventImporter(factory, new ClassificationService(factory, ScannerCatalogue.Default, time), time);

        int workspaceId;
        await using (var db = await factory.CreateDbContextAsync(cancellationToken))
        {
            var workspace = workspaceName is null
                ? await db.Workspaces.OrderBy(w => w.IsDemo).ThenBy(w => w.Id).FirstOrDefaultAsync(cancellationToken)
                : await db.Workspaces.FirstOrDefaultAsync(w => w.Name == workspaceName, cancellationToken);
            if (workspace is null)
            {
                workspace = new Workspace { Name = workspaceName ?? "My workspace", CreatedAt = time.GetUtcNow().UtcDateTime };
                db.Workspaces.Add(workspace);
                await db.SaveChangesAsync(cancellationToken);
            }
            workspaceId = workspace.Id;
            await stdout.WriteLineAsync($"Database: {StorageOptions.Describe(path)}");
            await stdout.WriteLineAsync($"Workspace: {workspace.Name}");
        }

        int failed = 0;
        var progress = new ConsoleProgress(stderr);
        foreach (var file in files)
        {
            ImportSource source;
            try
            {
                source = ImportSource.Open(file);
            }
            catch (ImportFormatException e)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                failed++;
                continue;
            }
            using (source)
            {
                // Each file (or file of an archive) all or nothing, with the CSV columns remembered by the dashboard or a confident guess.
                foreach (var outcome in await importer.ImportSourceAsync(workspaceId, source, ImportOptions.Default, progress, cancellationToken))
                {
                    progress.EndLine();
                    if (outcome.Result is { } result)
                    {
                        await stdout.WriteLineAsync($"{result.FileName} ({result.Format}): {result.EventsRead:N0} events read, {result.EventsAdded:N0} added, " +
                            $"{result.DuplicatesSkipped:N0} duplicates skipped, {result.Clicks:N0} new clicks in {result.Campaigns:N0} campaigns, {result.Elapsed.TotalSeconds:0.0} s" +
                            (result.RepeatsNote is { } repeats ? $"\n  {repeats}" : ""));
                    }
                    else
                    {
                        await stderr.WriteLineAsync($"error: {outcome.Error}");
                        failed++;
                    }
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static async Task<int> DemoAsync(Dictionary<string, string> options, TextWriter stdout)
    {
        var simulator = new ClickInsights.Core.Demo.DemoSimulator(new ClickInsights.Core.Demo.SimulatorOptions
        {
            Contacts = IntOption(options, "--contacts", 350),
            Campaigns = IntOption(options, "--campaigns", 6),
            Seed = IntOption(options, "--seed", 7),
            BusinessShare = ShareOption(options, "--business-share", 0.4),
            Links = options.ContainsKey("--links") ? IntOption(options, "--links", 6) : null,
        });
        var format = options.GetValueOrDefault("--format") ?? "sendgrid";
        if (format == "sendgrid")
        {
            var path = options.GetValueOrDefault("--out") ?? "demo.json";
            await using (var file = File.Create(path))
            {
                ClickInsights.Core.Demo.DemoSimulator.WriteSendGridJson(simulator.Generate(), file);
            }
            await stdout.WriteLineAsync($"Wrote simulated SendGrid events to {path} ({new FileInfo(path).Length:N0} bytes).");
            return 0;
        }
        var shape = format switch
        {
            "mailchimp" => ClickInsights.Core.Demo.SourceShape.Mailchimp,
            "constantcontact" => ClickInsights.Core.Demo.SourceShape.ConstantContact,
            "mailgun" => ClickInsights.Core.Demo.SourceShape.Mailgun,
            "postmark" => ClickInsights.Core.Demo.SourceShape.Postmark,
            _ => throw new CliException($"--format '{format}' is not one of sendgrid, mailchimp, constantcontact, mailgun, postmark."),
        };
        var folder = options.GetValueOrDefault("--out") ?? $"demo-{format}";
        var files = ClickInsights.Core.Demo.ProviderWriters.Write(simulator.Generate().ToList(), shape);
        foreach (var file in files)
        {
            var target = Path.Combine(folder, file.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, file.Content);
        }
        await stdout.WriteLineAsync($"Wrote {files.Count} simulated {format} report files into {folder}.");
        return 0;
    }

    private static double ShareOption(Dictionary<string, string> options, string name, double fallback)
    {
        if (!options.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : throw new CliException($"{name} needs a share between 0 and 1, such as 0.4, not '{text}'.");
    }

    private static int IntOption(Dictionary<string, string> options, string name, int fallback)
    {
        if (!options.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return int.TryParse(text, out var value) && value > 0 ? value : throw new CliException($"{name} needs a positive whole number, not '{text}'.");
    }

    private static (List<string> Paths, Dictionary<string, string> Options) Parse(IEnumerable<string> args, bool requirePaths)
    {
        var paths = new List<string>();
        var options = new Dictionary<string, string>();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (arg is "--out" or "--db" or "--workspace" or "--role" or "--contacts" or "--campaigns" or "--seed" or "--format" or "--business-share" or "--links" or "--days")
            {
                if (!e.MoveNext())
                {
                    throw new CliException($"{arg} needs a value.");
                }
                options[arg] = e.Current;
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CliException($"Unknown option '{arg}'.");
            }
            else
            {
                paths.Add(arg);
            }
        }
        if (requirePaths && paths.Count == 0)
        {
            throw new CliException("Name at least one file or folder of provider exports.");
        }
        return (paths, options);
    }

    private static List<string> ExpandPaths(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new CliException($"'{path}' is neither a file nor a folder.");
            }
        }
        return files;
    }

    internal sealed class CliException(string message) : Exception(message);

    /// <summary>Progress on one line of stderr, rewritten at most a few times a second.</summary>
    private sealed class ConsoleProgress(TextWriter stderr) : IProgress<ImportProgress>
    {
        private long _lastTicks;
        private bool _open;

        public void Report(ImportProgress p)
        {
            var now = Environment.TickCount64;
            if (now - _lastTicks < 250 && p.Stage == "Reading events")
            {
                return;
            }
            _lastTicks = now;
            _open = true;
            stderr.Write($"\r{p.FileName}: {p.Stage.ToLowerInvariant()}, {p.EventsRead:N0} events read, {p.EventsAdded:N0} new" +
                (p.Fraction is { } f ? $" ({f:P0})" : "") + "   ");
        }

        public void EndLine()
        {
            if (_open)
            {
                stderr.WriteLine();
                _open = false;
            }
        }
    }

    private sealed class ContextFactory(DbContextOptions<ClickInsightsDbContext> options) : IDbContextFactory<ClickInsightsDbContext>
    {
        public ClickInsightsDbContext CreateDbContext() => new(options);
    }
}
