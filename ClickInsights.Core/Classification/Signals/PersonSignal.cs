namespace ClickInsights.Core.Classification.Signals;

/// <summary>
/// Evidence for a person: a click on its own, long after delivery. When the same recipient's earlier clicks were
/// a scan and this one comes from another network, the recipient is a confirmed human; this click stays human
/// even though the scan was a bot.
/// </summary>
public sealed class PersonSignal : IClickSignal
{
    public const string LaterIsolated = "later_isolated_click";
    public const string ConfirmedHuman = "confirmed_human";

    public int Stage => 2;

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        long later = (long)(settings.LaterClickMinutes * 60_000);
        long isolation = campaign.WholeMinuteTimes ? 120_000 : 10_000;
        var clicks = campaign.Clicks;
        var isolatedReasons = new Dictionary<(string, long), Reason>();
        var scores = new int[clicks.Length];
        for (int i = 0; i < clicks.Length; i++)
        {
            scores[i] = evidence.ScoreOf(i);
        }

        for (int r = 0; r < campaign.RecipientCount; r++)
        {
            var own = campaign.ClicksOf(r);
            var anchor = campaign.AnchorOf(r);
            foreach (var i in own)
            {
                var click = clicks[i];
                var delay = click.TimeMs - anchor.TimeMs;
                if (delay < later || scores[i] >= settings.BotThreshold || !campaign.IsIsolated(i, isolation))
                {
                    continue;
                }
                // A click from a mail-security vendor's own network is that vendor, however late it comes.
                if (campaign.NetworkOf(i) is { IsCloud: false })
                {
                    continue;
                }
                // Was there a scan of this recipient before, from another network?
                int scan = -1;
                foreach (var j in own)
                {
                    if (clicks[j].TimeMs < click.TimeMs && scores[j] >= settings.SuspectThreshold
                        && (click.Ip is null || campaign.NetworkKeyOf(j) != campaign.NetworkKeyOf(i)))
                    {
                        scan = j;
                        break;
                    }
                }
                if (scan >= 0)
                {
                    evidence.Add(i, new Reason(ConfirmedHuman, $"clicked on its own {Format.Duration(delay)} after {anchor.Label}, {Format.Duration(click.TimeMs - clicks[scan].TimeMs)} after the scan{(click.Ip is null ? "" : ", from another network")}: a person", settings.ConfirmedHumanWeight));
                    continue;
                }
                var key = (anchor.Label, Format.DurationKey(delay));
                if (!isolatedReasons.TryGetValue(key, out var reason))
                {
                    reason = new Reason(LaterIsolated, $"a single click {Format.Duration(delay)} after {anchor.Label}, as people click", settings.LaterIsolatedClickWeight);
                    isolatedReasons.Add(key, reason);
                }
                evidence.Add(i, reason);
            }
        }
    }
}
