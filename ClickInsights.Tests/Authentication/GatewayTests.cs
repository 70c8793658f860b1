using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Domains;
using ClickInsights.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClickInsights.Tests.Authentication;

/// <summary>A dnsmasq whose zone has one recipient domain per MX pattern of the shipped catalogue.</summary>
public sealed class GatewayZone : IDisposable
{
    public GatewayZone() => Server = Dnsmasq.Start(
    [
        .. ScannerCatalogue.Default.Mx.SelectMany((entry, i) => new[]
        {
            // The gateway as primary; a backup of another kind with a higher preference must not win.
            $"mx-host={DomainFor(i)},{HostFor(entry.Pattern)},10",
            $"mx-host={DomainFor(i)},backup.unknown-mx.test,20",
        }),
        "mx-host=plain.test,mail.plain.test,10",
        "mx-host=backupfirst.test,mail.backupfirst.test,5",
        "mx-host=backupfirst.test,acme.mail.protection.outlook.com,50",
        "txt-record=nomx.test,exists",
        "txt-record=ready.test,ready",
    ]);

    public Dnsmasq Server { get; }

    public static string DomainFor(int index) => $"gw{index}.test";

    /// <summary>A concrete host that the pattern matches: each * becomes a made-up label.</summary>
    public static string HostFor(string pattern) => pattern.Replace("*", "acme-inbound1");

    public void Dispose() => Server.Dispose();
}

