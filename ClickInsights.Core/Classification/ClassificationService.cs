using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Core.Classification;

/// <summary>
/// Runs the classifier over stored campaigns and writes verdicts and campaign summaries. Raw events are only
/// read; overrides are applied on top, so they survive every recomputation.
/// </summary>
public sealed class ClassificationService(IDbContextFactory<ClickInsightsDbContext> dbFactory, ScannerCatalogue catalogue, TimeProvider time)
{
    private readonly ClickClassifier _classifier = new(catalogue);

    public ScannerCatalogue Catalogue => catalogue;

    /// <summary>The shipped catalogue merged with the workspace's own entries (theirs first, so they win).</summary>
    public ScannerCatalogue CatalogueOf(Workspace workspace) =>
        UserCatalogue.Parse(workspace.UserCatalogueJson) is { IsEmpty: false } own
            ? catalogue.WithUserEntries(own.UserAgents, own.Networks, own.Mx)
            : catalogue;

    private ClickClassifier ClassifierOf(Workspace workspace)
    {
        var merged = CatalogueOf(workspace);
        return ReferenceEquals(merged, catalogue) ? _classifier : new ClickClassifier(merged);
    }

    public async Task ClassifyWorkspaceAsync(int workspaceId, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ids = await db.Campaigns.Where(c => c.WorkspaceId == workspaceId).Select(c => c.Id).ToListAsync(cancellationToken);
        await ClassifyCampaignsAsync(ids, done => progress?.Report((done, ids.Count)), cancellationToken);
    }

    /// <summary>The code of the reason a person's decision adds to a click (it comes first among the click's reasons).</summary>
    public const string OverrideReasonCode = "override";

    /// <summary>How often a campaign is classified again when decisions keep changing while it is stored; the last try is stored as it is (each decision's own recompute follows it).</summary>
    private const int MaxStoreAttempts = 3;

    /// <summary>From this many clicks, the garbage a campaign's classification leaves is collected right after it.</summary>
    private const int LargeCampaignClicks = 50_000;

    /// <summary>
    /// Classifies stored campaigns and stores their verdicts, one transaction each. While one campaign's verdicts
    /// are written, the next is read and classified on another thread: on two cores that hides most of the classifying.
    /// </summary>
    public Task ClassifyCampaignsAsync(IReadOnlyCollection<int> campaignIds, CancellationToken cancellationToken = default) =>
        ClassifyCampaignsAsync(campaignIds, (Action<int>?)null, cancellationToken);

    /// <param name="progress">Told after each campaign is stored: how many are done, of how many.</param>
    public Task ClassifyCampaignsAsync(IReadOnlyCollection<int> campaignIds, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken = default) =>
        ClassifyCampaignsAsync(campaignIds, progress is null ? null : done => progress.Report((done, campaignIds.Count)), cancellationToken);

