using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClickInsights.Core.Data;
using ClickInsights.Core.Providers;
using ClickInsights.Core.Providers.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Benchmarks;

/// <summary>
/// Signed SendGrid webhook batches from many senders at once against running dashboards (loopback only), for a fixed
/// time: events stored per second, acknowledgement latency (p50, p99), and events lost or stored twice (the database's
/// count against what was acknowledged). Makes its own workspace and SendGrid connection in the dashboards' database.
/// </summary>
public static class WebhookLoad
{
    public static async Task<int> RunAsync(string database, IReadOnlyList<string> targets, int senders, TimeSpan duration, int batch)
    {
        if (targets.Any(t => !Uri.TryCreate(t, UriKind.Absolute, out var uri) || !uri.IsLoopback))
        {
            Console.Error.WriteLine("Targets must be loopback addresses (http://127.0.0.1:PORT): this load stays on this machine.");
            return 2;
        }
        var builder = new DbContextOptionsBuilder<ClickInsightsDbContext>();
        StorageOptions.Configure(builder, database);
        var factory = new ContextFactory(builder.Options);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        int workspace;
        await using (var db = factory.CreateDbContext())
        {
            var row = new Workspace { Name = $"Webhook load {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}", CreatedAt = DateTime.UtcNow };
            db.Workspaces.Add(row);
            await db.SaveChangesAsync();
            workspace = row.Id;
        }
        var connections = new ConnectionService(factory, new NoSecrets(), TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new ProviderOptions()));
        var id = await connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.SendGrid, "SendGrid load")
        {
            Settings = { [SettingNames.PublicKey] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()) },
        });
        var webhookKey = (await connections.GetAsync(id))!.WebhookKey;

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = senders * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(60) };
        var latencies = new List<double>[senders];
        var acknowledged = new long[senders];
        var refused = new long[senders];
        long nextBatch = 0;
        var started = Stopwatch.StartNew();
        var stopAt = started.Elapsed + duration;
        Console.WriteLine($"{senders} senders, batches of {batch} events, {duration.TotalSeconds:0} s, against {string.Join(", ", targets)}");

        await Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(async () =>
        {
            latencies[sender] = [];
            while (started.Elapsed < stopAt)
            {
                var number = Interlocked.Increment(ref nextBatch);
                var body = Body(number, batch);
                var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                var signature = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
                var target = targets[(int)(number % targets.Count)];
                using var request = new HttpRequestMessage(HttpMethod.Post, $"{target}/webhooks/sendgrid/{webhookKey}")
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                    Headers = { { WebhookSignatures.SendGridTimestampHeader, timestamp }, { WebhookSignatures.SendGridSignatureHeader, signature } },
                };
                var watch = Stopwatch.StartNew();
                try
                {
                    using var response = await http.SendAsync(request);
                    latencies[sender].Add(watch.Elapsed.TotalMilliseconds);
                    if (response.IsSuccessStatusCode)
                    {
                        acknowledged[sender] += batch;
                    }
                    else
                    {
                        // A provider retries a refused batch; this load counts it as not acknowledged.
                        refused[sender]++;
                    }
                }
                catch (HttpRequestException)
                {
                    refused[sender]++;
                }
            }
        })));
        var elapsed = started.Elapsed;

        long stored, distinct;
        await using (var db = factory.CreateDbContext())
        {
            stored = await db.Events.LongCountAsync(e => e.WorkspaceId == workspace);
            distinct = await db.Events.Where(e => e.WorkspaceId == workspace).Select(e => e.ExternalId).Distinct().LongCountAsync();
        }
        var all = latencies.SelectMany(l => l).Order().ToList();
        double Percentile(double p) => all.Count == 0 ? 0 : all[Math.Min(all.Count - 1, (int)Math.Ceiling(p * all.Count) - 1)];
        var sent = acknowledged.Sum();
        Console.WriteLine($"batches answered: {all.Count:N0} ({refused.Sum():N0} refused or failed)");
        Console.WriteLine($"events acknowledged: {sent:N0}; stored: {stored:N0}; distinct stored: {distinct:N0}");
        Console.WriteLine($"lost (acknowledged but not stored): {Math.Max(0, sent - stored):N0}; stored twice: {stored - distinct:N0}");
        Console.WriteLine($"stored per second: {stored / elapsed.TotalSeconds:N0} over {elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"acknowledgement latency: p50 {Percentile(0.50):N0} ms, p99 {Percentile(0.99):N0} ms, max {(all.Count == 0 ? 0 : all[^1]):N0} ms");
        return sent == stored && stored == distinct ? 0 : 1;
    }

    /// <summary>One batch: a third deliveries, the rest clicks, every event with an id no other batch uses.</summary>
    private static string Body(long number, int size)
    {
        var body = new StringBuilder(size * 260).Append('[');
        for (int i = 0; i < size; i++)
        {
            var n = number * size + i;
            body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"email":"p{{n % 5000}}@shop{{n % 97}}.example","timestamp":{{1772470000 + n % 86400}},"event":"{{(i % 3 == 0 ? "delivered" : "click")}}","sg_event_id":"load-{{number}}-{{i}}","url":"https://shop.example/{{i % 6}}","ip":"81.2.{{n % 250}}.{{i % 250 + 1}}","useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/141.0.0.0 Safari/537.36","singlesend_id":"ss-load-{{number % 4}}","singlesend_name":"Load {{number % 4}}"}""");
        }
        return body.Append(']').ToString();
    }

    /// <summary>The load's connection has no secrets (a SendGrid webhook is checked with its public key).</summary>
    private sealed class NoSecrets : ISecretProtector
    {
        public string Protect(string plaintext) => throw new InvalidOperationException("The load's connection has no secrets.");
        public string Unprotect(string protectedText) => throw new InvalidOperationException("The load's connection has no secrets.");
    }
}
