namespace ClickInsights.Tests.Support;

/// <summary>
/// Files shaped like the providers' documented responses and webhook bodies (shared/reference/providers.md and
/// the providers' API references), with the odd cases providers.md lists.
/// </summary>
public static class ProviderSamples
{
    public const string ConstantContactActivityId = "98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51";

    /// <summary>A clicks page: the documented example, a millisecond time, missing names, a relative next link.</summary>
    public const string ConstantContactClicks = """
        {
          "tracking_activities": [
            {
              "contact_id": "a2fdc285-f2ad-4ad7-b8d3-0f7f3c1a6f32",
              "campaign_activity_id": "98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51",
              "tracking_activity_type": "em_clicks",
              "email_address": "maddieb@gmail.com",
              "first_name": "Maddie",
              "last_name": "Brown",
              "device_type": "computer",
              "url_id": "1100407204171",
              "link_url": "http://www.yoursite.com",
              "created_time": "2019-04-25T11:08:00.000Z"
            },
            {
              "contact_id": "0c1d7a52-5d3a-4c0e-9d5e-2b8f4c3a1e77",
              "campaign_activity_id": "98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51",
              "tracking_activity_type": "em_clicks",
              "email_address": " J.Smith@Example.COM ",
              "device_type": "mobile",
              "url_id": "1100407204172",
              "link_url": "https://www.yoursite.com/menu?utm_source=cc",
              "created_time": "2019-04-25T11:09:31.412Z",
              "deleted_at": "2020-01-02"
            },
            {
              "contact_id": "7e0b5d2c-1f4a-4e8b-a3c9-6d2e1f0a9b88",
              "campaign_activity_id": "98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51",
              "tracking_activity_type": "em_clicks",
              "email_address": "scanner-target@bigcorp.example",
              "first_name": "",
              "device_type": "other",
              "url_id": "1100407204171",
              "link_url": "http://www.yoursite.com",
              "created_time": "2019-04-25T13:08:00Z"
            }
          ],
          "_links": {
            "next": {
              "href": "/v3/reports/email_reports/98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51/tracking/clicks?cursor=bGltaXQ9MyZuZXh0PTM="
            }
          }
        }
        """;

    /// <summary>A bounces page with an absolute next link.</summary>
    public const string ConstantContactBounces = """
        {"tracking_activities":[{"contact_id":"5b7a0e3c-8c2d-4f61-9a4e-3d2c1b0a9f87","campaign_activity_id":"98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51","tracking_activity_type":"em_bounces","email_address":"gone@oldisp.example","current_email_address":"gone@oldisp.example","bounce_code":"B","created_time":"2019-04-25T10:02:00.000Z"}],"_links":{"next":{"href":"https://api.cc.email/v3/reports/email_reports/98edac88-fb5e-4b2b-8e3a-1c0b2f0e8c51/tracking/bounces?cursor=bGltaXQ9MSZuZXh0PTI="}}}
        """;

    public const string ConstantContactEmptyPage = """{"tracking_activities":[]}""";

    /// <summary>The links report; it does not name its campaign, the file name does.</summary>
    public const string ConstantContactLinks = """
        {
          "link_click_counts": [
            {"url_id": "1100407204171", "link_url": "http://www.yoursite.com", "unique_clicks": 2},
            {"url_id": "1100407204172", "link_url": "https://www.yoursite.com/menu?utm_source=cc", "unique_clicks": 1},
            {"url_id": "1100407204173", "link_url": "https://www.yoursite.com/unclicked", "unique_clicks": 0}
          ]
        }
        """;

    public const string MailchimpCampaignId = "42694e9e57";

