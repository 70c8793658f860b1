using ClickInsights.Core.Classification.Signals;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Classification;

/// <summary>
/// Classifies every click of one campaign as human, suspect or bot: a pure function of the campaign's events,
/// the settings and the catalogue. Each signal adds reasons; the score is the sum of their weights.
/// </summary>
public sealed class ClickClassifier
{
    /// <summary>Changes whenever a signal, its wording or a stored figure (2.2.0: delivered less bounces, first send) changes, so stored verdicts and figures are recomputed.</summary>
    public const string Version = "2.2.0";

    private readonly IClickSignal[] _signals;
    private readonly ScannerCatalogue _catalogue;

    public ClickClassifier(ScannerCatalogue catalogue)
        : this(catalogue, DefaultSignals(catalogue))
    {
    }

    public ClickClassifier(ScannerCatalogue catalogue, IEnumerable<IClickSignal> signals)
    {
        _catalogue = catalogue;
        // Stable: within a stage, signals keep their order, so reasons always come in the same order.
        _signals = signals.Select((s, i) => (s, i)).OrderBy(x => x.s.Stage).ThenBy(x => x.i).Select(x => x.s).ToArray();
    }

    public static IEnumerable<IClickSignal> DefaultSignals(ScannerCatalogue catalogue) =>
    [
        new UserAgentSignal(catalogue),
        new AgentAgeSignal(),
        new NetworkSignal(),
        new TimingSignal(),
        new ClickWithoutOpenSignal(),
        new BurstSignal(),
        new EveryLinkSignal(),
        new SandboxPairSignal(),
        new ProviderFlagSignal(),
        new HoneypotSignal(),
        new DomainPatternSignal(),
        new PersonSignal(),
    ];

    public ClassificationResult Classify(CampaignInput input, ClassifierSettings settings)
    {
        var campaign = CampaignAnalysis.Build(input, _catalogue.NetworkIndex);
        using var evidence = new ClickEvidence(campaign.Clicks.Length);
        var unavailable = new List<string>();
        foreach (var signal in _signals)
        {
            var why = signal.Unavailable(campaign);
            if (why is not null)
            {
                if (!unavailable.Contains(why))
                {
                    unavailable.Add(why);
                }
                continue;
            }
            signal.Apply(campaign, settings, evidence);
        }

        var reasons = evidence.Compact();
        var results = new ClickResult[campaign.Clicks.Length];
        for (int i = 0; i < results.Length; i++)
        {
            var score = Math.Clamp(evidence.ScoreOf(i), 0, 100);
            var verdict = settings.VerdictOf(score);
            var click = campaign.Clicks[i];
            results[i] = new ClickResult(click.EventId, click.RecipientId, verdict, score, reasons[i]);
        }
        return new ClassificationResult(results, unavailable, campaign);
    }
}
