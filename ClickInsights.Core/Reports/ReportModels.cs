using ClickInsights.Core.Classification;
using ClickInsights.Core.Classification.Signals;

namespace ClickInsights.Core.Reports;

/// <summary>One campaign's headline figures. Rates are fractions (0.061 = 6.1 %).</summary>
public sealed record CampaignRow(
    int Id,
    string Name,
    string Source,
    DateTime? SentAt,
    int Delivered,
    int Clicks,
    int UniqueClickers,
    int HumanClickers,
    int HumanClicks,
    int SuspectClicks,
    int BotClicks,
    bool DeliveredByHand = false,
    DateTime? FirstEventAt = null)
{
    /// <summary>When the campaign went out: its send time, else (a source without sends) its first event.</summary>
    public DateTime? SentOrFirstEventAt => SentAt ?? FirstEventAt;

    /// <summary>Unique clickers / delivered: what the provider's report shows; null when the source tells nothing of deliveries or sends (Postmark's clicks).</summary>
    public double? RawClickRate => Delivered == 0 ? null : (double)UniqueClickers / Delivered;
    /// <summary>Recipients with at least one human click / delivered; null when deliveries are unknown.</summary>
    public double? RealClickRate => Delivered == 0 ? null : (double)HumanClickers / Delivered;
    /// <summary>Share of clicks that were bots.</summary>
    public double BotShare => Clicks == 0 ? 0 : (double)BotClicks / Clicks;
    public int MachineClicks => BotClicks + SuspectClicks;
}

public sealed record LinkRow(int LinkId, string Url, int? Position, int RawClicks, int HumanClicks, int SuspectClicks, int BotClicks);

public sealed record ReasonCount(string Code, string Label, int Clicks);

public sealed record CampaignDetail(CampaignRow Campaign, IReadOnlyList<LinkRow> Links, IReadOnlyList<ReasonCount> Reasons, IReadOnlyList<string> UnavailableSignals, int Opens, int Unsubscribes, int WorkspaceId);

public static class ReasonLabels
{
    public static string Of(string code) => code switch
    {
        UserAgentSignal.SelfNamed => "Scanner names itself in its user agent",
        UserAgentSignal.Automation => "Automation tool, not a browser",
        UserAgentSignal.Claimed => "User agent said to be a scanner",
        AgentAgeSignal.Empty => "No user agent",
        AgentAgeSignal.Outdated => "Years-old browser version",
        NetworkSignal.Scanner => "Mail-security vendor's network",
        NetworkSignal.Probable => "Network listed as a vendor's (unconfirmed)",
        NetworkSignal.Cloud => "Cloud network scanners use",
        BurstSignal.Code => "Several links within seconds",
        EveryLinkSignal.Code => "Every link of the email",
        TimingSignal.BeforeDelivery => "Clicked before delivery",
        TimingSignal.Early => "Clicked right after delivery",
        ClickWithoutOpenSignal.Code => "Clicked without opening",
        SandboxPairSignal.Precheck => "Gateway check just before a person's click",
        SandboxPairSignal.FollowedByPerson => "Person clicking after a gateway check",
        ProviderFlagSignal.Code => "Flagged by the provider",
        HoneypotSignal.Code => "Clicked the hidden link",
        DomainPatternSignal.Code => "Domain whose gateway checks links",
        PersonSignal.LaterIsolated => "A single click, later on",
        PersonSignal.ConfirmedHuman => "Confirmed person after a scan",
        ClassificationService.OverrideReasonCode => "Marked by a person",
        _ => code,
    };
}
