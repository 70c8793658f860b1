using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/ClickInsights.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
