using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Core.Providers;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Api;

/// <summary>
/// A workspace's outgoing webhooks: the addresses that receive its classification events, and the deliveries waiting
/// for them. A classification writes its events here in its own transaction (an outbox), so an event exists exactly
/// when the verdicts it tells of were stored; a sender takes them from here, signs, sends and retries.
/// </summary>
public sealed class WebhookOutbox(IDbContextFactory<ClickInsightsDbContext> dbFactory, ISecretProtector protector, TimeProvider time)
{
    public const string ClickClassified = "click.classified";
    public const string CampaignReclassified = "campaign.reclassified";
    public const string TestEvent = "test";
    public const string SecretStart = "whsec_";

    /// <summary>Clicks per <c>click.classified</c> batch.</summary>
    public const int ClicksPerBatch = 500;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Adds a receiving address; the signing secret is returned once (kept encrypted, needed to sign).</summary>
    public async Task<(WebhookSubscription Subscription, string Secret)> AddAsync(int workspaceId, string url, string createdBy, bool allowTestAddresses, CancellationToken cancellationToken = default)
    {
        url = url.Trim();
        if (Problem(url, allowTestAddresses) is { } problem)
        {
            throw new ArgumentException(problem);
        }
        var secret = SecretStart + ShareLinkService.Base64Url(RandomNumberGenerator.GetBytes(32));
        var subscription = new WebhookSubscription
        {
            WorkspaceId = workspaceId,
            Url = url,
            ProtectedSecret = protector.Protect(secret),
            CreatedBy = createdBy,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.WebhookSubscriptions.CountAsync(s => s.WorkspaceId == workspaceId, cancellationToken) >= 10)
        {
            throw new ArgumentException("A workspace has at most 10 webhook addresses; remove one first.");
        }
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return (subscription, secret);
    }

