namespace ClickInsights.Core.Demo;

/// <summary>How a recipient domain's mail security treats links, as <c>scanners.md</c> describes.</summary>
public enum ScannerKind
{
    None,
    /// <summary>Microsoft Defender Safe Links: every link, before or just after delivery, several IPs, old Chrome or empty agent.</summary>
    SafeLinks,
    /// <summary>Mimecast URL Protect: a fetch just before each of the person's own clicks.</summary>
    Mimecast,
    /// <summary>Proofpoint: pre-sandboxes a subset of links, and sandboxes at the time of click.</summary>
    Proofpoint,
    /// <summary>Barracuda ESS: the first link only, often "View in browser", no self-identification.</summary>
    Barracuda,
}

public sealed record DemoDomain(string Name, ScannerKind Scanner, string Gateway, string MxHost, bool Business);

public static class DemoWorld
{
    public static IReadOnlyList<DemoDomain> Consumer { get; } =
    [
        new("gmail.com", ScannerKind.None, "Google Workspace", "gmail-smtp-in.l.google.com", false),
        new("yahoo.com", ScannerKind.None, "Unknown", "mta5.am0.yahoodns.net", false),
        new("outlook.com", ScannerKind.None, "Microsoft 365", "outlook-com.olc.protection.outlook.com", false),
        new("hotmail.com", ScannerKind.None, "Microsoft 365", "hotmail-com.olc.protection.outlook.com", false),
        new("icloud.com", ScannerKind.None, "Unknown", "mx01.mail.icloud.com", false),
        new("comcast.net", ScannerKind.None, "Unknown", "mx1a1.comcast.net", false),
    ];

    public static IReadOnlyList<DemoDomain> Business { get; } =
    [
        new("harbordental.com", ScannerKind.SafeLinks, "Microsoft 365", "harbordental-com.mail.protection.outlook.com", true),
        new("brightpathschool.org", ScannerKind.SafeLinks, "Microsoft 365", "brightpathschool-org.mail.protection.outlook.com", true),
        new("millerhvac.com", ScannerKind.SafeLinks, "Microsoft 365", "millerhvac-com.mail.protection.outlook.com", true),
        new("northwindlegal.com", ScannerKind.Mimecast, "Mimecast", "us-smtp-inbound-1.mimecast.com", true),
        new("oakridgeclinic.com", ScannerKind.Mimecast, "Mimecast", "us-smtp-inbound-2.mimecast.com", true),
        new("summitaccounting.com", ScannerKind.Proofpoint, "Proofpoint", "mx0a-00123401.pphosted.com", true),
        new("lakesiderealty.com", ScannerKind.Barracuda, "Barracuda", "d123456a.ess.barracudanetworks.com", true),
        new("cedarbuilders.com", ScannerKind.None, "Google Workspace", "aspmx.l.google.com", true),
        new("greenleafcafe.com", ScannerKind.None, "Google Workspace", "smtp.google.com", true),
    ];

    public static IReadOnlyList<DemoDomain> All { get; } = [.. Consumer, .. Business];

    /// <summary>MX hosts of the demo's domains, so the demo shows gateways without a network.</summary>
    public static IReadOnlyDictionary<string, string> MxHosts { get; } = All.ToDictionary(d => d.Name, d => d.MxHost);
}
