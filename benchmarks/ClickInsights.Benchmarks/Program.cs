using BenchmarkDotNet.Running;
using ClickInsights.Benchmarks;

// dotnet run -c Release --project benchmarks/ClickInsights.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/ClickInsights.Benchmarks -- sendgrid-to-csv IN.json OUT.csv
if (args is ["sendgrid-to-csv", var input, var output])
{
    return await SendGridToCsv.RunAsync(input, output);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
