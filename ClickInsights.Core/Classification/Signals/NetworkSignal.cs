namespace ClickInsights.Core.Classification.Signals;

/// <summary>Clicks from networks of mail security vendors, from the catalogue (each entry dated, with a source).</summary>
public sealed class NetworkSignal : IClickSignal
{
    public const string Scanner = "network_scanner";
    public const string Probable = "network_probable";
    public const string Cloud = "network_cloud";

    public string? Unavailable(CampaignAnalysis campaign) =>
        campaign.HasIp ? null : "IP addresses (the source does not carry them)";

    public void Apply(CampaignAnalysis campaign, ClassifierSettings settings, ClickEvidence evidence)
    {
        var cache = new Dictionary<NetworkEntry, Reason>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < campaign.Clicks.Length; i++)
        {
            var entry = campaign.NetworkOf(i);
            if (entry is null)
            {
                continue;
            }
            if (!cache.TryGetValue(entry, out var reason))
            {
                reason = entry.IsCloud
                    ? new Reason(Cloud, $"network {entry.Cidr} belongs to {entry.Owner}; scanners were seen there, but people's cloud desktops use it too ({entry.Source})", settings.CloudNetworkWeight)
                    : entry.Confidence == Confidence.Certain
                        ? new Reason(Scanner, $"network {entry.Cidr} belongs to {entry.Owner} ({entry.Source}, {entry.Date})", settings.ScannerNetworkWeight)
                        : new Reason(Probable, $"network {entry.Cidr} is listed as {entry.Owner}'s (not confirmed); its scanners and browser isolation use it ({entry.Source})", settings.ProbableNetworkWeight);
                cache.Add(entry, reason);
            }
            evidence.Add(i, reason);
        }
    }
}