    /// <param name="stored">Told how many campaigns are stored so far, after each.</param>
    private async Task ClassifyCampaignsAsync(IReadOnlyCollection<int> campaignIds, Action<int>? stored, CancellationToken cancellationToken)
    {
        var contexts = new WorkspaceContexts(dbFactory, ClassifierOf);
        var work = campaignIds.Select(id => (Func<Task<ClassifiedCampaign>>)(() => ClassifyStoredAsync(id, contexts, cancellationToken))).ToList();
        Task<ClassifiedCampaign>? next = null;
        try
        {
            for (int i = 0; i < work.Count; i++)
            {
                var classified = await (next ?? work[i]());
                if (classified.EventIds.Length >= LargeCampaignClicks)
                {
                    // Classifying a large campaign leaves a hundred MB or more of garbage (its events, the analysis,
                    // every click's reasons); collected now, the next campaign starts from a small heap and the peak
                    // stays at about one campaign's worth instead of whatever the collector let pile up.
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                }
                // One classification at a time: the next starts only after this one is done, so contexts need no lock.
                next = i + 1 < work.Count ? Task.Run(work[i + 1], cancellationToken) : null;
                for (int attempt = 2; !await StoreAsync(classified, cancellationToken) && attempt <= MaxStoreAttempts; attempt++)
                {
                    // A person's decision was saved, or events were stored or removed, after this campaign was read:
                    // classified again, once the next campaign's classification (which shares the contexts) is done.
                    if (next is not null)
                    {
                        next = Task.FromResult(await next);
                    }
                    classified = await work[i]();
                    if (attempt == MaxStoreAttempts)
                    {
                        // Decisions keep coming: the last try is stored whatever they are now (a decision's recompute
                        // may have finished already). Events that keep changing are left to whoever stores them: every
                        // import, removal, sync and webhook batch classifies its campaigns after its own commit.
                        classified.OverridesStamp = null;
                    }
                }
                stored?.Invoke(i + 1);
            }
        }
        finally
        {
            if (next is not null)
            {
                // A failed store leaves the next campaign unstored; its classification is waited for, not left running.
                await next.ContinueWith(static _ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<ClassifiedCampaign> ClassifyStoredAsync(int campaignId, WorkspaceContexts contexts, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, cancellationToken);
        if (campaign is null)
        {
            // Deleted since the run was asked for (an import taken back, a workspace deleted): nothing to classify, and
            // its store finds nothing to store.
            return new ClassifiedCampaign(campaignId, [], [], [], [], new ReasonTable(), [], new CampaignSummary { CampaignId = campaignId }, "");
        }
        var context = await contexts.OfAsync(campaign.WorkspaceId, cancellationToken);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        var loaded = await LoadAsync(db.Store, connection, campaign, context.Workspace.HoneypotPattern, cancellationToken);
        // Read for each campaign, not once a run: a person's decision made while a long run goes on is not undone by it.
        // Their stamp first: a decision saved between the two reads then makes the store classify again, never the reverse.
        var stamp = await OverridesStampAsync(connection, null, campaign.WorkspaceId, cancellationToken);
        var overrides = await db.Overrides.AsNoTracking().Where(o => o.WorkspaceId == campaign.WorkspaceId).ToListAsync(cancellationToken);
        return Classify(campaignId, context, overrides, stamp, loaded);
    }

    /// <summary>
    /// What changes whenever a workspace's decisions do: how many there are, the newest id and the latest time one was
    /// made or changed (an added, removed or changed decision each moves one of them).
    /// </summary>
    private static async Task<string> OverridesStampAsync(DbConnection connection, DbTransaction? transaction, int workspaceId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The sum of ids and verdicts changes with a changed verdict even if the clock did not move forward.
        command.CommandText = """SELECT count(*), coalesce(max("Id"), 0), max("CreatedAt"), coalesce(sum("Id" * 3 + "Verdict"), 0) FROM "Overrides" WHERE "WorkspaceId" = @w""";
        EventWriter.SetParameter(command, "@w", workspaceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return FormattableString.Invariant($"{reader.GetInt64(0)}/{reader.GetInt64(1)}/{(reader.IsDBNull(2) ? "" : reader.GetValue(2))}/{Convert.ToInt64(reader.GetValue(3))}");
    }

    /// <summary>The classifier and settings of a workspace, read once per run.</summary>
    private sealed record WorkspaceContext(Workspace Workspace, ClassifierSettings Settings, ClickClassifier Classifier);

    private sealed class WorkspaceContexts(IDbContextFactory<ClickInsightsDbContext> dbFactory, Func<Workspace, ClickClassifier> classifierOf)
    {
        private readonly Dictionary<int, WorkspaceContext> _byWorkspace = [];

        public async Task<WorkspaceContext> OfAsync(int workspaceId, CancellationToken cancellationToken)
        {
            if (_byWorkspace.TryGetValue(workspaceId, out var context))
            {
                return context;
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var workspace = await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == workspaceId, cancellationToken);
            return _byWorkspace[workspaceId] = new WorkspaceContext(workspace, SettingsOf(workspace), classifierOf(workspace));
        }
    }

    /// <summary>Classifies a loaded campaign and puts everything its storing needs into compact arrays, in the order of the event ids.</summary>
    private ClassifiedCampaign Classify(int campaignId, WorkspaceContext context, List<VerdictOverride> overrides, string overridesStamp, Loaded loaded)
    {
        var result = context.Classifier.Classify(loaded.Input, context.Settings);
        var clicks = ApplyOverrides(result.Clicks, overrides, loaded.Recipients);
        // In the order of the verdicts' key: each row then lands at the end of the table.
        var order = new int[clicks.Count];
        var eventIds = new long[clicks.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
            eventIds[i] = clicks[i].EventId;
        }
        Array.Sort(eventIds, order);
        var reasons = new ReasonTable();
        var verdicts = new Verdict[order.Length];
        var scores = new int[order.Length];
        var sets = new int[order.Length];
        for (int k = 0; k < order.Length; k++)
        {
            var click = clicks[order[k]];
            verdicts[k] = click.Verdict;
            scores[k] = click.Score;
            sets[k] = reasons.SetOf(click.Reasons);
        }
        return new ClassifiedCampaign(campaignId, eventIds, verdicts, scores, sets, reasons,
            Breakdowns.Compute(campaignId, result.Campaign, clicks),
            Summarize(campaignId, loaded.Input.Events, clicks, result.UnavailableSignals, time.GetUtcNow().UtcDateTime, loaded.Campaign),
            context.Settings.Hash())
        {
            WorkspaceId = context.Workspace.Id,
            OverridesStamp = overridesStamp,
            EventsStamp = EventsStamp(loaded.Input.Events.Count, loaded.Input.Events.Count == 0 ? 0 : loaded.Input.Events.Max(e => e.EventId)),
        };
    }

    /// <summary>Classifies one stored campaign with the given settings without storing anything (for previews).</summary>
    /// <param name="honeypotPattern">The hidden link's pattern to try; null takes the workspace's.</param>
    public async Task<IReadOnlyList<ClickResult>> PreviewCampaignAsync(int campaignId, ClassifierSettings settings, CancellationToken cancellationToken = default, string? honeypotPattern = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var campaign = await db.Campaigns.AsNoTracking().FirstAsync(c => c.Id == campaignId, cancellationToken);
        var workspace = await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == campaign.WorkspaceId, cancellationToken);
        var overrides = await db.Overrides.AsNoTracking().Where(o => o.WorkspaceId == campaign.WorkspaceId).ToListAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        var loaded = await LoadAsync(db.Store, connection, campaign, honeypotPattern ?? workspace.HoneypotPattern, cancellationToken);
        return ApplyOverrides(ClassifierOf(workspace).Classify(loaded.Input, settings).Clicks, overrides, loaded.Recipients);
    }

    public static ClassifierSettings SettingsOf(Workspace workspace) =>
        string.IsNullOrWhiteSpace(workspace.ClassifierSettingsJson)
            ? ClassifierSettings.Default
            : JsonSerializer.Deserialize<ClassifierSettings>(workspace.ClassifierSettingsJson) ?? ClassifierSettings.Default;

    private sealed record Loaded(CampaignInput Input, IReadOnlyDictionary<int, (string Email, string Domain)> Recipients, Campaign Campaign);

    private static async Task<Loaded> LoadAsync(EventStore store, DbConnection connection, Campaign campaign, string? honeypotPattern, CancellationToken cancellationToken)
    {
        var events = new List<ClassifierEvent>();
        var recipients = new Dictionary<int, (string Email, string Domain)>();
        await store.LoadCampaignEventsAsync(connection, campaign.Id, events, recipients, cancellationToken);
        var links = new List<(int Id, string Url)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """SELECT "Id", "Url" FROM "CampaignLinks" WHERE "CampaignId" = @c""";
            EventWriter.SetParameter(command, "@c", campaign.Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                links.Add((reader.GetInt32(0), reader.GetString(1)));
            }
        }
        var sentAtMs = campaign.SentAt is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)).ToUnixTimeMilliseconds() : (long?)null;
        return new Loaded(InputOf(events, recipients, links, honeypotPattern, sentAtMs), recipients, campaign);
    }