[Trait("Store", "SQLite only: DNS lookups above the storage seam")]
public sealed class GatewayTests(GatewayZone zone) : IClassFixture<GatewayZone>
{
    public static TheoryData<int> CatalogueEntries()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < ScannerCatalogue.Default.Mx.Count; i++)
        {
            data.Add(i);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CatalogueEntries))]
    public async Task Resolve_EachCataloguePattern_MapsToItsGateway(int index)
    {
        var entry = ScannerCatalogue.Default.Mx[index];
        var resolver = new GatewayResolver(zone.Server.Lookup(), ScannerCatalogue.Default);

        var result = await resolver.ResolveAsync(GatewayZone.DomainFor(index), demo: false);

        Assert.Null(result.Error);
        Assert.Equal(entry.Gateway, result.Gateway);
        Assert.Equal([GatewayZone.HostFor(entry.Pattern), "backup.unknown-mx.test"], result.MxHosts);
        Assert.Equal(TimeSpan.FromHours(1), result.Ttl); // dnsmasq's local-ttl
    }

    [Fact]
    public async Task Resolve_OnlyTheLowestPreferenceCounts()
    {
        var resolver = new GatewayResolver(zone.Server.Lookup(), ScannerCatalogue.Default);

        var result = await resolver.ResolveAsync("backupfirst.test", demo: false);

        Assert.Equal(GatewayResolver.Unknown, result.Gateway);
        Assert.Equal(["mail.backupfirst.test", "acme.mail.protection.outlook.com"], result.MxHosts);
    }

    [Theory]
    [InlineData("plain.test", new[] { "mail.plain.test" })]
    [InlineData("nomx.test", new string[0])]
    [InlineData("nxdomain.test", new string[0])]
    public async Task Resolve_NoKnownGateway_IsUnknownWithoutError(string domain, string[] hosts)
    {
        var resolver = new GatewayResolver(zone.Server.Lookup(), ScannerCatalogue.Default);

        var result = await resolver.ResolveAsync(domain, demo: false);

        Assert.Equal(GatewayResolver.Unknown, result.Gateway);
        Assert.Equal(hosts, result.MxHosts);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task Resolve_DeadServer_RecordsWhyAndRetriesSoon()
    {
        using var silent = new SilentDnsServer();
        var resolver = new GatewayResolver(Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(200)), ScannerCatalogue.Default);

        var result = await resolver.ResolveAsync("gw0.test", demo: false);

        Assert.Contains("did not answer", result.Error);
        Assert.Equal(GatewayResolver.RetryAfterFailure, result.Ttl);
    }

    [Fact]
    public async Task Resolve_DemoWorkspace_UsesTheDemoMxHostsWithoutNetwork()
    {
        using var silent = new SilentDnsServer();
        var resolver = new GatewayResolver(Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(200)), ScannerCatalogue.Default);

        var result = await resolver.ResolveAsync("northwindlegal.com", demo: true);

        Assert.Null(result.Error);
        Assert.Equal("Mimecast", result.Gateway);
        Assert.Equal(["us-smtp-inbound-1.mimecast.com"], result.MxHosts);
    }

    [Fact]
    public async Task Runner_StoresGatewaysWithTtl_AndLooksUpOnlyExpiredOnes()
    {
        using var database = new TestDatabase();
        var workspaceId = await database.CreateWorkspaceAsync();
        await AddRecipientsAsync(database, workspaceId, "a@gw0.test", "b@gw0.test", "c@plain.test", "d@gw8.test");
        var runner = Runner(database, zone.Server.Lookup());
        var seen = new List<GatewayProgress>();

        var end = await runner.LookUpAsync(workspaceId, p => { lock (seen) { seen.Add(p); } });

        await using (var db = database.CreateDbContext())
        {
            var rows = await db.DomainGateways.OrderBy(g => g.Domain).ToListAsync();
            Assert.Equal(["gw0.test", "gw8.test", "plain.test"], rows.Select(r => r.Domain));
            Assert.Equal(ScannerCatalogue.Default.Mx[0].Gateway, rows[0].Gateway);
            Assert.Equal(ScannerCatalogue.Default.Mx[8].Gateway, rows[1].Gateway);
            Assert.Equal(GatewayResolver.Unknown, rows[2].Gateway);
            Assert.All(rows, r => Assert.Equal(TimeSpan.FromHours(1), r.ExpiresAt - r.CheckedAt));
            Assert.Equal($"{GatewayZone.HostFor(ScannerCatalogue.Default.Mx[0].Pattern)} backup.unknown-mx.test", rows[0].MxHosts);
        }
        Assert.Equal((false, 3, 3, 0), (end.Running, end.Done, end.Total, end.Failed));
        Assert.Equal("Looked up 3 domains.", end.Message);
        lock (seen)
        {
            Assert.All(seen, p => Assert.True(p.Running));
            Assert.Equal(3, seen.Last().Done);
        }

        // Nothing expired: a second run looks nothing up.
        Assert.Empty(await runner.DueAsync(workspaceId));
        Assert.Equal(0, (await runner.LookUpAsync(workspaceId)).Total);

        // One expired: only that one is looked up again.
        await using (var db = database.CreateDbContext())
        {
            var row = await db.DomainGateways.SingleAsync(g => g.Domain == "plain.test");
            row.ExpiresAt = DateTime.UtcNow.AddMinutes(-1);
            await db.SaveChangesAsync();
        }
        Assert.Equal(["plain.test"], await runner.DueAsync(workspaceId));
        var again = await runner.LookUpAsync(workspaceId);
        Assert.Equal((1, 1), (again.Done, again.Total));
    }

    [Fact]
    public async Task Runner_FailedLookup_KeepsTheEarlierAnswerAndRecordsTheError()
    {
        using var database = new TestDatabase();
        var workspaceId = await database.CreateWorkspaceAsync();
        await AddRecipientsAsync(database, workspaceId, "a@gw0.test");
        var good = Runner(database, zone.Server.Lookup());
        await good.LookUpAsync(workspaceId);
        await using (var db = database.CreateDbContext())
        {
            (await db.DomainGateways.SingleAsync()).ExpiresAt = DateTime.UtcNow.AddMinutes(-1);
            await db.SaveChangesAsync();
        }

        using var silent = new SilentDnsServer();
        var offline = Runner(database, Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(200)));
        var end = await offline.LookUpAsync(workspaceId);

        await using (var db = database.CreateDbContext())
        {
            var row = await db.DomainGateways.SingleAsync();
            Assert.Equal(ScannerCatalogue.Default.Mx[0].Gateway, row.Gateway);
            Assert.Contains("did not answer", row.Error);
            Assert.True(row.ExpiresAt - row.CheckedAt == GatewayResolver.RetryAfterFailure);
        }
        Assert.Equal(1, end.Failed);
        Assert.Contains("could not be looked up", end.Message);
    }

    [Fact]
    public async Task Lookups_AreJobsPerWorkspace_ASecondRequestWaitsForTheFirst_AndAStopKeepsWhatWasFound()
    {
        using var database = new TestDatabase();
        var first = await database.CreateWorkspaceAsync("First");
        var second = await database.CreateWorkspaceAsync("Second");
        await AddRecipientsAsync(database, first, "a@gw1.test", "b@gw2.test");
        await AddRecipientsAsync(database, second, "c@gw3.test");
        using var silent = new SilentDnsServer();
        var runner = Runner(database, Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(500)));

        // One lookup at a time per workspace; another workspace's has its own.
        Assert.True(await runner.EnqueueAsync(first, "ann@example.test"));
        Assert.False(await runner.EnqueueAsync(first, "bob@example.test"));
        Assert.True(await runner.EnqueueAsync(second, "bob@example.test"));
        Assert.Equal(("ann@example.test", JobState.Queued), ((await runner.LatestAsync(first))!.RequestedBy, (await runner.LatestAsync(first))!.State));

        // Stopped before it started: it ends at once and says who stopped it.
        Assert.True(await runner.StopAsync(first, "bob@example.test"));
        var stopped = await runner.LatestAsync(first);
        Assert.Equal(JobState.Done, stopped!.State);
        Assert.Equal("Stopped by bob@example.test before it started.", stopped.Result);
        Assert.True(await runner.EnqueueAsync(first, "ann@example.test"));

        // Stopped while it runs: what was found is kept, and it says how far it came.
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var end = await runner.LookUpAsync(first, cancellationToken: stop.Token);
        Assert.False(end.Running);
        Assert.Matches(@"^Stopped after \d of 2 domains; what was found is kept\.$", end.Message);
    }

    internal static GatewayRunner Runner(TestDatabase database, Core.Authentication.DnsLookup lookup) =>
        new(database, new GatewayResolver(lookup, ScannerCatalogue.Default), new Core.Jobs.JobQueue(database, TimeProvider.System), TimeProvider.System, NullLogger<GatewayRunner>.Instance);

    private static async Task AddRecipientsAsync(TestDatabase database, int workspaceId, params string[] emails)
    {
        await using var db = database.CreateDbContext();
        db.Recipients.AddRange(emails.Select(e => new Recipient { WorkspaceId = workspaceId, Email = e, Domain = e.Split('@')[1] }));
        await db.SaveChangesAsync();
    }
}
