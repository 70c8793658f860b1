using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;

namespace ClickInsights.Tests.Import;

/// <summary>Mailchimp Transactional (Mandrill) webhook events, in the shape of its webhook documentation (providers.md).</summary>
public sealed class MandrillReaderTests
{
    public const string Events = """
        [{"event":"send","ts":1772470000,"_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa","msg":{"_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa","ts":1772470000,"email":"ann@example.com","subject":"Your order has shipped","sender":"shop@bakery.example","tags":["order-shipped"],"metadata":{"user_id":111},"state":"sent","opens":[],"clicks":[]}},
         {"event":"open","ts":1772470003,"_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa","ip":"127.0.0.1","user_agent":"Mozilla/5.0 (Windows NT 10.0)","location":{"country":"United States"},"user_agent_parsed":{"type":"Browser"},"msg":{"_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa","ts":1772470000,"email":"ann@example.com","subject":"Your order has shipped","sender":"shop@bakery.example","tags":["order-shipped"],"state":"sent"}},
         {"event":"click","ts":1772470004,"_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa","ip":"40.94.12.7","user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/79.0","url":"https://bakery.example/track","msg":{"_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa","ts":1772470000,"email":"ann@example.com","subject":"Your order has shipped","sender":"shop@bakery.example","tags":["order-shipped"],"state":"sent"}},
         {"event":"click","ts":1772470004,"_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa","ip":"40.94.12.7","user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/79.0","url":"https://bakery.example/returns","msg":{"_id":"exampleaaaaaaaaaaaaaaaaaaaaaaaaa","ts":1772470000,"email":"ann@example.com","subject":"Your order has shipped","sender":"shop@bakery.example","tags":["order-shipped"],"state":"sent"}},
         {"event":"hard_bounce","ts":1772470100,"_id":"examplebbbbbbbbbbbbbbbbbbbbbbbbb","msg":{"_id":"examplebbbbbbbbbbbbbbbbbbbbbbbbb","ts":1772470000,"email":"gone@example.org","subject":"Welcome","sender":"shop@bakery.example","tags":[],"state":"bounced"}},
         {"event":"unsub","ts":1772470200,"_id":"examplecccccccccccccccccccccccccc","msg":{"_id":"examplecccccccccccccccccccccccccc","ts":1772470000,"email":"Bob@Example.com","subject":"Welcome","sender":"shop@bakery.example","tags":[],"state":"sent"}}]
        """;

    [Fact]
    public async Task Read_EveryEventKind_WithItsClickerAndCampaign()
    {
        Assert.Equal("Mailchimp Transactional (Mandrill) webhook JSON", await ReaderHarness.DetectedFormatAsync(Events));

        var events = await ReaderHarness.ReadEventsAsync(new MandrillReader(), Events);

        Assert.Equal([EventType.Sent, EventType.Open, EventType.Click, EventType.Click, EventType.Bounce, EventType.Unsubscribe], events.Select(e => e.Type));
        Assert.Equal(6, events.Select(e => e.ExternalId).Distinct().Count());
        var click = events[2];
        Assert.Equal(("ann@example.com", "40.94.12.7", "https://bakery.example/track", "order-shipped"), (click.Email, click.Ip, click.Url, click.CampaignKey));
        Assert.Equal(1772470004000, click.OccurredAtMs);
        Assert.Equal(("Welcome", "bob@example.com"), (events[5].CampaignName, events[5].Email));
    }

    [Fact]
    public async Task Import_Twice_StoresOnce()
    {
        var (first, second, _, _) = await ReaderHarness.ImportTwiceAsync(Events, "mandrill_events.json");

        Assert.Equal((6, 2), (first.EventsAdded, first.Clicks));
        Assert.Equal(0, second.EventsAdded);
    }
}
