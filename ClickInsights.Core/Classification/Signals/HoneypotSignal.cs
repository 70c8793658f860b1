namespace ClickInsights.Core.Classification.Signals;

/// <summary>A click on the hidden link the user placed in the email: no person can see it.</summary>
public sealed class HoneypotSignal : IClickSignal
{
    public const string Code = "honeypot";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        var honeypots = campaign.Input.HoneypotLinkIds;
        if (honeypots.Count == 0)
        {
            return;
        }
        var reason = new Reason(Code, "clicked the hidden link that no person can see", settings.HoneypotWeight);
        var clicks = campaign.Clicks;
        for (int i = 0; i < clicks.Length; i++)
        {
            if (honeypots.Contains(clicks[i].LinkId))
            {
                evidence.Add(i, reason);
            }
        }
    }
}