    /// <summary>Email activity: open, clicks, a bounce; the second recipient names no campaign (the page does, after its array).</summary>
    public const string MailchimpEmailActivity = """
        {
          "emails": [
            {
              "campaign_id": "42694e9e57",
              "list_id": "57afe96172",
              "list_is_active": true,
              "email_id": "62eeb292278cc15f5817cb78f7790b08",
              "email_address": "Urist.McVankab@freddiesjokes.com",
              "activity": [
                {"action": "open", "timestamp": "2015-09-15T19:15:47+00:00", "ip": "198.2.191.34"},
                {"action": "click", "timestamp": "2015-09-15T19:15:51+00:00", "url": "http://mailchimp.com", "ip": "198.2.191.34"},
                {"action": "click", "timestamp": "2015-09-15T21:15:51+02:00", "url": "http://mailchimp.com/pricing", "ip": "40.94.31.7"}
              ],
              "_links": [{"rel": "parent", "href": "https://us14.api.mailchimp.com/3.0/reports/42694e9e57/email-activity", "method": "GET"}]
            },
            {
              "list_id": "57afe96172",
              "list_is_active": true,
              "email_id": "2b6d4d6b8a1c5f0e9d7c3b2a1f0e9d8c",
              "email_address": "bounced@example.org",
              "activity": [
                {"action": "bounce", "type": "hard", "timestamp": "2015-09-15T18:50:02+00:00"}
              ]
            },
            {
              "campaign_id": "42694e9e57",
              "list_id": "57afe96172",
              "list_is_active": false,
              "email_id": "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f",
              "email_address": "quiet@example.org",
              "activity": []
            }
          ],
          "campaign_id": "42694e9e57",
          "total_items": 3,
          "_links": [{"rel": "self", "href": "https://us14.api.mailchimp.com/3.0/reports/42694e9e57/email-activity", "method": "GET"}]
        }
        """;

    public const string MailchimpEmptyActivity = """{"emails":[],"campaign_id":"42694e9e57","total_items":0,"_links":[]}""";

    public const string MailchimpClickDetails = """
        {
          "urls_clicked": [
            {"id": "fe0a7e2f1b", "url": "http://mailchimp.com", "total_clicks": 1, "click_percentage": 0.5, "unique_clicks": 1, "unique_click_percentage": 0.5, "last_click": "2015-09-15T19:15:51+00:00", "ab_split": {"a": {"total_clicks_a": 0}, "b": {"total_clicks_b": 0}}, "campaign_id": "42694e9e57", "_links": []},
            {"id": "a81c4e0d9b", "url": "http://mailchimp.com/pricing", "total_clicks": 1, "click_percentage": 0.5, "unique_clicks": 1, "unique_click_percentage": 0.5, "last_click": "2015-09-15T19:15:51+00:00", "_links": []}
          ],
          "campaign_id": "42694e9e57",
          "total_items": 2,
          "_links": []
        }
        """;

    public const string MailchimpSentTo = """
        {
          "sent_to": [
            {"email_id": "62eeb292278cc15f5817cb78f7790b08", "email_address": "urist.mcvankab@freddiesjokes.com", "merge_fields": {"FNAME": "Urist", "LNAME": "McVankab"}, "vip": false, "status": "sent", "open_count": 1, "last_open": "2015-09-15T19:15:47+00:00", "absplit_group": "", "gmt_offset": 0, "campaign_id": "42694e9e57", "list_id": "57afe96172", "list_is_active": true, "_links": []},
            {"email_id": "2b6d4d6b8a1c5f0e9d7c3b2a1f0e9d8c", "email_address": "Bounced@Example.org", "status": "hard", "open_count": 0, "last_open": "", "campaign_id": "42694e9e57", "list_id": "57afe96172", "_links": []},
            {"email_id": "5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c", "email_address": "full-mailbox@example.net", "status": "soft", "open_count": 0, "last_open": "", "campaign_id": "42694e9e57", "list_id": "57afe96172", "_links": []}
          ],
          "campaign_id": "42694e9e57",
          "total_items": 3,
          "_links": []
        }
        """;

