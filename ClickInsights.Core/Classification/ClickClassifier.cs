using ClickInsights.Core.Classification.Signals;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Classification;

/// <summary>
/// Classifies every click of one campaign as human, suspect or bot: a pure function of the campaign's events,
/// the settings and the catalogue. Each signal adds reasons; the score is the sum of their weights.
/// </summary>
public sealed class ClickClassifier
{
    /// <summary>Changes whenever a signal or its wording changes, so stored verdicts are recomputed.</summary>
    public const string Version = "1.0.0";

    private readonly IClickSignal[] _signals;

    public ClickClassifier(ScannerCatalogue catalogue)
        : this(DefaultSignals(catalogue))
    {
    }

    public ClickClassifier(IEnumerable<IClickSignal> signals) =>
        _signals = signals.OrderBy(s => s.Stage).ToArray();

    public static IEnumerable<IClickSignal> DefaultSignals(ScannerCatalogue catalogue) =>
    [
        new UserAgentSignal(catalogue),
        new BurstSignal(),
        new TimingSignal(),
    ];

    public ClassificationResult Classify(CampaignInput input, ClassifierSettings settings)
    {
        var campaign = CampaignAnalysis.Build(input);
        var evidence = new ClickEvidence(campaign.Clicks.Length);
        var unavailable = new List<string>();
        foreach (var signal in _signals)
        {
            var why = signal.Unavailable(campaign);
            if (why is not null)
            {
                unavailable.Add(why);
                continue;
            }
            signal.Apply(campaign, settings, evidence);
        }

        var results = new ClickResult[campaign.Clicks.Length];
        for (int i = 0; i < results.Length; i++)
        {
            var score = Math.Clamp(evidence.ScoreOf(i), 0, 100);
            var verdict = score >= settings.BotThreshold ? Verdict.Bot
                : score >= settings.SuspectThreshold ? Verdict.Suspect
                : Verdict.Human;
            var click = campaign.Clicks[i];
            results[i] = new ClickResult(click.EventId, click.RecipientId, verdict, score, evidence.Of(i));
        }
        return new ClassificationResult(results, unavailable);
    }
}
