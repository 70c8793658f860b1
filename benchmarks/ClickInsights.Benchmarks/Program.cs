using BenchmarkDotNet.Running;
using ClickInsights.Benchmarks;

// dotnet run -c Release --project benchmarks/ClickInsights.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/ClickInsights.Benchmarks -- sendgrid-to-csv IN.json OUT.csv
if (args is ["sendgrid-to-csv", var input, var output])
{
    return await SendGridToCsv.RunAsync(input, output);
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
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