    public const string MailchimpReports = """
        {
          "reports": [
            {"id": "42694e9e57", "campaign_title": "September Newsletter", "type": "regular", "list_id": "57afe96172", "list_is_active": true, "list_name": "Freddie's Jokes", "subject_line": "Jokes for September", "preview_text": "", "emails_sent": 3, "abuse_reports": 0, "unsubscribed": 0, "send_time": "2015-09-15T14:40:36+00:00", "bounces": {"hard_bounces": 1, "soft_bounces": 1, "syntax_errors": 0}, "opens": {"opens_total": 1, "proxy_excluded_opens": 0, "unique_opens": 1, "open_rate": 0.5, "last_open": "2015-09-15T19:15:47+00:00"}, "clicks": {"clicks_total": 2, "unique_clicks": 1}, "timeseries": [], "_links": []},
            {"id": "b03bfc273a", "campaign_title": "October draft", "type": "regular", "emails_sent": 0, "send_time": "", "_links": []}
          ],
          "total_items": 2,
          "_links": []
        }
        """;

    public const string MailchimpReport = """
        {"id":"42694e9e57","campaign_title":"September Newsletter","type":"regular","list_id":"57afe96172","emails_sent":3,"abuse_reports":0,"unsubscribed":0,"send_time":"2015-09-15T14:40:36+00:00","opens":{"opens_total":1,"proxy_excluded_opens":0},"timeseries":[{"timestamp":"2015-09-15T14:00:00+00:00","emails_sent":3,"unique_opens":0,"recipients_clicks":0}],"_links":[]}
        """;

    /// <summary>An Events API page: every mapped event name, float seconds, campaigns as objects, user-variables, tags, none.</summary>
    public const string MailgunEventsPage = """
        {
          "items": [
            {
              "event": "clicked",
              "id": "DACSsAdVSeGpLid7TN03WA",
              "timestamp": 1529006854.329574,
              "log-level": "info",
              "recipient": "Alice@Example.com",
              "recipient-domain": "example.com",
              "url": "https://example.com/spring",
              "ip": "50.56.129.169",
              "geolocation": {"country": "US", "region": "CA", "city": "San Francisco"},
              "tags": ["spring-sale"],
              "campaigns": [{"id": "c-2018-spring", "name": "Spring 2018"}],
              "user-variables": {},
              "client-info": {"client-type": "browser", "client-os": "Linux", "device-type": "desktop", "client-name": "Chrome", "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/66.0.3359.181 Safari/537.36", "bot": ""},
              "message": {"headers": {"message-id": "20180614200734.1.A9C38B2DD2D0E1FC@mg.example.com"}}
            },
            {
              "event": "opened",
              "id": "0Bh4vVv2Q0Om3VYgQmNjXg",
              "timestamp": 1529006900,
              "log-level": "info",
              "recipient": "alice@example.com",
              "ip": "17.58.101.8",
              "tags": [],
              "campaigns": [],
              "user-variables": {"campaign_id": "spring-2018", "customer": "42"},
              "client-info": {"client-type": "mobile browser", "client-os": "iOS", "device-type": "mobile", "client-name": "Mobile Safari", "user-agent": "Mozilla/5.0", "bot": "apple"},
              "message": {"headers": {"message-id": "20180614200734.1.A9C38B2DD2D0E1FC@mg.example.com"}}
            },
            {
              "event": "delivered",
              "id": "W3X4Y5Z6A7B8C9D0E1F2G3",
              "timestamp": 1529006850.5,
              "log-level": "info",
              "recipient": "bob@example.org",
              "envelope": {"sender": "news@mg.example.com", "transport": "smtp", "targets": "bob@example.org"},
              "delivery-status": {"code": 250, "message": "OK", "attempt-no": 1, "tls": true},
              "tags": ["spring-sale", "newsletter"],
              "campaigns": [],
              "user-variables": {},
              "message": {"headers": {"message-id": "20180614200734.2.B1C2@mg.example.com"}}
            },
            {"event": "accepted", "id": "acc-1", "timestamp": 1529006840.001, "log-level": "info", "recipient": "bob@example.org", "tags": [], "campaigns": [], "user-variables": {}},
            {"event": "failed", "id": "fail-perm", "severity": "permanent", "reason": "bounce", "timestamp": 1529006841, "log-level": "error", "recipient": "nobody@example.net", "delivery-status": {"code": 550, "message": "No such user"}},
            {"event": "failed", "id": "fail-temp", "severity": "temporary", "reason": "generic", "timestamp": 1529006842, "log-level": "warn", "recipient": "slow@example.net", "delivery-status": {"code": 421, "message": "Try again later"}},
            {"event": "unsubscribed", "id": "unsub-1", "timestamp": 1529007000, "log-level": "info", "recipient": "alice@example.com", "ip": "50.56.129.169", "tags": ["spring-sale"]},
            {"event": "complained", "id": "spam-1", "timestamp": 1529007100, "log-level": "warn", "recipient": "bob@example.org", "tags": ["spring-sale"]},
            {"event": "stored", "id": "stored-1", "timestamp": 1529007200, "log-level": "info", "recipient": "bob@example.org"}
          ],
          "paging": {
            "next": "https://api.mailgun.net/v3/mg.example.com/events/WzMsIFsiYiJdLCB7fV0=",
            "previous": "https://api.mailgun.net/v3/mg.example.com/events/WzMsIFsiZiJdLCB7fV0=",
            "first": "https://api.mailgun.net/v3/mg.example.com/events/WzMsIFsiZiJdLCB7fV0=",
            "last": "https://api.mailgun.net/v3/mg.example.com/events/WzMsIFsicCJdLCB7fV0="
          }
        }
        """;

