using System.Globalization;
using System.Text.Json;
using ClickInsights.Core.Data;

namespace ClickInsights.Core.Demo;

/// <summary>One simulated event, with the truth the simulator knows (for evaluation) next to what a provider reports.</summary>
public sealed record SimulatedEvent
{
    public required string CampaignId { get; init; }
    public required string CampaignName { get; init; }
    public required long CampaignSendAtMs { get; init; }
    public required string EventId { get; init; }
    public required string MessageId { get; init; }
    public required string Email { get; init; }
    public required EventType Type { get; init; }
    public required long TimeMs { get; init; }
    public string? Url { get; init; }
    public int? LinkIndex { get; init; }
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public bool MachineOpen { get; init; }
    /// <summary>For clicks: whether a person made it (false: a scanner). The provider never knows this.</summary>
    public bool? IsHuman { get; init; }
    /// <summary>For scanner events: which scanner.</summary>
    public string? Actor { get; init; }
}

public sealed record SimulatorOptions
{
    public int Seed { get; init; } = 7;
    public int Contacts { get; init; } = 350;
    public int Campaigns { get; init; } = 6;
    /// <summary>Share of contacts at business domains (behind gateways, some of them scanning).</summary>
    public double BusinessShare { get; init; } = 0.4;
    public DateTimeOffset FirstSend { get; init; } = new(2026, 9, 1, 14, 0, 0, TimeSpan.Zero);
    public TimeSpan Interval { get; init; } = TimeSpan.FromDays(14);
    public string SenderDomain { get; init; } = "riversidebakery.com";
    /// <summary>Chance that a contact opens a campaign, and that an opener clicks.</summary>
    public double OpenRate { get; init; } = 0.38;
    public double ClickRate { get; init; } = 0.22;
    /// <summary>Among human clickers: share who click within a minute of delivery.</summary>
    public double FastHumanShare { get; init; } = 0.06;
    /// <summary>Links in every campaign's email (at most 8); null gives each campaign 4 to 7.</summary>
    public int? Links { get; init; }
    /// <summary>
    /// Adds the cases that fall between a person and a scanner, drawn from a random of their own so the rest of the
    /// world stays as it is: people who read at once at domains whose gateway scans, people on cloud desktops, emails
    /// forwarded to someone whose link checker fetches a link later, and gateways that check a single link. The demo
    /// workspace uses them so its scores spread and its settings preview moves; evaluation leaves them out.
    /// </summary>
    public bool BorderlineCases { get; init; }

    /// <summary>The demo workspace's world.</summary>
    public static SimulatorOptions Demo { get; } = new() { BorderlineCases = true };
}

/// <summary>
/// Simulates a small business's campaigns as SendGrid would report them: consumer and business recipients,
/// scanners that behave as <c>scanners.md</c> describes, people who open and click hours later, a few fast
/// people, Apple Mail Privacy Protection opens. Deterministic for a seed; streams campaign by campaign.
/// </summary>
public sealed class DemoSimulator(SimulatorOptions options)
{
    private static readonly string[] CampaignTitles =
    [
        "September Newsletter", "Fall Menu Launch", "Holiday Pre-Orders Open", "Thanksgiving Pies",
        "Winter Workshop Series", "Year-End Thank You", "January Specials", "Valentine's Boxes",
    ];

    private static readonly string[] LinkPaths =
    [
        "view-in-browser", "menu", "order-online", "events", "blog/sourdough-tips", "locations", "gift-cards", "instagram",
    ];

