using BenchmarkDotNet.Running;
using ClickInsights.Benchmarks;

// dotnet run -c Release --project benchmarks/ClickInsights.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/ClickInsights.Benchmarks -- sendgrid-to-csv IN.json OUT.csv
if (args is ["sendgrid-to-csv", var input, var output])
{
    return await SendGridToCsv.RunAsync(input, output);
}
if (args is ["webhook-load", var loadDatabase, var targets, ..] rest)
{
    // Signed SendGrid batches against running dashboards: webhook-load DB URL[,URL…] [SENDERS] [SECONDS] [BATCH]
    int Arg(int index, int fallback) => rest.Length > index && int.TryParse(rest[index], out var value) ? value : fallback;
    return await ClickInsights.Benchmarks.WebhookLoad.RunAsync(loadDatabase, targets.Split(','), Arg(3, 32), TimeSpan.FromSeconds(Math.Clamp(Arg(4, 60), 1, 600)), Math.Clamp(Arg(5, 500), 1, 5000));
}
if (args is ["read", var file])
{
    // How fast the SendGrid reader alone goes through a file (no database).
    var watch = System.Diagnostics.Stopwatch.StartNew();
    long count = 0;
    await using var stream = File.OpenRead(file);
    await foreach (var item in new ClickInsights.Core.Import.SendGridReader().ReadAsync(stream, file, CancellationToken.None))
    {
        count++;
    }
    Console.WriteLine($"{count:N0} events read in {watch.Elapsed.TotalSeconds:0.00} s");
    return 0;
}
if (args is ["classify", var database])
{
    // How fast the stored campaigns of a database (e.g. the import benchmark's) are classified again and stored.
    var builder = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<ClickInsights.Core.Data.ClickInsightsDbContext>();
    ClickInsights.Core.Data.StorageOptions.Configure(builder, database);
    var factory = new ClickInsights.Benchmarks.ContextFactory(builder.Options);
    var service = new ClickInsights.Core.Classification.ClassificationService(factory, ClickInsights.Core.Classification.ScannerCatalogue.Default, TimeProvider.System);
    var watch = System.Diagnostics.Stopwatch.StartNew();
    await using (var db = factory.CreateDbContext())
    {
        foreach (var workspace in db.Workspaces.Select(w => w.Id).ToList())
        {
            await service.ClassifyWorkspaceAsync(workspace);
        }
    }
    Console.WriteLine($"classified and stored in {watch.Elapsed.TotalSeconds:0.00} s");
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