    public const string MailgunEmptyPage = """{"items":[],"paging":{"next":"https://api.mailgun.net/v3/mg.example.com/events/WzMsIFsiYiJdLCB7fV0=","previous":"https://api.mailgun.net/v3/mg.example.com/events/WzMsIFsiZiJdLCB7fV0="}}""";

    /// <summary>A clicked webhook as Mailgun posts it.</summary>
    public const string MailgunWebhook = """
        {
          "signature": {
            "timestamp": "1529006854",
            "token": "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
            "signature": "d2271d12299f6592d9d44cd9d250f0704e4674c30d79d07c47a66f95ce71cf55"
          },
          "event-data": {
            "event": "clicked",
            "timestamp": 1529006854.329574,
            "id": "DACSsAdVSeGpLid7TN03WA",
            "recipient": "alice@example.com",
            "url": "https://example.com/spring",
            "ip": "50.56.129.169",
            "tags": ["my_tag_1", "my_tag_2"],
            "campaigns": [],
            "user-variables": {"my_var_1": "Mailgun Variable #1", "my-var-2": "awesome"},
            "client-info": {"client-type": "browser", "client-os": "Linux", "device-type": "desktop", "client-name": "Chrome", "user-agent": "Mozilla/5.0 (X11; Linux x86_64)"},
            "message": {"headers": {"message-id": "20130503182626.18666.16540@sandboxXXXX.mailgun.org"}},
            "recipient-domain": "example.com",
            "log-level": "info"
          }
        }
        """;

    /// <summary>Webhook bodies and a bare event, one per line, as a webhook receiver might log them.</summary>
    public const string MailgunWebhookLines = """
        {"signature":{"timestamp":"1529006854","token":"t1","signature":"s1"},"event-data":{"event":"clicked","timestamp":1529006854.329574,"id":"line-1","recipient":"alice@example.com","url":"https://example.com/a","ip":"40.94.31.7","client-info":{"user-agent":"Mozilla/5.0","bot":"generic"},"tags":["spring-sale"],"log-level":"info"}}
        {"signature":{"timestamp":"1529006855","token":"t2","signature":"s2"},"event-data":{"event":"opened","timestamp":1529006855.1,"id":"line-2","recipient":"alice@example.com","ip":"66.249.84.1","client-info":{"user-agent":"Mozilla/5.0 (via ggpht.com GoogleImageProxy)","bot":"gmail"},"tags":["spring-sale"],"log-level":"info"}}
        {"event":"delivered","timestamp":1529006850,"id":"line-3","recipient":"carol@example.com","tags":["spring-sale"],"log-level":"info"}
        """;

