using ClickInsights.Tests.Support;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Classification;

namespace ClickInsights.Tests.Import;

/// <summary>The flat table an import finds duplicates in, and the breakdowns computed from verdicts.</summary>
public abstract class ImportStructuresTests(StoreKind store)
{
    [SkippableFact]
    public void IdHashTable_FindsEveryAddedHash_KeepsTheFirstRow_AndGrows()
    {
        var table = new IdHashTable();
        var random = new Random(7);
        var added = new Dictionary<long, long>();
        // Hashes that land on the same slot of a small table, zero, negatives, and many random ones (past several growths).
        long[] awkward = [0, 1, 1L << 32, (1L << 32) | 1, -1, long.MinValue, long.MaxValue, 65_536, 131_072];
        foreach (var hash in awkward.Concat(Enumerable.Range(0, 300_000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue))))
        {
            var row = added.Count + 1;
            Assert.Equal(!added.ContainsKey(hash), table.TryAdd(hash, row));
            added.TryAdd(hash, row);
        }

        Assert.Equal(added.Count, table.Count);
        foreach (var (hash, row) in added)
        {
            Assert.True(table.TryGet(hash, out var found));
            Assert.Equal(row, found);
        }
        Assert.False(table.TryAdd(awkward[3], 999_999));
        Assert.True(table.TryGet(awkward[3], out var first) && first == 4);
        Assert.False(table.TryGet(42_4242_4242, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.TryAdd(5, 0));
    }

    [SkippableFact]
    public async Task EventText_IsStoredExactly_WhateverItsLengthAndLetters()
    {
        using var database = new ClickInsights.Tests.Support.TestDatabase(store);
        var workspace = await database.CreateWorkspaceAsync();
        string[] ids = ["évènement-ünïcödé-1", new string('x', 190) + "-ü", "ascii-2", "日本語-3"];
        var json = "[" + string.Join(",", ids.Select((id, i) =>
            $$"""{"email":"anna@example.com","timestamp":{{1788271234 + i}},"event":"click","url":"https://example.com/{{i}}","ip":"203.0.113.{{i}}","sg_event_id":"{{id}}","singlesend_id":"s1"}""")) + "]";

        await database.Importer.ImportAsync(workspace, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), "text.json");

        await using var db = database.CreateDbContext();
        var stored = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.Events.OrderBy(e => e.Id).Select(e => new { e.ExternalId, e.Ip, e.Source }));
        Assert.Equal(ids.Select(id => id + "/click"), stored.Select(e => e.ExternalId));
        Assert.Equal(["203.0.113.0", "203.0.113.1", "203.0.113.2", "203.0.113.3"], stored.Select(e => e.Ip));
        Assert.All(stored, e => Assert.Equal("sendgrid", e.Source));
    }

    [SkippableFact]
    public void Breakdowns_CountClicksAndClickersByLinkDelayDomainAndMachineReason()
    {
        var campaign = new CampaignBuilder()
            .Delivered(1, 0, "alpha.com")
            .Delivered(2, 0, "beta.com")
            .Delivered(3, 0, "beta.com");
        var a = campaign.Click(1, 30, link: 1);
        var b = campaign.Click(1, 5, link: 2);
        var c = campaign.Click(2, 2_000, link: 1);
        var d = campaign.Click(3, 2_100, link: 1);
        var input = campaign.Build();
        Reason scanner = new("network", "a filtering network", 40), alsoScanner = new("network", "the same network again", 10), person = new("person", "looks like a person", -20);
        ClickResult[] clicks =
        [
            new(a, 1, Verdict.Human, 0, ReasonSet.Of([person])),
            new(b, 1, Verdict.Bot, 90, ReasonSet.Of([scanner, alsoScanner, person])),
            new(c, 2, Verdict.Suspect, 50, ReasonSet.Of([scanner])),
            new(d, 3, Verdict.Human, 0, ReasonSet.Of([])),
        ];

        // Verdicts in another order than the classifier's are matched to the clicks by event id.
        var rows = Breakdowns.Compute(9, CampaignAnalysis.Build(input, ScannerCatalogue.Default.NetworkIndex), clicks)
            .Select(r => $"{r.CampaignId} {r.Kind} {r.Key}: {r.Clicks} clicks ({r.HumanClicks}/{r.SuspectClicks}/{r.BotClicks}), {r.Clickers} clickers, {r.HumanClickers} human")
            .Order(StringComparer.Ordinal);

        Assert.Equal(
        [
            "9 Delay 1: 1 clicks (0/0/1), 1 clickers, 0 human",   // 5 s after delivery
            "9 Delay 2: 1 clicks (1/0/0), 1 clickers, 1 human",   // 30 s
            "9 Delay 4: 2 clicks (1/1/0), 2 clickers, 1 human",   // about half an hour
            "9 Domain alpha.com: 2 clicks (1/0/1), 1 clickers, 1 human",
            "9 Domain beta.com: 2 clicks (1/1/0), 2 clickers, 1 human",
            "9 Link 1: 3 clicks (2/1/0), 3 clickers, 2 human",
            "9 Link 2: 1 clicks (0/0/1), 1 clickers, 0 human",
            // Counted once per click that was not a person, and never for evidence of a person.
            "9 Reason network: 2 clicks (0/1/1), 2 clickers, 0 human",
        ], rows);
    }

    [SkippableFact]
    public void DelayBreakdown_WithoutDeliveryOrSendTimes_TimesClicksAsTheReasonsDo()
    {
        // Clicks and opens only (as Postmark gives them), no send time: both count from the campaign's first event, an open.
        var campaign = new CampaignBuilder();
        campaign.Open(1, 0);
        var click = campaign.Click(2, 30, link: 1);
        var built = campaign.Build();
        var input = new CampaignInput { Events = built.Events, RecipientDomains = built.RecipientDomains, KnownLinkCount = built.KnownLinkCount, HoneypotLinkIds = built.HoneypotLinkIds };
        var result = CampaignBuilder.Classify(input);

        var delay = Assert.Single(Breakdowns.Compute(9, result.Campaign, result.Clicks), r => r.Kind == BreakdownKind.Delay);

        Assert.Equal("the campaign's first event", result.Campaign.AnchorOf(result.Campaign.ClickRecipient[0]).Label);
        Assert.Equal(Breakdowns.DelayBucketOf(30_000).ToString(System.Globalization.CultureInfo.InvariantCulture), delay.Key);
        Assert.Equal(click, Assert.Single(result.Clicks).EventId);
    }
}

/// <summary><see cref="ImportStructuresTests"/> on SQLite.</summary>
public sealed class ImportStructuresTestsOnSqlite() : ImportStructuresTests(StoreKind.Sqlite);

/// <summary><see cref="ImportStructuresTests"/> on PostgreSQL.</summary>
public sealed class ImportStructuresTestsOnPostgreSql() : ImportStructuresTests(StoreKind.PostgreSql);
