using Bunit;
using ClickInsights.Core.Authentication;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Domains;
using ClickInsights.Core.Reports;
using ClickInsights.Tests.Web;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using AuthenticationPage = ClickInsights.Web.Components.Pages.Authentication.Authentication;
using DomainsPage = ClickInsights.Web.Components.Pages.Domains.Domains;

namespace ClickInsights.Tests.Authentication;

/// <summary>The pages with the real services over a test database, and DNS from dnsmasq (or a dead server).</summary>
public abstract class PageTestBase : BunitTestBase
{
    protected void UseDns(SenderZone zone, DnsLookup? lookup = null)
    {
        lookup ??= zone.Server.Lookup();
        Context.Services.AddSingleton(new AuthenticationService(Database, zone.Checker(lookup), TimeProvider.System));
        Context.Services.AddSingleton(new AuthImpactReport(Database));
        Context.Services.AddSingleton(new DomainReport(Database));
        Context.Services.AddSingleton(sp => new GatewayRunner(Database, new GatewayResolver(lookup, ScannerCatalogue.Default), sp.GetRequiredService<ClickInsights.Core.Jobs.JobQueue>(), TimeProvider.System, NullLogger<GatewayRunner>.Instance));
        Context.Services.AddSingleton<ClickInsights.Core.Jobs.IJobHandler>(sp => sp.GetRequiredService<GatewayRunner>());
    }

    /// <summary>Renders the page under a popover provider, as MainLayout hosts it.</summary>
    protected IRenderedComponent<TPage> RenderPage<TPage>() where TPage : IComponent =>
        Context.Render<TPage>(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<TPage>(1);
            builder.CloseComponent();
        });

    protected async Task<int> WorkspaceAsync(string? domain = null, string? provider = null, AuthCheckResult? result = null)
    {
        var id = await Database.CreateWorkspaceAsync("Bakery");
        await using var db = Database.CreateDbContext();
        var w = await db.Workspaces.FindAsync(id);
        w!.SendingDomain = domain;
        w.SendingProvider = provider;
        w.AuthLastResultJson = result?.ToJson();
        w.AuthLastCheckedAt = result?.CheckedAt;
        await db.SaveChangesAsync();
        return id;
    }
}

[Trait("Store", "SQLite only: DNS and the page above the storage seam")]
public sealed class AuthenticationPageTests(SenderZone zone) : PageTestBase, IClassFixture<SenderZone>
{
    [Fact]
    public void NoWorkspace_SaysToImportFirst()
    {
        UseDns(zone);

        var page = RenderPage<AuthenticationPage>();

        page.WaitForAssertion(() => Assert.Contains("There is no workspace yet", page.Markup));
    }

    [Fact]
    public async Task NoDomain_AsksForIt()
    {
        UseDns(zone);
        await WorkspaceAsync();

        var page = RenderPage<AuthenticationPage>();

        page.WaitForAssertion(() => Assert.Contains("Enter your sending domain and provider", page.Find("[data-testid=no-domain]").TextContent));
        Assert.Contains("not passed the authentication check yet", page.Find("[data-testid=impact-summary]").TextContent);
    }

    [Fact]
    public async Task CheckNow_RunsTheCheckAndShowsEachRecord()
    {
        UseDns(zone);
        await WorkspaceAsync("good.test", "sendgrid");
        var page = RenderPage<AuthenticationPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=not-checked]"));