    /// <summary>Postmark's documented click webhook.</summary>
    public const string PostmarkClickWebhook = """
        {
          "RecordType": "Click",
          "MessageStream": "outbound",
          "ClickLocation": "HTML",
          "Client": {"Name": "Chrome 35.0.1916.153", "Company": "Google", "Family": "Chrome"},
          "OS": {"Name": "OS X 10.7 Lion", "Company": "Apple Computer, Inc.", "Family": "OS X 10"},
          "Platform": "WebMail",
          "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0.1916.153 Safari/537.36",
          "OriginalLink": "https://example.com",
          "Geo": {"CountryISOCode": "RS", "Country": "Serbia", "RegionISOCode": "VO", "Region": "Autonomna Pokrajina Vojvodina", "City": "Novi Sad", "Zip": "21000", "Coords": "45.2517,19.8369", "IP": "188.2.95.4"},
          "MessageID": "00000000-0000-0000-0000-000000000000",
          "Metadata": {"a_key": "a_value", "b_key": "b_value"},
          "ReceivedAt": "2017-10-25T15:21:11.2377776Z",
          "Tag": "welcome-email",
          "Recipient": "John@Example.com"
        }
        """;

    /// <summary>Webhook records saved as an array: a click and an open.</summary>
    public const string PostmarkWebhookArray = """
        [
          {"RecordType":"Click","MessageStream":"outbound","ClickLocation":"Text","Platform":"Desktop","UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","OriginalLink":"https://example.com/offer","Geo":{"Country":"Germany","IP":"52.97.1.2"},"MessageID":"b2e0b4a4-6c9f-4b8e-9d0e-8a7f6e5d4c3b","Metadata":{"campaign-id":"summer-24"},"ReceivedAt":"2024-06-03T09:00:01.1000000Z","Tag":"","Recipient":"ann@example.de"},
          {"RecordType":"Open","MessageStream":"outbound","Metadata":{},"FirstOpen":true,"Recipient":"ann@example.de","MessageID":"b2e0b4a4-6c9f-4b8e-9d0e-8a7f6e5d4c3b","ReceivedAt":"2024-06-03T08:59:58.0000000Z","Platform":"WebMail","ReadSeconds":5,"Tag":"summer","UserAgent":"Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)","Geo":{"IP":"66.249.84.7"}}
        ]
        """;

    /// <summary>A messages API page: a time with an offset, a record without RecordType, Geo null, no tag.</summary>
    public const string PostmarkClicksPage = """
        {
          "TotalCount": 2,
          "Clicks": [
            {"RecordType": "Click", "ClickLocation": "HTML", "Client": {"Name": "Chrome", "Company": "Google", "Family": "Chrome"}, "OS": {"Name": "Windows 10", "Company": "Microsoft", "Family": "Windows"}, "Platform": "Desktop", "UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", "OriginalLink": "https://example.com/pricing", "Geo": {"CountryISOCode": "US", "Country": "United States", "IP": "8.8.8.8"}, "MessageID": "927e56d2-dc08-4044-ac87-3ee5da9e4cf1", "MessageStream": "broadcast", "ReceivedAt": "2014-08-01T13:28:10.2735393-04:00", "Tag": "", "Recipient": "john.doe@yahoo.com", "Metadata": {"campaign_id": "2014-08-newsletter"}},
            {"ClickLocation": "Text", "UserAgent": "", "OriginalLink": "https://example.com/", "Geo": null, "MessageID": "0a2ee1f4-5b8e-4cbb-8a77-2d7e4f6a1b90", "MessageStream": "broadcast", "ReceivedAt": "2014-08-01T17:29:00.0000000Z", "Tag": null, "Recipient": "jane@example.com", "Metadata": {}}
          ]
        }
        """;

