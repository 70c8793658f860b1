using System.Text;
using ClickInsights.Core.Demo;

namespace ClickInsights.Tests.Support;

public static class Samples
{
    public static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    public static byte[] DemoSendGridFile(SimulatorOptions? options = null)
    {
        using var stream = new MemoryStream();
        DemoSimulator.WriteSendGridJson(new DemoSimulator(options ?? new SimulatorOptions()).Generate(), stream);
        return stream.ToArray();
    }

    /// <summary>Events shaped like SendGrid's documented examples, with the odd cases providers.md lists.</summary>
    public const string SendGridOddCases = """
        [
          {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"processed","category":"cat facts","sg_event_id":"rbtnWrG1DVDGGGFHFyun0A==","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000"},
          {"email":"example@test.com","timestamp":"1513299570","event":"delivered","category":["cat facts","weekly"],"sg_event_id":"rWVYmVk90MjZJ9iohOBa3w==","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000","response":"250 OK"},
          {"email":"Example@Test.com","timestamp":1513299600123,"event":"click","category":"cat facts","sg_event_id":"kCAi1KttyQdEKHhdC-nuEA==","useragent":"Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)","ip":"255.255.255.255","url":"http://www.sendgrid.com/","url_offset":{"index":0,"type":"html"}},
          {"email":"example@test.com","timestamp":1513299601,"event":"click","category":"cat facts","sg_event_id":"kCAi1KttyQdEKHhdC-nuEB==","useragent":"python-requests/2.31","ip":"35.1.2.3","url":"http://www.sendgrid.com/pricing","url_offset":3},
          {"email":"example@test.com","timestamp":1513299602,"event":"open","category":"cat facts","sg_event_id":"FOTFFO0ecsBE-zxFXfs6WA==","useragent":"Mozilla/5.0","ip":"17.1.2.3","sg_machine_open":true},
          {"email":"other@test.com","timestamp":1513299603,"event":"group_resubscribe","singlesend_id":"ss-1","singlesend_name":"Spring Sale","send_at":1513299500,"sg_event_id":"x1"},
          {"email":"other@test.com","timestamp":1513299604,"event":"bounce","marketing_campaign_id":12345,"marketing_campaign_name":"Autumn","sg_event_id":"x2","reason":"500 unknown recipient","status":"5.0.0","type":"bounce"}
        ]
        """;
}
