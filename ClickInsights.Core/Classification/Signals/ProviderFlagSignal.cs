namespace ClickInsights.Core.Classification.Signals;

/// <summary>The provider's own machine flag on the click (Mailgun <c>client-info.bot</c>, Brevo proxy events).</summary>
public sealed class ProviderFlagSignal : IClickSignal
{
    public const string Code = "provider_bot_flag";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        var clicks = campaign.Clicks;
        for (int i = 0; i < clicks.Length; i++)
        {
            if (!string.IsNullOrEmpty(clicks[i].ProviderBotFlag))
            {
                evidence.Add(i, new Reason(Code, $"the provider itself flagged this click as a machine ({clicks[i].ProviderBotFlag})", settings.ProviderBotFlagWeight));
            }
        }
    }
}