    public const string PostmarkOpensPage = """
        {"TotalCount":1,"Opens":[{"RecordType":"Open","FirstOpen":true,"Client":{"Name":"Outlook","Company":"Microsoft","Family":"Outlook"},"OS":{"Name":"Windows","Company":"Microsoft","Family":"Windows"},"Platform":"Desktop","UserAgent":"Microsoft Office/16.0","ReadSeconds":16,"Geo":{"CountryISOCode":"US","IP":"12.34.56.78"},"MessageID":"927e56d2-dc08-4044-ac87-3ee5da9e4cf1","MessageStream":"outbound","ReceivedAt":"2014-08-01T13:30:10.2735393-04:00","Tag":"welcome-email","Recipient":"john.doe@yahoo.com"}]}
        """;

    public const string PostmarkEmptyPage = """{"TotalCount":0,"Clicks":[]}""";

    /// <summary>Brevo webhook bodies saved as an array: every mapped event; tag as a JSON-in-text list or plain text, tags as an array, none.</summary>
    public const string BrevoEvents = """
        [
          {"event":"request","email":"Example@Domain.com","id":26224,"date":"2020-10-09 00:00:00","ts":1602201600,"message-id":"<201798300811.5787683@relay.domain.com>","ts_event":1602201600,"subject":"Welcome","tag":"[\"welcome\"]","sending_ip":"185.41.28.109","ts_epoch":1602201600123,"tags":["welcome"]},
          {"event":"delivered","email":"example@domain.com","id":26224,"date":"2020-10-09 00:00:02","ts":1602201602,"message-id":"<201798300811.5787683@relay.domain.com>","ts_event":1602201602,"subject":"Welcome","tag":"[\"welcome\"]","sending_ip":"185.41.28.109","ts_epoch":1602201602456,"tags":["welcome"]},
          {"event":"proxy_open","email":"example@domain.com","id":26224,"date":"2020-10-09 00:00:03","ts":1602201603,"message-id":"<201798300811.5787683@relay.domain.com>","ts_event":1602201603,"subject":"Welcome","tag":"[\"welcome\"]","sending_ip":"185.41.28.109","ts_epoch":1602201603001,"tags":["welcome"]},
          {"event":"unique_opened","email":"example@domain.com","id":26224,"date":"2020-10-09 00:05:00","ts":1602201900,"message-id":"<201798300811.5787683@relay.domain.com>","ts_event":1602201900,"subject":"Welcome","tag":"[\"welcome\"]","sending_ip":"185.41.28.109","ts_epoch":1602201900000},
          {"event":"opened","email":"example@domain.com","id":26224,"date":"2020-10-09 00:06:00","ts":1602201960,"message-id":"<201798300811.5787683@relay.domain.com>","ts_event":1602201960,"subject":"Welcome","tag":"welcome","sending_ip":"185.41.28.109","ts_epoch":1602201960000},
          {"event":"click","email":"example@domain.com","id":26224,"date":"2020-10-09 00:00:04","ts":1602201604,"message-id":"<201798300811.5787683@relay.domain.com>","ts_event":1602201604,"subject":"Welcome","tag":"[\"welcome\"]","sending_ip":"185.41.28.109","ts_epoch":1602201604789,"link":"https://example.com/start","tags":["welcome"]},
          {"event":"hard_bounce","email":"nobody@domain.org","id":26224,"date":"2020-10-09 00:00:05","message-id":"<1.2@relay.domain.com>","reason":"550 unknown user","tag":"","ts_epoch":1602201605000},
          {"event":"soft_bounce","email":"full@domain.org","id":26224,"date":"2020-10-09 00:00:06","message-id":"<1.3@relay.domain.com>","reason":"452 mailbox full","ts_epoch":1602201606000},
          {"event":"unsubscribed","email":"example@domain.com","id":26224,"date":"2020-10-09 01:00:00","message-id":"<201798300811.5787683@relay.domain.com>","tags":["welcome"],"ts_epoch":1602205200000},
          {"event":"spam","email":"angry@domain.net","id":26224,"date":"2020-10-09 02:00:00","message-id":"<1.4@relay.domain.com>","tags":["welcome"],"ts_epoch":1602208800000}
        ]
        """;

