using BenchmarkDotNet.Attributes;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Demo;

namespace ClickInsights.Benchmarks;

/// <summary>
/// Issue target: classifying 1,000,000 clicks of 100,000 recipients (in memory, already parsed) takes at most 1 s.
/// The simulated world has 100,000 contacts and 11 campaigns (about 1,000,000 clicks and 3,800,000 events);
/// campaigns are classified one after another, so memory stays proportional to one campaign.
/// Run: <c>dotnet run -c Release --project benchmarks/ClickInsights.Benchmarks -- --filter '*Classifier*'</c>
/// </summary>
[MemoryDiagnoser]
[GcServer(true)] // as the dashboard runs (ASP.NET Core's default)
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ClassifierBenchmark
{
    private List<CampaignInput> _inputs = [];
    private ClickClassifier _classifier = null!;

    [GlobalSetup]
    public void Setup()
    {
        _inputs = ClassifierInputs.FromSimulation(new SimulatorOptions { Contacts = 100_000, Campaigns = 11, Seed = 5 });
        _classifier = new ClickClassifier(ScannerCatalogue.Default);
        var clicks = _inputs.Sum(i => i.Events.Count(e => e.Type == ClickInsights.Core.Data.EventType.Click));
        Console.WriteLine($"// {clicks:N0} clicks, {_inputs.Sum(i => i.Events.Count):N0} events, {_inputs.Count} campaigns");
    }

    [Benchmark]
    public int ClassifyMillionClicks()
    {
        int clicks = 0;
        foreach (var input in _inputs)
        {
            clicks += _classifier.Classify(input, ClassifierSettings.Default).Clicks.Count;
        }
        return clicks;
    }
}