    private static CampaignInput InputOf(IReadOnlyList<ClassifierEvent> events, IReadOnlyDictionary<int, (string Email, string Domain)> recipients, IReadOnlyList<(int Id, string Url)> links, string? honeypotPattern, long? sentAtMs)
    {
        var honeypots = new HashSet<int>();
        foreach (var (id, url) in links)
        {
            if (!string.IsNullOrWhiteSpace(honeypotPattern) && url.Contains(honeypotPattern, StringComparison.OrdinalIgnoreCase))
            {
                honeypots.Add(id);
            }
        }
        var domains = new Dictionary<int, string>(recipients.Count);
        foreach (var (id, recipient) in recipients)
        {
            domains[id] = recipient.Domain;
        }
        return new CampaignInput
        {
            Events = events,
            RecipientDomains = domains,
            // The honeypot is invisible: it is not one of the links a scanner's "every link" is measured against.
            KnownLinkCount = links.Count - honeypots.Count,
            HoneypotLinkIds = honeypots,
            SentAtMs = sentAtMs,
        };
    }

    private static IReadOnlyList<ClickResult> ApplyOverrides(IReadOnlyList<ClickResult> clicks, List<VerdictOverride> overrides, IReadOnlyDictionary<int, (string Email, string Domain)> recipients)
    {
        if (overrides.Count == 0)
        {
            return clicks;
        }
        var byKey = overrides.ToDictionary(o => (o.Scope, o.Key));
        var result = new ClickResult[clicks.Count];
        for (int i = 0; i < clicks.Count; i++)
        {
            var click = clicks[i];
            var (email, domain) = recipients.TryGetValue(click.RecipientId, out var r) ? r : ("", "");
            // The narrowest override wins: a click's own, then its recipient's, then its domain's.
            var chosen = byKey.GetValueOrDefault((OverrideScope.Click, click.EventId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                ?? byKey.GetValueOrDefault((OverrideScope.Recipient, email))
                ?? byKey.GetValueOrDefault((OverrideScope.Domain, domain));
            if (chosen is null)
            {
                result[i] = click;
                continue;
            }
            var what = chosen.Scope switch
            {
                OverrideScope.Click => "this click",
                OverrideScope.Recipient => $"recipient {email}",
                _ => $"domain {domain}",
            };
            var reason = new Reason(OverrideReasonCode, $"a person marked {what} as {chosen.Verdict.ToString().ToLowerInvariant()}{(string.IsNullOrWhiteSpace(chosen.Note) ? "" : $": {chosen.Note}")}", 0);
            result[i] = click with
            {
                Verdict = chosen.Verdict,
                Score = chosen.Verdict == Verdict.Bot ? 100 : 0,
                Reasons = ReasonSet.Of([reason, .. click.Reasons]),
            };
        }
        return result;
    }

    /// <summary>How many events a campaign has and its newest: what changes when an import adds events or a removal takes them.</summary>
    private static async Task<string> EventsStampAsync(DbConnection connection, DbTransaction transaction, int campaignId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """SELECT count(*), coalesce(max("Id"), 0) FROM "Events" WHERE "CampaignId" = @c""";
        EventWriter.SetParameter(command, "@c", campaignId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return EventsStamp(reader.GetInt64(0), reader.GetInt64(1));
    }

    private static string EventsStamp(long count, long newest) => FormattableString.Invariant($"{count}/{newest}");

    /// <summary>Stores a classified campaign; false (nothing stored) when the workspace's decisions or the campaign's events changed since they were read for it.</summary>
    private async Task<bool> StoreAsync(ClassifiedCampaign classified, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var store = db.Store;
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        return await store.StoreClassificationAsync(connection, transaction => StoreInTransactionAsync(store, transaction, classified, cancellationToken), cancellationToken);
    }

    private static async Task<bool> StoreInTransactionAsync(EventStore store, DbTransaction transaction, ClassifiedCampaign classified, CancellationToken cancellationToken)
    {
        var campaignId = classified.CampaignId;
        var connection = transaction.Connection!;
        if (classified.OverridesStamp is { } stamp && stamp != await OverridesStampAsync(connection, transaction, classified.WorkspaceId, cancellationToken))
        {
            return false;
        }
        // An import (or its removal) that changed the campaign's events since they were read: its own classification
        // may already be stored, and this older one must not replace it.
        if (classified.EventsStamp is { } events && events != await EventsStampAsync(connection, transaction, campaignId, cancellationToken))
        {
            return false;
        }
        await using (var exists = connection.CreateCommand())
        {
            exists.Transaction = transaction;
            exists.CommandText = """SELECT count(*) FROM "Campaigns" WHERE "Id" = @c""";
            EventWriter.SetParameter(exists, "@c", campaignId);
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken)) == 0)
            {
                // Deleted (with its events) while it was being classified: nothing to store.
                return true;
            }
        }
        // Outgoing webhooks: what the campaign's verdicts were, to tell receivers what changed (in this transaction).
        var subscriptions = await Api.WebhookOutbox.SubscriptionsAsync(transaction, classified.WorkspaceId, cancellationToken);
        var before = subscriptions.Count > 0 ? await Api.WebhookOutbox.BeforeAsync(transaction, campaignId, cancellationToken) : null;
        await DeleteCampaignRowsAsync(transaction, "ClickVerdicts", campaignId, cancellationToken);

        await store.WriteVerdictsAsync(transaction, campaignId, classified.EventIds, classified.Verdicts, classified.Scores, classified.ReasonSets, cancellationToken);

        await ReplaceCampaignRowsAsync(store, transaction, "CampaignReasonSets", campaignId, classified.Reasons.Sets,
            ["Index", "Codes", "Refs"], set => [set.Index, set.Codes, set.Refs], cancellationToken);
        await ReplaceCampaignRowsAsync(store, transaction, "CampaignReasons", campaignId, classified.Reasons.Reasons,
            ["Index", "Code", "Evidence", "Weight"], r => [r.Index, r.Reason.Code, r.Reason.Evidence, r.Reason.Weight], cancellationToken);
        await ReplaceCampaignRowsAsync(store, transaction, "CampaignBreakdowns", campaignId, classified.Breakdowns,
            ["Kind", "Key", "Clicks", "HumanClicks", "SuspectClicks", "BotClicks", "Clickers", "HumanClickers"],
            b => [(int)b.Kind, b.Key, b.Clicks, b.HumanClicks, b.SuspectClicks, b.BotClicks, b.Clickers, b.HumanClickers], cancellationToken);
        await ReplaceCampaignRowsAsync(store, transaction, "CampaignSummaries", campaignId, [classified.Summary],
            ["Sent", "Delivered", "Opens", "Clicks", "UniqueClickers", "HumanClicks", "SuspectClicks", "BotClicks", "HumanClickers", "Unsubscribes", "DeliveredByHand", "FirstSentAt", "FirstEventAt", "UnavailableSignals", "UpdatedAt", "ClassifierVersion", "SettingsHash"],
            s => [s.Sent, s.Delivered, s.Opens, s.Clicks, s.UniqueClickers, s.HumanClicks, s.SuspectClicks, s.BotClicks, s.HumanClickers, s.Unsubscribes, s.DeliveredByHand, s.FirstSentAt, s.FirstEventAt, s.UnavailableSignals, s.UpdatedAt, ClickClassifier.Version, classified.SettingsHash],
            cancellationToken);
        if (classified.Summary.FirstSentAt is { } firstSent)
        {
            // A source without a send time of its own (Constant Contact's reports): the campaign went out with its first send.
            await using var sentAt = transaction.Connection!.CreateCommand();
            sentAt.Transaction = transaction;
            sentAt.CommandText = """UPDATE "Campaigns" SET "SentAt" = @at WHERE "Id" = @c AND "SentAt" IS NULL""";
            EventWriter.SetParameter(sentAt, "@at", firstSent);
            EventWriter.SetParameter(sentAt, "@c", campaignId);
            await sentAt.ExecuteNonQueryAsync(cancellationToken);
        }
        if (before is not null)
        {
            await Api.WebhookOutbox.EnqueueAsync(transaction, subscriptions, classified, before, classified.Summary.UpdatedAt, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task DeleteCampaignRowsAsync(DbTransaction transaction, string table, int campaignId, CancellationToken cancellationToken)
    {
        await using var delete = transaction.Connection!.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = $"""DELETE FROM "{table}" WHERE "CampaignId" = @c""";
        EventWriter.SetParameter(delete, "@c", campaignId);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Replaces a campaign's rows of one table with one row per item: the campaign's id, then the given columns.</summary>
    private static async Task ReplaceCampaignRowsAsync<T>(EventStore store, DbTransaction transaction, string table, int campaignId, IEnumerable<T> items,
        string[] columns, Func<T, object?[]> valuesOf, CancellationToken cancellationToken)
    {
        await DeleteCampaignRowsAsync(transaction, table, campaignId, cancellationToken);
        // A campaign of a million clicks has tens of thousands of distinct reasons (their sentences carry the numbers).
        await store.InsertRowsAsync(transaction, table, ["CampaignId", .. columns], items.Select(item => (object?[])[campaignId, .. valuesOf(item)]), cancellationToken);
    }

    internal static CampaignSummary Summarize(int campaignId, IReadOnlyList<ClassifierEvent> events, IReadOnlyList<ClickResult> clicks, IReadOnlyList<string> unavailable, DateTime now,
        Campaign? campaign = null)
    {
        var sent = new HashSet<int>();
        var delivered = new HashSet<int>();
        var bounced = new HashSet<int>();
        int opens = 0, unsubscribes = 0;
        long? firstSent = null, firstEvent = null;
        foreach (var e in events)
        {
            firstEvent = Math.Min(firstEvent ?? long.MaxValue, e.TimeMs);
            switch (e.Type)
            {
                case EventType.Sent: sent.Add(e.RecipientId); firstSent = Math.Min(firstSent ?? long.MaxValue, e.TimeMs); break;
                case EventType.Delivered: delivered.Add(e.RecipientId); break;
                case EventType.Bounce: bounced.Add(e.RecipientId); break;
                case EventType.Open: opens++; break;
                case EventType.Unsubscribe: unsubscribes++; break;
            }
        }
        var clickers = new HashSet<int>();
        var humanClickers = new HashSet<int>();
        int human = 0, suspect = 0, bot = 0;
        foreach (var click in clicks)
        {
            clickers.Add(click.RecipientId);
            switch (click.Verdict)
            {
                case Verdict.Human: human++; humanClickers.Add(click.RecipientId); break;
                case Verdict.Suspect: suspect++; break;
                default: bot++; break;
            }
        }
        // A source that says nothing of sends or deliveries (clicks only): the numbers a person entered, if any.
        var byHand = sent.Count == 0 && delivered.Count == 0 && campaign?.DeliveredByHand is not null;
        return new CampaignSummary
        {
            CampaignId = campaignId,
            Sent = byHand ? campaign!.SentByHand ?? campaign.DeliveredByHand!.Value : sent.Count,
            // Without delivery events (Constant Contact, Mailchimp, many exports), delivered is sent less bounced.
            Delivered = byHand ? campaign!.DeliveredByHand!.Value : delivered.Count > 0 ? delivered.Count : sent.Count(r => !bounced.Contains(r)),
            DeliveredByHand = byHand,
            Opens = opens,
            Clicks = clicks.Count,
            UniqueClickers = clickers.Count,
            HumanClicks = human,
            SuspectClicks = suspect,
            BotClicks = bot,
            HumanClickers = humanClickers.Count,
            Unsubscribes = unsubscribes,
            FirstSentAt = firstSent is { } s ? DateTimeOffset.FromUnixTimeMilliseconds(s).UtcDateTime : null,
            FirstEventAt = firstEvent is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f).UtcDateTime : null,
            UnavailableSignals = string.Join(';', unavailable),
            UpdatedAt = now,
        };
    }
}

/// <summary>
/// A campaign's classification ready to be stored: verdicts, scores and reason combinations in the order of the
/// event ids, with the breakdowns and summary. A few arrays, so a classified campaign can wait cheaply for its turn.
/// </summary>
public sealed class ClassifiedCampaign
{
    internal ClassifiedCampaign(int campaignId, long[] eventIds, Verdict[] verdicts, int[] scores, int[] reasonSets, ReasonTable reasons, List<CampaignBreakdown> breakdowns, CampaignSummary summary, string settingsHash)
    {
        CampaignId = campaignId;
        EventIds = eventIds;
        Verdicts = verdicts;
        Scores = scores;
        ReasonSets = reasonSets;
        Reasons = reasons;
        Breakdowns = breakdowns;
        Summary = summary;
        SettingsHash = settingsHash;
    }

    public int CampaignId { get; }
    internal long[] EventIds { get; }
    internal Verdict[] Verdicts { get; }
    internal int[] Scores { get; }
    internal int[] ReasonSets { get; }
    internal ReasonTable Reasons { get; }
    internal List<CampaignBreakdown> Breakdowns { get; }
    internal CampaignSummary Summary { get; }
    internal string SettingsHash { get; }
    internal int WorkspaceId { get; init; }
    /// <summary>The workspace's decisions as they were when read for this classification; null stores without checking.</summary>
    internal string? OverridesStamp { get; set; }
    /// <summary>The campaign's events as they were read for this classification (how many, the newest); null stores without checking.</summary>
    internal string? EventsStamp { get; set; }
}

/// <summary>
/// A campaign's distinct reasons and distinct combinations of them, each numbered as first met. Clicks of a burst
/// share most reasons and often all of them, so a click is stored as the number of its combination, and each
/// reason's sentence once.
/// </summary>
public sealed class ReasonTable
{
    private readonly Dictionary<Reason, int> _index = [];
    private readonly Dictionary<Reason, int> _byReference = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, (int Index, string Codes)> _sets = new(StringComparer.Ordinal);
    private readonly System.Text.StringBuilder _builder = new();

    public IEnumerable<(Reason Reason, int Index)> Reasons => _index.Select(r => (r.Key, r.Value));

    /// <summary>Each combination: its number, its reason codes and its references to <see cref="Reasons"/>, each joined by <c>;</c>.</summary>
    public IEnumerable<(int Index, string Codes, string Refs)> Sets => _sets.Select(s => (s.Value.Index, s.Value.Codes, s.Key));

    /// <summary>The number of the combination of these reasons.</summary>
    public int SetOf(ReasonSet reasons)
    {
        // The references ("0;3;7") written straight into a buffer; one lookup finds a combination already numbered.
        Span<char> refs = stackalloc char[256];
        int length = 0;
        for (int i = 0; i < reasons.Count; i++)
        {
            var index = IndexOf(reasons[i]);
            // Room for a separator and any int.
            if (length + 12 > refs.Length)
            {
                refs = Grow(refs, length);
            }
            if (i > 0)
            {
                refs[length++] = ';';
            }
            index.TryFormat(refs[length..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            length += written;
        }
        var lookup = _sets.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(refs[..length], out var set))
        {
            return set.Index;
        }
        _builder.Clear();
        for (int i = 0; i < reasons.Count; i++)
        {
            _builder.Append(i == 0 ? "" : ";").Append(reasons[i].Code);
        }
        var added = _sets.Count;
        _sets.Add(refs[..length].ToString(), (added, _builder.ToString()));
        return added;
    }

    private static Span<char> Grow(Span<char> buffer, int length)
    {
        var bigger = new char[buffer.Length * 2];
        buffer[..length].CopyTo(bigger);
        return bigger;
    }

    /// <summary>A reason's number: first by the very object (signals share one object for the same evidence), then by value.</summary>
    private int IndexOf(Reason reason)
    {
        if (_byReference.TryGetValue(reason, out var index))
        {
            return index;
        }
        if (!_index.TryGetValue(reason, out index))
        {
            index = _index.Count;
            _index.Add(reason, index);
        }
        _byReference[reason] = index;
        return index;
    }

    /// <summary>Reads references back into reasons, given the campaign's stored reasons by index.</summary>
    public static IReadOnlyList<Reason> Resolve(string? refs, IReadOnlyDictionary<int, Reason> stored)
    {
        if (string.IsNullOrEmpty(refs))
        {
            return [];
        }
        var parts = refs.Split(';');
        var reasons = new List<Reason>(parts.Length);
        foreach (var part in parts)
        {
            if (int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && stored.TryGetValue(index, out var reason))
            {
                reasons.Add(reason);
            }
        }
        return reasons;
    }
}