        page.Find("[data-testid=check]").Click();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("good.test is set up", page.Find("[data-testid=headline]").TextContent);
            Assert.Equal(4, page.FindAll("[data-testid=status-chip]").Count(c => c.TextContent.Contains("OK")));
            Assert.Contains("Last checked", page.Find("[data-testid=last-checked]").TextContent);
        });
        Assert.Contains("Check again", page.Find("[data-testid=check]").TextContent);
    }

    [Fact]
    public async Task StoredFailingResult_ShowsTheRecordsToAdd()
    {
        UseDns(zone);
        var checker = zone.Checker();
        await WorkspaceAsync("norecords.test", "mailchimp", await checker.CheckAsync("norecords.test", "mailchimp", null));

        var page = RenderPage<AuthenticationPage>();

        page.WaitForAssertion(() =>
        {
            var dkim = page.Find("[data-testid=item-dkim]");
            Assert.Contains("Needs fixing", dkim.TextContent);
            Assert.Contains("k2._domainkey.norecords.test", dkim.TextContent);
            Assert.Contains("dkim2.mcsv.net", dkim.TextContent);
            Assert.Contains("v=DMARC1; p=none", page.Find("[data-testid=item-dmarc]").TextContent);
        });
    }

    [Fact]
    public async Task DeadDnsServer_ShowsCouldNotCheck_NotFailures()
    {
        using var silent = new SilentDnsServer();
        UseDns(zone, Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(200)));
        await WorkspaceAsync("good.test", "sendgrid");
        var page = RenderPage<AuthenticationPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=check]"));

        page.Find("[data-testid=check]").Click();

        page.WaitForAssertion(() =>
        {
            var chips = page.FindAll("[data-testid=status-chip]").Select(c => c.TextContent.Trim()).ToList();
            Assert.Equal(4, chips.Count);
            Assert.All(chips, c => Assert.Equal("Could not check", c));
            Assert.Contains("could not be checked just now", page.Find("[data-testid=headline]").TextContent);
        });
        Assert.Empty(page.FindAll("[data-testid=fixes]"));
    }

    [Fact]
    public async Task SaveWithNonsenseDomain_ExplainsWhatToEnter()
    {
        UseDns(zone);
        await WorkspaceAsync();
        var page = RenderPage<AuthenticationPage>();
        page.WaitForAssertion(() => page.Find("input[data-testid=domain]"));

        page.Find("input[data-testid=domain]").Change("my bakery");
        page.Find("[data-testid=save]").Click();

        page.WaitForAssertion(() => Assert.Contains("is not a domain name", page.Find("[data-testid=save-error]").TextContent));
    }

    [Fact]
    public async Task PastedHeaders_AreExplained()
    {
        UseDns(zone);
        await WorkspaceAsync("riversidebakery.com");
        var page = RenderPage<AuthenticationPage>();
        page.WaitForAssertion(() => page.Find("textarea[data-testid=header-input]"));

        page.Find("textarea[data-testid=header-input]").Change("""
            Authentication-Results: mx.google.com; dkim=pass header.i=@riversidebakery.com header.s=s1; spf=pass smtp.mailfrom=bounces.sendgrid.net; dmarc=pass header.from=riversidebakery.com
            From: Bakery <hi@riversidebakery.com>
            """);
        page.Find("[data-testid=analyze]").Click();

        page.WaitForAssertion(() => Assert.Contains("confirmed the message really comes from riversidebakery.com", page.Find("[data-testid=header-result]").TextContent));
    }
}

public sealed class DomainsPageTests(SenderZone zone) : PageTestBase, IClassFixture<SenderZone>
{
    [Fact]
    public async Task NoRecipients_SaysToImport()
    {
        UseDns(zone);
        await WorkspaceAsync();

        var page = RenderPage<DomainsPage>();

        page.WaitForAssertion(() => Assert.Contains("no recipients in this workspace yet", page.Find("[data-testid=empty]").TextContent));
    }

    [Fact]
    public async Task RecipientsWithoutClicks_SayNoClicksYet_NotThatEveryClickWasAPerson()
    {
        using var silent = new SilentDnsServer();
        UseDns(zone, Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(200)));
        var workspace = await WorkspaceAsync();
        const string delivered = """[{"email":"ann@acme.example","timestamp":1788271239,"event":"delivered","sg_event_id":"d1","singlesend_id":"s1"}]""";
        await Database.Importer.ImportAsync(workspace, Support.Samples.Utf8(delivered), "delivered.json");

        var page = RenderPage<DomainsPage>();

        page.WaitForAssertion(() => Assert.Contains("No clicks yet", page.Find("[data-testid=domains-note]").TextContent));
    }

    [Fact]
    public async Task Demo_LooksUpGatewaysInTheBackground_AndRanksDomains()
    {
        using var silent = new SilentDnsServer();
        UseDns(zone, Dnsmasq.LookupAt(silent.Port, TimeSpan.FromMilliseconds(200)));
        RunJobs();
        await Database.SeedDemoAsync();

        var page = RenderPage<DomainsPage>();

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll("[data-testid=domain-table] tbody tr");
            Assert.Equal(10, rows.Count); // first page
            Assert.Contains("Microsoft 365", rows[0].TextContent);
            Assert.Contains("Looked up 15 domains", page.Find("[data-testid=lookup-message]").TextContent);
        });
        Assert.NotNull(page.Find("[data-testid=chart]"));
        // A domain leads to its own page: its recipients and their clicks, campaign by campaign.
        var link = page.Find("[data-testid=domain-table] tbody tr a").GetAttribute("href")!;
        Assert.Matches(@"^/domains/[a-z0-9.\-]+$", link);
        Assert.Contains("Look up gateways", page.Find("[data-testid=lookup]").TextContent);
    }
}