    /// <summary>What is wrong with a receiving address, in words; null when it may be used.</summary>
    public static string? Problem(string url, bool allowTestAddresses)
    {
        if (url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "The webhook address must be a whole web address, such as https://crm.example.com/hooks/clickinsights.";
        }
        if (uri.Scheme != Uri.UriSchemeHttps && !(allowTestAddresses && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "The webhook address must start with https:// (events carry recipients' addresses).";
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "The webhook address must not carry a user name or password; each delivery is signed instead.";
        }
        return null;
    }

    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(int workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WebhookSubscriptions.AsNoTracking().Where(s => s.WorkspaceId == workspaceId).OrderBy(s => s.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Removes an address of the workspace with its deliveries; false when there is none.</summary>
    public async Task<bool> RemoveAsync(int workspaceId, int id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.WebhookDeliveries.Where(d => d.SubscriptionId == id && d.WorkspaceId == workspaceId).ExecuteDeleteAsync(cancellationToken);
        return await db.WebhookSubscriptions.Where(s => s.Id == id && s.WorkspaceId == workspaceId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>The newest deliveries of the workspace, for the log on the settings page.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(int workspaceId, int take = 30, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WebhookDeliveries.AsNoTracking().Where(d => d.WorkspaceId == workspaceId).OrderByDescending(d => d.Id).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>Queues a <c>test</c> event for one address of the workspace; false when there is no such address.</summary>
    public async Task<bool> SendTestAsync(int workspaceId, int subscriptionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == subscriptionId && s.WorkspaceId == workspaceId, cancellationToken))
        {
            return false;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var payload = JsonSerializer.Serialize(new
        {
            Id = Guid.NewGuid().ToString("N"),
            Type = TestEvent,
            CreatedAt = now,
            Workspace = new { Id = workspaceId },
            Message = "A test event from ClickInsights: if your signature check passes, real events will too.",
        }, Json);
        db.WebhookDeliveries.Add(new WebhookDelivery { SubscriptionId = subscriptionId, WorkspaceId = workspaceId, EventType = TestEvent, Payload = payload, CreatedAt = now, NextAttemptAt = now });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The signing secret of an address (for the sender).</summary>
    public string SecretOf(WebhookSubscription subscription) => protector.Unprotect(subscription.ProtectedSecret);

    /// <summary>
    /// The signature of one delivery, as its receiver recomputes it: <c>v1=</c> and the lower-case hex HMAC-SHA256,
    /// keyed with the address's secret, of the timestamp header, a full stop, and the body's exact bytes.
    /// </summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + 1 + body.Length];
        var at = Encoding.UTF8.GetBytes(timestamp, signed);
        signed[at] = (byte)'.';
        body.CopyTo(signed.AsSpan(at + 1));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    // ---- Written by a classification, inside its transaction ----

    /// <summary>The addresses of a workspace, read in the classification's transaction (none: nothing more is done).</summary>
    internal static async Task<List<int>> SubscriptionsAsync(DbTransaction transaction, int workspaceId, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, """SELECT "Id" FROM "WebhookSubscriptions" WHERE "WorkspaceId" = @w""");
        EventWriter.SetParameter(command, "@w", workspaceId);
        var ids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt32(0));
        }
        return ids;
    }

    /// <summary>A campaign's verdicts as stored before this classification replaces them.</summary>
    internal static async Task<Before> BeforeAsync(DbTransaction transaction, int campaignId, CancellationToken cancellationToken)
    {
        var verdicts = new Dictionary<long, (Verdict Verdict, int Score)>();
        await using (var command = Command(transaction, """SELECT "EventId", "Verdict", "Score" FROM "ClickVerdicts" WHERE "CampaignId" = @c"""))
        {
            EventWriter.SetParameter(command, "@c", campaignId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                verdicts[reader.GetInt64(0)] = ((Verdict)reader.GetInt32(1), reader.GetInt32(2));
            }
        }
        Figures? figures = null;
        await using (var command = Command(transaction, """SELECT "Delivered", "UniqueClickers", "HumanClickers", "Clicks", "HumanClicks", "SuspectClicks", "BotClicks" FROM "CampaignSummaries" WHERE "CampaignId" = @c"""))
        {
            EventWriter.SetParameter(command, "@c", campaignId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                figures = new Figures(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6));
            }
        }
        return new Before(verdicts, figures);
    }

    internal sealed record Before(Dictionary<long, (Verdict Verdict, int Score)> Verdicts, Figures? Figures);

    /// <summary>A campaign's figures as the pages show them: people (distinct recipients) and clicks (events).</summary>
    public sealed record Figures(int Delivered, int ReportedClickers, int PeopleClickers, int ReportedClicks, int HumanClicks, int SuspectClicks, int BotClicks)
    {
        public static Figures Of(CampaignSummary s) => new(s.Delivered, s.UniqueClickers, s.HumanClickers, s.Clicks, s.HumanClicks, s.SuspectClicks, s.BotClicks);
    }

    /// <summary>
    /// Queues, for every address, the clicks whose verdict or score is new or changed (in batches) and the campaign's
    /// figures when anything changed. Called after the new verdicts were written, before the commit.
    /// </summary>
    internal static async Task EnqueueAsync(DbTransaction transaction, List<int> subscriptions, ClassifiedCampaign classified, Before before, DateTime now, CancellationToken cancellationToken)
    {
        var changed = new Dictionary<long, (Verdict Verdict, int Score, string Codes, Verdict? Previous)>();
        var codes = classified.Reasons.Sets.ToDictionary(s => s.Index, s => s.Codes);
        for (int i = 0; i < classified.EventIds.Length; i++)
        {
            var id = classified.EventIds[i];
            var had = before.Verdicts.TryGetValue(id, out var old);
            if (!had || old.Verdict != classified.Verdicts[i] || old.Score != classified.Scores[i])
            {
                changed[id] = (classified.Verdicts[i], classified.Scores[i], codes.GetValueOrDefault(classified.ReasonSets[i], ""), had ? old.Verdict : null);
            }
        }
        var figures = Figures.Of(classified.Summary);
        if (changed.Count == 0 && figures == before.Figures)
        {
            return;
        }
        string provider = "", name = "";
        await using (var command = Command(transaction, """SELECT "ExternalId", "Name" FROM "Campaigns" WHERE "Id" = @c"""))
        {
            EventWriter.SetParameter(command, "@c", classified.CampaignId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                (provider, name) = (reader.GetString(0), reader.GetString(1));
            }
        }
        var campaign = new { Id = classified.CampaignId, ProviderId = provider, Name = name };
        var workspace = new { Id = classified.WorkspaceId };
        var payloads = new List<(string Type, string Payload)>();
        if (changed.Count > 0)
        {
            var batch = new List<object>(Math.Min(changed.Count, ClicksPerBatch));
            await using var command = Command(transaction, """
                SELECT e."Id", r."Email", r."Domain", l."Url", e."OccurredAtMs"
                FROM "Events" e JOIN "Recipients" r ON r."Id" = e."RecipientId" LEFT JOIN "CampaignLinks" l ON l."Id" = e."LinkId"
                WHERE e."CampaignId" = @c AND e."Type" = @click ORDER BY e."OccurredAtMs", e."Id"
                """);
            EventWriter.SetParameter(command, "@c", classified.CampaignId);
            EventWriter.SetParameter(command, "@click", (int)EventType.Click);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!changed.TryGetValue(reader.GetInt64(0), out var click))
                {
                    continue;
                }
                batch.Add(new
                {
                    EventId = reader.GetInt64(0),
                    Recipient = reader.GetString(1),
                    Domain = reader.GetString(2),
                    Url = reader.IsDBNull(3) ? null : reader.GetString(3),
                    ClickedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)).UtcDateTime,
                    Verdict = Name(click.Verdict),
                    click.Score,
                    PreviousVerdict = click.Previous is { } previous ? Name(previous) : null,
                    Reasons = click.Codes.Length == 0 ? [] : click.Codes.Split(';'),
                });
                if (batch.Count == ClicksPerBatch)
                {
                    payloads.Add((ClickClassified, Payload(ClickClassified, now, workspace, campaign, batch)));
                    batch.Clear();
                }
            }
            if (batch.Count > 0)
            {
                payloads.Add((ClickClassified, Payload(ClickClassified, now, workspace, campaign, batch)));
            }
        }
        payloads.Add((CampaignReclassified, JsonSerializer.Serialize(new
        {
            Id = Guid.NewGuid().ToString("N"),
            Type = CampaignReclassified,
            CreatedAt = now,
            Workspace = workspace,
            Campaign = campaign,
            Figures = figures,
            Previous = before.Figures,
            ClicksChanged = changed.Count,
            ClassifierVersion = ClickClassifier.Version,
        }, Json)));
        foreach (var subscription in subscriptions)
        {
            foreach (var (type, payload) in payloads)
            {
                await using var insert = Command(transaction, """
                    INSERT INTO "WebhookDeliveries" ("SubscriptionId", "WorkspaceId", "EventType", "Payload", "CreatedAt", "Attempts", "NextAttemptAt")
                    VALUES (@s, @w, @t, @p, @now, 0, @now)
                    """);
                EventWriter.SetParameter(insert, "@s", subscription);
                EventWriter.SetParameter(insert, "@w", classified.WorkspaceId);
                EventWriter.SetParameter(insert, "@t", type);
                EventWriter.SetParameter(insert, "@p", payload);
                EventWriter.SetParameter(insert, "@now", now);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private static string Payload(string type, DateTime now, object workspace, object campaign, List<object> clicks) => JsonSerializer.Serialize(new
    {
        Id = Guid.NewGuid().ToString("N"),
        Type = type,
        CreatedAt = now,
        Workspace = workspace,
        Campaign = campaign,
        Clicks = clicks,
    }, Json);

    public static string Name(Verdict verdict) => verdict switch
    {
        Verdict.Human => "human",
        Verdict.Suspect => "suspect",
        _ => "bot",
    };

    private static DbCommand Command(DbTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