    /// <summary>One webhook body per line; the last has only <c>ts_event</c> (seconds).</summary>
    public const string BrevoLines = """
        {"event":"click","email":"a@shop.example","id":1,"message-id":"<m1@relay.example>","ts_epoch":1700000000001,"link":"https://shop.example/a","tags":["black-friday"]}
        {"event":"click","email":"b@shop.example","id":1,"message-id":"<m2@relay.example>","ts_epoch":1700000000002,"link":"https://shop.example/b","tags":["black-friday"]}
        {"event":"delivered","email":"c@shop.example","id":1,"message-id":"<m3@relay.example>","ts_event":1700000000,"tags":["black-friday"]}
        """;

    public const string BrevoSingle = """
        {"event":"click","email":"solo@example.com","id":7,"date":"2024-01-02 03:04:05","ts":1704164645,"message-id":"<solo@relay.example>","ts_event":1704164645,"subject":"Hi","tag":"[\"onboarding\"]","sending_ip":"185.41.28.109","ts_epoch":1704164645123,"link":"https://example.com/hi"}
        """;

    /// <summary>Every sample with the format that must read it (SendGrid's are there to be refused by the others).</summary>
    public static IEnumerable<(string Name, string Text, string Format)> All()
    {
        const string cc = "Constant Contact V3 report JSON", mc = "Mailchimp report JSON", mg = "Mailgun events JSON",
            pm = "Postmark click/open JSON", br = "Brevo webhook JSON", sg = "SendGrid Event Webhook JSON";
        yield return (nameof(ConstantContactClicks), ConstantContactClicks, cc);
        yield return (nameof(ConstantContactBounces), ConstantContactBounces, cc);
        yield return (nameof(ConstantContactEmptyPage), ConstantContactEmptyPage, cc);
        yield return (nameof(ConstantContactLinks), ConstantContactLinks, cc);
        yield return (nameof(MailchimpEmailActivity), MailchimpEmailActivity, mc);
        yield return (nameof(MailchimpEmptyActivity), MailchimpEmptyActivity, mc);
        yield return (nameof(MailchimpClickDetails), MailchimpClickDetails, mc);
        yield return (nameof(MailchimpSentTo), MailchimpSentTo, mc);
        yield return (nameof(MailchimpReports), MailchimpReports, mc);
        yield return (nameof(MailchimpReport), MailchimpReport, mc);
        yield return (nameof(MailgunEventsPage), MailgunEventsPage, mg);
        yield return (nameof(MailgunEmptyPage), MailgunEmptyPage, mg);
        yield return (nameof(MailgunWebhook), MailgunWebhook, mg);
        yield return (nameof(MailgunWebhookLines), MailgunWebhookLines, mg);
        yield return (nameof(PostmarkClickWebhook), PostmarkClickWebhook, pm);
        yield return (nameof(PostmarkWebhookArray), PostmarkWebhookArray, pm);
        yield return (nameof(PostmarkClicksPage), PostmarkClicksPage, pm);
        yield return (nameof(PostmarkOpensPage), PostmarkOpensPage, pm);
        yield return (nameof(PostmarkEmptyPage), PostmarkEmptyPage, pm);
        yield return (nameof(BrevoEvents), BrevoEvents, br);
        yield return (nameof(BrevoLines), BrevoLines, br);
        yield return (nameof(BrevoSingle), BrevoSingle, br);
        yield return (nameof(Samples.SendGridOddCases), Samples.SendGridOddCases, sg);
    }
}
