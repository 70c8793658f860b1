using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClickInsights.Core.Data;
using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Tests.Sync;

[Trait("Store", "SQLite only: webhook checks above the storage seam; small batches into PostgreSQL (the staging way) run in StorageTestsOnPostgreSql and StoreParityTests")]
public sealed class WebhookSyncTests : IAsyncLifetime
{
    private readonly ECDsa _sendGridKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private SyncHarness _harness = null!;
    private int _workspace;

    public async Task InitializeAsync()
    {
        _harness = new SyncHarness();
        _workspace = await _harness.Database.CreateWorkspaceAsync();
    }

    public async Task DisposeAsync()
    {
        _sendGridKey.Dispose();
        await _harness.DisposeAsync();
    }

    private static readonly string SendGridBatch = """
        [{"email":"ann@example.com","timestamp":1772460000,"event":"delivered","sg_event_id":"sg-1","sg_message_id":"m1","singlesend_id":"ss-1","singlesend_name":"Spring"},
         {"email":"ann@example.com","timestamp":1772470000,"event":"click","sg_event_id":"sg-2","sg_message_id":"m1","url":"https://shop.example/a","ip":"81.2.69.1","useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0","singlesend_id":"ss-1"}]
        """;

    private Task<int> SendGridConnectionAsync() =>
        _harness.Connections.AddAsync(new ConnectionDraft(_workspace, ProviderNames.SendGrid, "SendGrid")
        {
            Settings = { [SettingNames.PublicKey] = Convert.ToBase64String(_sendGridKey.ExportSubjectPublicKeyInfo()) },
        });