    private static readonly string[] HumanAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.0 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 19_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.0 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:143.0) Gecko/20100101 Firefox/143.0",
    ];

    // Safe Links logs show an old Windows Chrome of varying version, or nothing (scanners.md).
    private static readonly string[] SafeLinksAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.110 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/101.0.4951.64 Safari/537.36",
        "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36",
        "",
    ];

    public IEnumerable<SimulatedEvent> Generate()
    {
        var random = new Random(options.Seed);
        var borderline = new Random(options.Seed + 1);
        var contacts = MakeContacts(random);
        for (int c = 0; c < options.Campaigns; c++)
        {
            foreach (var e in GenerateCampaign(random, borderline, contacts, c))
            {
                yield return e;
            }
        }
    }

    private sealed record Contact(string Email, DemoDomain Domain, string HomeIp, string Agent, bool UsesAppleMail, bool Engaged, bool AzureDesktop);

    private List<Contact> MakeContacts(Random random)
    {
        string[] first = ["anna", "ben", "carla", "dev", "emma", "frank", "grace", "hugo", "ines", "jack", "kim", "liam", "maya", "noah", "olga", "pete", "quinn", "rosa", "sam", "tara", "uma", "vic", "wes", "xena", "yara", "zoe"];
        string[] last = ["smith", "jones", "garcia", "brown", "lee", "martin", "clark", "lopez", "hill", "wood", "king", "baker", "reed", "ward", "cole", "fox"];
        var contacts = new List<Contact>(options.Contacts);
        var used = new HashSet<string>();
        for (int i = 0; contacts.Count < options.Contacts; i++)
        {
            bool business = random.NextDouble() < options.BusinessShare;
            var domains = business ? DemoWorld.Business : DemoWorld.Consumer;
            var domain = domains[random.Next(domains.Count)];
            var local = $"{first[random.Next(first.Length)]}.{last[random.Next(last.Length)]}";
            if (!used.Add(local + "@" + domain.Name))
            {
                local += i.ToString(CultureInfo.InvariantCulture);
                used.Add(local + "@" + domain.Name);
            }
            var ip = business
                ? $"{OfficeOctet(domain.Name)}.{random.Next(1, 255)}.{random.Next(1, 255)}.{random.Next(1, 255)}"
                : $"{new[] { 73, 98, 24, 71, 76, 174, 86, 92 }[random.Next(8)]}.{random.Next(0, 255)}.{random.Next(0, 255)}.{random.Next(1, 255)}";
            contacts.Add(new Contact(
                $"{local}@{domain.Name}",
                domain,
                ip,
                HumanAgents[random.Next(HumanAgents.Length)],
                UsesAppleMail: domain.Name == "icloud.com" || random.NextDouble() < 0.25,
                Engaged: random.NextDouble() < 0.7,
                AzureDesktop: business && random.NextDouble() < 0.05));
        }
        return contacts;
    }

    private static int OfficeOctet(string domain) => 100 + Math.Abs(StableHash(domain) % 90);

    private static int StableHash(string text)
    {
        unchecked
        {
            int hash = 17;
            foreach (var ch in text)
            {
                hash = hash * 31 + ch;
            }
            return hash;
        }
    }

    private IEnumerable<SimulatedEvent> GenerateCampaign(Random random, Random borderline, List<Contact> contacts, int index)
    {
        var sendAt = options.FirstSend + options.Interval * index;
        var sendMs = sendAt.ToUnixTimeMilliseconds();
        var campaignId = $"ss-{options.Seed:x4}-{index + 1:D3}";
        var name = CampaignTitles[index % CampaignTitles.Length] + (index >= CampaignTitles.Length ? $" ({index / CampaignTitles.Length + 1})" : "");
        var linkCount = 4 + random.Next(4);
        if (options.Links is { } fixedLinks)
        {
            linkCount = Math.Clamp(fixedLinks, 1, LinkPaths.Length);
        }
        var links = Enumerable.Range(0, linkCount)
            .Select(i => $"https://www.{options.SenderDomain}/{LinkPaths[i % LinkPaths.Length]}?utm_campaign={campaignId}")
            .ToArray();
        int counter = 0;
        var events = new List<SimulatedEvent>(16);

        foreach (var contact in contacts)
        {
            events.Clear();
            var messageId = $"{campaignId}-{StableHash(contact.Email) & 0x7fffffff:x8}";
            SimulatedEvent Make(EventType type, long time, string? url = null, int? link = null, string? ip = null, string? agent = null, bool machine = false, bool? human = null, string? actor = null) => new()
            {
                CampaignId = campaignId,
                CampaignName = name,
                CampaignSendAtMs = sendMs,
                EventId = $"{campaignId}.{messageId}.{counter++}",
                MessageId = messageId,
                Email = contact.Email,
                Type = type,
                TimeMs = time,
                Url = url,
                LinkIndex = link,
                Ip = ip,
                UserAgent = agent,
                MachineOpen = machine,
                IsHuman = human,
                Actor = actor,
            };

            // Queueing before the send starts, then delivery; gateways that scan before delivery hold the mail.
            var processed = sendMs + random.Next(0, 40_000);
            events.Add(Make(EventType.Sent, processed));
            if (random.NextDouble() < 0.01)
            {
                events.Add(Make(EventType.Bounce, processed + random.Next(2_000, 30_000)));
                foreach (var e in events)
                {
                    yield return e;
                }
                continue;
            }
            var scanner = contact.Domain.Scanner;
            long delivered = processed + (scanner == ScannerKind.SafeLinks ? random.Next(5_000, 90_000) : random.Next(1_000, 20_000));
            events.Add(Make(EventType.Delivered, delivered));

            // Scanner behaviour that does not depend on a person.
            switch (scanner)
            {
                case ScannerKind.SafeLinks when random.NextDouble() < 0.9:
                {
                    // Bursts start a median ~43 s after send, a third a minute or more; some before delivery.
                    var start = processed + (long)LogNormal(random, 43_000, 0.9, 4_000, 400_000);
                    var agent = SafeLinksAgents[random.Next(SafeLinksAgents.Length)];
                    var ips = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => SafeLinksIp(random)).ToArray();
                    for (int l = 0; l < links.Length; l++)
                    {
                        var t = start + random.Next(0, 1_800);
                        events.Add(Make(EventType.Click, t, links[l], l, ips[random.Next(ips.Length)], agent, human: false, actor: "Safe Links"));
                    }
                    if (random.NextDouble() < 0.05)
                    {
                        events.Add(Make(EventType.Unsubscribe, start + random.Next(0, 2_000), ip: ips[0], agent: agent, actor: "Safe Links"));
                    }
                    break;
                }
                case ScannerKind.Proofpoint when random.NextDouble() < 0.7:
                {
                    // Predictive pre-sandboxing of a subset of links.
                    var start = delivered + random.Next(20_000, 240_000);
                    var subset = links.Select((url, i) => (url, i)).OrderBy(_ => random.Next()).Take(2 + random.Next(2)).ToArray();
                    var ip = ProofpointIp(random);
                    foreach (var (url, i) in subset)
                    {
                        events.Add(Make(EventType.Click, start + random.Next(0, 1_500), url, i, ip, HumanAgents[0], human: false, actor: "Proofpoint"));
                    }
                    break;
                }
                case ScannerKind.Barracuda when random.NextDouble() < 0.85:
                    events.Add(Make(EventType.Click, delivered + random.Next(8_000, 120_000), links[0], 0,
                        $"209.222.{80 + random.Next(8)}.{random.Next(1, 255)}", HumanAgents[0], human: false, actor: "Barracuda"));
                    break;
            }

            // A few link checkers and self-named scanners anywhere.
            var oddity = random.NextDouble();
            if (oddity < 0.008)
            {
                events.Add(Make(EventType.Click, delivered + random.Next(1_000, 600_000), links[random.Next(links.Length)], null,
                    $"35.{random.Next(180, 240)}.{random.Next(0, 255)}.{random.Next(1, 255)}", "python-requests/2.32.3", human: false, actor: "link checker"));
            }
            else if (oddity < 0.014 && contact.Domain.Business)
            {
                events.Add(Make(EventType.Click, delivered + random.Next(1_000, 300_000), links[0], 0,
                    $"64.235.{144 + random.Next(16)}.{random.Next(1, 255)}", "Barracuda Sentinel (EE)", human: false, actor: "Barracuda Sentinel"));
            }

            // Apple Mail Privacy Protection opens soon after delivery, whoever reads.
            if (contact.UsesAppleMail)
            {
                events.Add(Make(EventType.Open, delivered + random.Next(10_000, 900_000), ip: $"17.{random.Next(0, 255)}.{random.Next(0, 255)}.{random.Next(1, 255)}", agent: "Mozilla/5.0", machine: true));
            }

            // The person.
            if (random.NextDouble() < options.OpenRate * (contact.Engaged ? 1.3 : 0.4))
            {
                bool fast = random.NextDouble() < options.FastHumanShare;
                long readAt = fast ? delivered + random.Next(3_000, 40_000) : delivered + (long)LogNormal(random, 3 * 3_600_000, 1.2, 120_000, 5L * 86_400_000);
                var ip = contact.AzureDesktop ? $"20.{random.Next(40, 90)}.{random.Next(0, 255)}.{random.Next(1, 255)}" : contact.HomeIp;
                if (!contact.UsesAppleMail && random.NextDouble() < 0.85)
                {
                    events.Add(Make(EventType.Open, readAt, ip: ip, agent: contact.Agent));
                }
                if (random.NextDouble() < options.ClickRate * (contact.Engaged ? 1.4 : 0.6))
                {
                    var clickAt = readAt + (fast ? random.Next(8_000, 25_000) : random.Next(5_000, 240_000));
                    var count = random.NextDouble() < 0.75 ? 1 : 2 + random.Next(4);
                    var chosen = Enumerable.Range(1, links.Length - 1).OrderBy(_ => random.Next()).Take(count).ToList();
                    if (random.NextDouble() < 0.1)
                    {
                        chosen[0] = 0;
                    }
                    foreach (var l in chosen)
                    {
                        foreach (var pre in TimeOfClickScan(random, scanner, clickAt, links[l], l, Make))
                        {
                            events.Add(pre);
                        }
                        events.Add(Make(EventType.Click, clickAt, links[l], l, ip, contact.Agent, human: true, actor: "person"));
                        // People move between links over seconds to minutes, not milliseconds.
                        clickAt += random.Next(20_000, 180_000);
                    }
                    if (random.NextDouble() < 0.02)
                    {
                        events.Add(Make(EventType.Unsubscribe, clickAt + random.Next(60_000, 600_000), ip: ip, agent: contact.Agent, actor: "person"));
                    }
                }
            }

            if (options.BorderlineCases)
            {
                AddBorderlineCase(borderline, contact, delivered, links, events, Make);
            }

            foreach (var e in events)
            {
                yield return e;
            }
        }
    }

    /// <summary>
    /// At most one case between a person and a scanner for this recipient: what makes a classifier's scores spread
    /// between the clear ends, and what a change of settings moves.
    /// </summary>
    private static void AddBorderlineCase(Random random, Contact contact, long delivered, string[] links, List<SimulatedEvent> events,
        Func<EventType, long, string?, int?, string?, string?, bool, bool?, string?, SimulatedEvent> make)
    {
        var roll = random.NextDouble();
        var scanned = contact.Domain.Scanner is ScannerKind.SafeLinks or ScannerKind.Mimecast;
        var link = 1 + random.Next(links.Length - 1);
        if (scanned && roll < 0.06)
        {
            // Someone at a scanned domain who reads at once: an open, then one click within two minutes of delivery.
            var readAt = delivered + random.Next(15_000, 60_000);
            events.Add(make(EventType.Open, readAt, null, null, contact.HomeIp, contact.Agent, false, null, null));
            events.Add(make(EventType.Click, readAt + random.Next(8_000, 50_000), links[link], link, contact.HomeIp, contact.Agent, false, true, "fast person at a scanned domain"));
        }
        else if (contact.Domain.Business && roll < 0.16)
        {
            // A person on a cloud desktop (Azure Virtual Desktop, Windows 365): a cloud network, minutes after delivery.
            var ip = $"20.{random.Next(40, 90)}.{random.Next(0, 255)}.{random.Next(1, 255)}";
            var readAt = delivered + random.Next(60_000, 300_000);
            events.Add(make(EventType.Open, readAt, null, null, ip, HumanAgents[4], false, null, null));
            events.Add(make(EventType.Click, readAt + random.Next(10_000, 90_000), links[link], link, ip, HumanAgents[4], false, true, "person on a cloud desktop"));
        }
        else if (roll is >= 0.5 and < 0.53)
        {
            // Forwarded: hours later the colleague's gateway (Barracuda's network) fetches one link, then the colleague
            // clicks it from their own network, both counted against the recipient's address.
            var forwardedAt = delivered + random.Next(2 * 3_600_000, 20 * 3_600_000);
            events.Add(make(EventType.Click, forwardedAt, links[link], link, $"209.222.{80 + random.Next(8)}.{random.Next(1, 255)}",
                HumanAgents[0], false, false, "gateway of a forwarded copy"));
            events.Add(make(EventType.Click, forwardedAt + random.Next(30_000, 600_000), links[link], link,
                $"{new[] { 68, 99, 108 }[random.Next(3)]}.{random.Next(0, 255)}.{random.Next(0, 255)}.{random.Next(1, 255)}", HumanAgents[random.Next(HumanAgents.Length)],
                false, true, "colleague of a forwarded copy"));
        }
        else if (contact.Domain.Scanner == ScannerKind.SafeLinks && roll is >= 0.6 and < 0.72)
        {
            // A gateway that checks a single link from a cloud network with a current browser's agent, within minutes.
            events.Add(make(EventType.Click, delivered + random.Next(20_000, 400_000), links[0], 0,
                $"20.{random.Next(160, 200)}.{random.Next(0, 255)}.{random.Next(1, 255)}", HumanAgents[4], false, false, "single-link check"));
        }
    }

    private static IEnumerable<SimulatedEvent> TimeOfClickScan(Random random, ScannerKind scanner, long clickAt, string url, int link,
        Func<EventType, long, string?, int?, string?, string?, bool, bool?, string?, SimulatedEvent> make)
    {
        // Mimecast (always) and Proofpoint (often) fetch the link just before the person's browser does.
        if (scanner == ScannerKind.Mimecast || (scanner == ScannerKind.Proofpoint && random.NextDouble() < 0.6))
        {
            var ip = scanner == ScannerKind.Mimecast ? MimecastIp(random) : ProofpointIp(random);
            yield return make(EventType.Click, clickAt - random.Next(300, 4_000), url, link, ip, HumanAgents[0], false, false, scanner.ToString());
        }
    }

    private static string SafeLinksIp(Random random) => random.Next(4) switch
    {
        0 => $"40.94.{random.Next(0, 255)}.{random.Next(1, 255)}",
        1 => $"52.{100 + random.Next(4)}.{random.Next(0, 255)}.{random.Next(1, 255)}",
        2 => $"104.47.{random.Next(0, 127)}.{random.Next(1, 255)}",
        _ => $"40.107.{random.Next(0, 255)}.{random.Next(1, 255)}",
    };

    private static string MimecastIp(Random random) => random.Next(3) switch
    {
        0 => $"205.139.110.{random.Next(1, 255)}",
        1 => $"207.211.30.{random.Next(1, 255)}",
        _ => $"170.10.{128 + random.Next(4)}.{random.Next(1, 255)}",
    };

    private static string ProofpointIp(Random random) => random.Next(2) == 0
        ? $"148.163.{128 + random.Next(127)}.{random.Next(1, 255)}"
        : $"67.231.{144 + random.Next(16)}.{random.Next(1, 255)}";

    private static double LogNormal(Random random, double median, double sigma, double min, double max)
    {
        // Box–Muller.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Math.Clamp(median * Math.Exp(sigma * normal), min, max);
    }

    /// <summary>Writes events as a SendGrid Event Webhook JSON array, streaming.</summary>
    public static void WriteSendGridJson(IEnumerable<SimulatedEvent> events, Stream output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, SkipValidation = true });
        writer.WriteStartArray();
        foreach (var e in events)
        {
            writer.WriteStartObject();
            writer.WriteString("email", e.Email);
            writer.WriteNumber("timestamp", e.TimeMs / 1000);
            writer.WriteString("event", e.Type switch
            {
                EventType.Sent => "processed",
                EventType.Delivered => "delivered",
                EventType.Open => "open",
                EventType.Click => "click",
                EventType.Bounce => "bounce",
                EventType.Unsubscribe => "unsubscribe",
                _ => "deferred",
            });
            writer.WriteString("sg_event_id", e.EventId);
            writer.WriteString("sg_message_id", e.MessageId + ".filter0001.1-1");
            writer.WriteString("smtp-id", $"<{e.MessageId}@ismtpd0001p1>");
            if (e.Url is not null)
            {
                writer.WriteString("url", e.Url);
                if (e.LinkIndex is { } index)
                {
                    writer.WriteStartObject("url_offset");
                    writer.WriteNumber("index", index);
                    writer.WriteString("type", "html");
                    writer.WriteEndObject();
                }
            }
            if (e.Ip is not null)
            {
                writer.WriteString("ip", e.Ip);
            }
            if (e.UserAgent is not null)
            {
                writer.WriteString("useragent", e.UserAgent);
            }
            if (e.Type == EventType.Open)
            {
                writer.WriteBoolean("sg_machine_open", e.MachineOpen);
            }
            if (e.Type == EventType.Bounce)
            {
                writer.WriteString("type", "bounce");
                writer.WriteString("reason", "550 5.1.1 The email account that you tried to reach does not exist");
                writer.WriteString("status", "5.1.1");
            }
            writer.WriteStartArray("category");
            writer.WriteStringValue("newsletter");
            writer.WriteEndArray();
            writer.WriteString("singlesend_id", e.CampaignId);
            writer.WriteString("singlesend_name", e.CampaignName);
            writer.WriteNumber("send_at", e.CampaignSendAtMs / 1000);
            writer.WriteEndObject();
            if (writer.BytesPending > 1 << 16)
            {
                writer.Flush();
            }
        }
        writer.WriteEndArray();
        writer.Flush();
    }
}