    private static Func<string, string?> Headers(Dictionary<string, string> headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static Dictionary<string, string> SendGridHeaders(ECDsa key, string body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = key.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new()
        {
            [WebhookSignatures.SendGridTimestampHeader] = timestamp,
            [WebhookSignatures.SendGridSignatureHeader] = Convert.ToBase64String(signature),
        };
    }

    private Task<WebhookAnswer> SendGridAsync(int id, string body, Dictionary<string, string> headers) =>
        _harness.Webhooks.ReceiveAsync(ProviderNames.SendGrid, id, Encoding.UTF8.GetBytes(body), Headers(headers), CancellationToken.None);

    [Fact]
    public async Task SendGrid_BatchesArrivingTogether_AreStoredTogether_EachEventOnce()
    {
        var id = await SendGridConnectionAsync();
        static string Batch(int b) => "[" + string.Join(",", Enumerable.Range(0, 20).Select(i =>
            $$"""{"email":"p{{i}}@example.com","timestamp":{{1772470000 + b * 100 + i}},"event":"click","sg_event_id":"b{{b}}-{{i}}","sg_message_id":"m{{i}}","url":"https://shop.example/a","ip":"81.2.69.1","useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0","singlesend_id":"ss-1"}""")) + "]";
        // 24 batches at once, and the first of them a second time (a retry that crossed the first answer).
        var bodies = Enumerable.Range(0, 24).Select(Batch).Append(Batch(0)).ToList();

        var answers = await Task.WhenAll(bodies.Select(body => Task.Run(() => SendGridAsync(id, body, SendGridHeaders(_sendGridKey, body, DateTimeOffset.UtcNow)))));

        Assert.All(answers, a => Assert.Equal(200, a.StatusCode));
        Assert.Equal(24 * 20, await _harness.EventCountAsync(_workspace));
        // Those that came while another was being stored went in together: fewer transactions (imports) than calls.
        Assert.Contains(answers, a => a.Message.Contains("in one transaction with", StringComparison.Ordinal));
        await using var db = _harness.Database.CreateDbContext();
        var imports = await db.Imports.Where(i => i.WorkspaceId == _workspace).ToListAsync();
        Assert.InRange(imports.Count, 1, 24);
        Assert.Equal(24 * 20, imports.Sum(i => i.EventsAdded));
        Assert.Equal(25 * 20, imports.Sum(i => i.EventsRead));
    }

    [Fact]
    public async Task SendGrid_SignedBatch_IsStoredOnceHoweverOftenItComes_AndClassifiedInTheBackground()
    {
        var id = await SendGridConnectionAsync();

        var first = await SendGridAsync(id, SendGridBatch, SendGridHeaders(_sendGridKey, SendGridBatch, DateTimeOffset.UtcNow));
        var second = await SendGridAsync(id, SendGridBatch, SendGridHeaders(_sendGridKey, SendGridBatch, DateTimeOffset.UtcNow));

        Assert.Equal(200, first.StatusCode);
        Assert.Equal("Stored 2 new event(s) of 2.", first.Message);
        Assert.Equal(200, second.StatusCode);
        Assert.Equal("Stored 0 new event(s) of 2.", second.Message);
        Assert.Equal(2, await _harness.EventCountAsync(_workspace));
        // Answered before classifying: the campaign waits in the queue.
        Assert.Equal(1, await _harness.Queue.WaitingAsync());
        Assert.Empty(await SyncHarness.SummariesAsync(_harness.Database, _workspace));
        await _harness.Queue.DrainAsync();
        Assert.Equal(1, (await SyncHarness.SummariesAsync(_harness.Database, _workspace))["ss-1"].Clicks);
        var view = (await _harness.Connections.GetAsync(id))!;
        Assert.Equal("Last webhook call: 2 events, 0 of them new.", view.LastSyncSummary);
        Assert.Equal(ConnectionHealth.Working, view.Health);
        // The import history knows these came from the connection (so they are not offered for removal).
        await using var db = _harness.Database.CreateDbContext();
        Assert.All(await db.Imports.ToListAsync(), i => Assert.Equal(id, i.ConnectionId));
    }

    [Fact]
    public async Task SendGrid_BadMissingOrStaleSignature_Is401AndStoresNothing()
    {
        var id = await SendGridConnectionAsync();
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var tampered = SendGridBatch.Replace("81.2.69.1", "81.2.69.2", StringComparison.Ordinal);

        var wrongKey = await SendGridAsync(id, SendGridBatch, SendGridHeaders(otherKey, SendGridBatch, DateTimeOffset.UtcNow));
        var changedBody = await SendGridAsync(id, tampered, SendGridHeaders(_sendGridKey, SendGridBatch, DateTimeOffset.UtcNow));
        var unsigned = await SendGridAsync(id, SendGridBatch, []);
        var stale = await SendGridAsync(id, SendGridBatch, SendGridHeaders(_sendGridKey, SendGridBatch, DateTimeOffset.UtcNow.AddHours(-1)));
        var notBase64 = await SendGridAsync(id, SendGridBatch, new()
        {
            [WebhookSignatures.SendGridTimestampHeader] = "1772460000",
            [WebhookSignatures.SendGridSignatureHeader] = "not a signature",
        });

        Assert.All([wrongKey, changedBody, unsigned, stale, notBase64], a => Assert.Equal(401, a.StatusCode));
        Assert.Equal(0, await _harness.EventCountAsync(_workspace));
        Assert.Equal(0, await _harness.Queue.WaitingAsync());
    }

    [Fact]
    public async Task SendGrid_SignedBodyOfAnotherProvider_IsRefused()
    {
        var id = await SendGridConnectionAsync();
        const string mailgunBody = """{"signature": {"timestamp": "1", "token": "t", "signature": "s"}, "event-data": {"event": "clicked", "id": "x", "timestamp": 1772460000.5, "recipient": "a@example.com", "url": "https://a.example"}}""";

        var answer = await SendGridAsync(id, mailgunBody, SendGridHeaders(_sendGridKey, mailgunBody, DateTimeOffset.UtcNow));

        Assert.Equal(400, answer.StatusCode);
        Assert.Equal(0, await _harness.EventCountAsync(_workspace));
    }

    private static string MailgunBody(string signingKey, DateTimeOffset at, string token, string eventId, bool sign = true)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = sign ? Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.UTF8.GetBytes(timestamp + token))) : new string('0', 64);
        return $$"""
            {"signature": {"timestamp": "{{timestamp}}", "token": "{{token}}", "signature": "{{signature}}"},
             "event-data": {"event": "clicked", "id": "{{eventId}}", "timestamp": 1772470000.25, "recipient": "bob@example.com", "url": "https://shop.example/b", "ip": "81.2.69.3",
                            "campaigns": [{"id": "autumn", "name": "Autumn"}], "client-info": {"user-agent": "Mozilla/5.0 (Macintosh) Safari/605.1.15", "bot": ""} } }
            """;
    }

    [Fact]
    public async Task Mailgun_SignedCall_IsStored_AReplayIsRefused_AndABadSignatureStoresNothing()
    {
        const string key = "mailgun-signing-key";
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(_workspace, ProviderNames.Mailgun, "Mailgun")
        {
            Settings = { [SettingNames.Domain] = "mg.example.com" },
            Secrets = { [SecretNames.SigningKey] = key },
        });
        Task<WebhookAnswer> Send(string body) => _harness.Webhooks.ReceiveAsync(ProviderNames.Mailgun, id, Encoding.UTF8.GetBytes(body), _ => null, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;

        var forged = await Send(MailgunBody("another-key", now, "token-0", "e0"));
        var unsigned = await Send(MailgunBody(key, now, "token-9", "e9", sign: false));
        Assert.Equal(401, forged.StatusCode);
        Assert.Equal(401, unsigned.StatusCode);
        Assert.Equal(0, await _harness.EventCountAsync(_workspace));

        var body = MailgunBody(key, now, "token-1", "e1");
        Assert.Equal(200, (await Send(body)).StatusCode);
        var replay = await Send(body);
        Assert.Equal(406, replay.StatusCode);
        Assert.Contains("replay", replay.Message);
        // The tokens are in the database: a dashboard started again (a new guard) still knows this one.
        var afterRestart = new WebhookReplayGuard(_harness.Database, TimeProvider.System);
        Assert.False(await afterRestart.TryUseAsync("token-1", TimeSpan.FromHours(16)));
        Assert.True(await afterRestart.TryUseAsync("token-never-seen", TimeSpan.FromHours(16)));
        // Mailgun retries for 8 hours: a call that old is still taken, an older one is not.
        Assert.Equal(406, (await Send(MailgunBody(key, now.AddHours(-10), "token-2", "e2"))).StatusCode);
        Assert.Equal(200, (await Send(MailgunBody(key, now, "token-3", "e1"))).StatusCode);
        Assert.Equal(1, await _harness.EventCountAsync(_workspace));
    }

    [Fact]
    public async Task MailchimpTransactional_SignedBatch_IsStored_AForgedOneIsNot_AndTheCheckOfANewWebhookIsAnswered()
    {
        const string key = "mandrill-webhook-key";
        const string url = "https://dashboard.example/webhooks/mandrill/0123456789abcdef0123456789abcdef";
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(_workspace, ProviderNames.Mandrill, "Transactional")
        {
            Secrets = { [SecretNames.SigningKey] = key },
        });
        // As Mailchimp Transactional posts it: form-encoded, one field, signed over the URL and the sorted fields.
        static (byte[] Body, string Signature) Signed(string signingKey, string events)
        {
            var body = Encoding.UTF8.GetBytes("mandrill_events=" + Uri.EscapeDataString(events));
            var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.UTF8.GetBytes(url + "mandrill_events" + events)));
            return (body, signature);
        }
        Task<WebhookAnswer> Send((byte[] Body, string Signature) call, string to = url) =>
            _harness.Webhooks.ReceiveAsync(ProviderNames.Mandrill, id, call.Body, name => name == WebhookSignatures.MandrillSignatureHeader ? call.Signature : null, CancellationToken.None, to);

        Assert.Equal(401, (await Send(Signed("another-key", ClickInsights.Tests.Import.MandrillReaderTests.Events))).StatusCode);
        Assert.Equal(401, (await Send(Signed(key, ClickInsights.Tests.Import.MandrillReaderTests.Events), to: url + "x")).StatusCode);
        Assert.Equal(0, await _harness.EventCountAsync(_workspace));
        Assert.Equal(200, (await Send(Signed(key, "[]"))).StatusCode);

        var stored = await Send(Signed(key, ClickInsights.Tests.Import.MandrillReaderTests.Events));

        Assert.Equal(200, stored.StatusCode);
        Assert.Equal(6, await _harness.EventCountAsync(_workspace));
        Assert.Equal(200, (await Send(Signed(key, ClickInsights.Tests.Import.MandrillReaderTests.Events))).StatusCode);
        Assert.Equal(6, await _harness.EventCountAsync(_workspace));
    }

    [Fact]
    public async Task Mailgun_CallRetriedHoursLater_IsStored()
    {
        const string key = "mailgun-signing-key";
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(_workspace, ProviderNames.Mailgun, "Mailgun")
        {
            Settings = { [SettingNames.Domain] = "mg.example.com" },
            Secrets = { [SecretNames.SigningKey] = key },
        });

        var answer = await _harness.Webhooks.ReceiveAsync(ProviderNames.Mailgun, id, Encoding.UTF8.GetBytes(MailgunBody(key, DateTimeOffset.UtcNow.AddHours(-3), "token-late", "late-1")), _ => null, CancellationToken.None);

        Assert.Equal(200, answer.StatusCode);
        Assert.Equal(1, await _harness.EventCountAsync(_workspace));
    }

    [Fact]
    public async Task WebhookCall_OnAConnectionThatAlsoFetches_LeavesTheFetchScheduleAndItsErrorAlone()
    {
        const string key = "mailgun-signing-key";
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(_workspace, ProviderNames.Mailgun, "Mailgun")
        {
            Settings = { [SettingNames.Domain] = "mg.example.com" },
            Secrets = { [SecretNames.SigningKey] = key, [SecretNames.ApiKey] = "key-123" },
        });
        var failedAt = new DateTime(2026, 11, 27, 8, 0, 0, DateTimeKind.Utc);
        await using (var db = _harness.Database.CreateDbContext())
        {
            await db.Connections.Where(c => c.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.LastError, "The API key was refused.").SetProperty(c => c.LastErrorAt, failedAt));
        }

        var answer = await _harness.Webhooks.ReceiveAsync(ProviderNames.Mailgun, id, Encoding.UTF8.GetBytes(MailgunBody(key, DateTimeOffset.UtcNow, "token-x", "x-1")), _ => null, CancellationToken.None);

        Assert.Equal(200, answer.StatusCode);
        await using (var db = _harness.Database.CreateDbContext())
        {
            var stored = await db.Connections.SingleAsync(c => c.Id == id);
            Assert.Equal(("The API key was refused.", failedAt, (DateTime?)null), (stored.LastError, stored.LastErrorAt, stored.LastSyncAt));
        }
    }

    /// <summary>A webhook call with only an Authorization header (as Postmark and Brevo send the credentials of the address).</summary>
    private Task<WebhookAnswer> SendWithAuthorizationAsync(string provider, int id, string body, string? authorization) =>
        _harness.Webhooks.ReceiveAsync(provider, id, Encoding.UTF8.GetBytes(body), name => name == "Authorization" ? authorization : null, CancellationToken.None);

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Fact]
    public async Task Postmark_BasicAuthInTheUrl_IsChecked()
    {
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(_workspace, ProviderNames.Postmark, "Postmark")
        {
            Settings = { [SettingNames.WebhookUser] = "postmark" },
            Secrets = { [SecretNames.WebhookPassword] = "s3cret-pass" },
        });
        const string click = """{"RecordType": "Click", "MessageStream": "broadcast", "OriginalLink": "https://shop.example/c", "Geo": {"IP": "81.2.69.4"}, "UserAgent": "Mozilla/5.0", "MessageID": "m-1", "ReceivedAt": "2026-03-02T15:00:00.1234567Z", "Tag": "spring", "Recipient": "cy@example.com"}""";
        const string delivery = """{"RecordType": "Delivery", "MessageStream": "broadcast", "MessageID": "m-1", "Recipient": "cy@example.com", "DeliveredAt": "2026-03-02T14:00:01Z"}""";
        Task<WebhookAnswer> Send(string body, string? authorization) => SendWithAuthorizationAsync(ProviderNames.Postmark, id, body, authorization);

        Assert.Equal(401, (await Send(click, null)).StatusCode);
        Assert.Equal(401, (await Send(click, Basic("postmark", "wrong"))).StatusCode);
        Assert.Equal(0, await _harness.EventCountAsync(_workspace));
        Assert.Equal(200, (await Send(click, Basic("postmark", "s3cret-pass"))).StatusCode);
        // With every trigger on, deliveries come to the same address: stored too (their times help the classifier).
        var delivered = await Send(delivery, Basic("postmark", "s3cret-pass"));
        Assert.Equal(200, delivered.StatusCode);
        Assert.Equal(2, await _harness.EventCountAsync(_workspace));
        var inbound = await Send("""{"RecordType": "Inbound", "MessageID": "m-2"}""", Basic("postmark", "s3cret-pass"));
        Assert.Equal(200, inbound.StatusCode);
        Assert.Contains("not used", inbound.Message);
        Assert.Equal(2, await _harness.EventCountAsync(_workspace));
    }

    [Fact]
    public async Task Brevo_BasicAuthInTheUrl_IsChecked_AndTheSameCallIsStoredOnce()
    {
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(_workspace, ProviderNames.Brevo, "Brevo")
        {
            Settings = { [SettingNames.WebhookUser] = "brevo" },
            Secrets = { [SecretNames.WebhookPassword] = "s3cret-pass" },
        });
        // One event per call, as Brevo's transactional webhook sends them (providers.md).
        const string delivered = """{"event": "delivered", "email": "cy@example.com", "message-id": "<m-1@smtp-relay.mailin.fr>", "ts_epoch": 1772460001000, "tag": "spring"}""";
        const string click = """{"event": "click", "email": "cy@example.com", "message-id": "<m-1@smtp-relay.mailin.fr>", "link": "https://shop.example/c", "ts_epoch": 1772467200000, "tag": "spring"}""";
        Task<WebhookAnswer> Send(string body, string? authorization) => SendWithAuthorizationAsync(ProviderNames.Brevo, id, body, authorization);

        Assert.Equal(401, (await Send(click, null)).StatusCode);
        Assert.Equal(401, (await Send(click, Basic("brevo", "wrong"))).StatusCode);
        Assert.Equal(0, await _harness.EventCountAsync(_workspace));
        Assert.Equal(200, (await Send(delivered, Basic("brevo", "s3cret-pass"))).StatusCode);
        Assert.Equal(200, (await Send(click, Basic("brevo", "s3cret-pass"))).StatusCode);
        var again = await Send(click, Basic("brevo", "s3cret-pass"));

        Assert.Equal("Stored 0 new event(s) of 1.", again.Message);
        Assert.Equal(2, await _harness.EventCountAsync(_workspace));
        // A SendGrid body sent to the Brevo address is refused, not read as something else.
        Assert.Equal(400, (await Send(SendGridBatch, Basic("brevo", "s3cret-pass"))).StatusCode);
        await _harness.Queue.DrainAsync();
        Assert.Equal(1, (await SyncHarness.SummariesAsync(_harness.Database, _workspace))["spring"].Clicks);
        var view = (await _harness.Connections.GetAsync(id))!;
        Assert.True(view.ReceivesWebhooks);
        Assert.False(view.CanPull);
    }

    [Fact]
    public async Task Webhook_ForAnotherProvidersConnection_IsNotFound()
    {
        var id = await SendGridConnectionAsync();

        var answer = await _harness.Webhooks.ReceiveAsync(ProviderNames.Mailgun, id, "{}"u8.ToArray(), _ => null, CancellationToken.None);

        Assert.Equal(404, answer.StatusCode);
    }

    [Fact]
    public void SendGridPublicKey_IsRecognised()
    {
        Assert.True(WebhookSignatures.IsSendGridPublicKey(Convert.ToBase64String(_sendGridKey.ExportSubjectPublicKeyInfo())));
        Assert.False(WebhookSignatures.IsSendGridPublicKey("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"));
        Assert.False(WebhookSignatures.IsSendGridPublicKey("hello"));
    }
}
