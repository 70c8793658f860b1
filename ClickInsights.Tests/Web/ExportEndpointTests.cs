using System.Net;
using ClickInsights.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Tests.Web;

/// <summary>The dashboard on an empty database of each store: it migrates it, loads the demo, and its exports follow the CLI's contract.</summary>
public abstract class ExportEndpointTests(StoreKind store) : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clickinsights-tests", Guid.NewGuid().ToString("N"));
    private string? _postgresDatabase;
    private WebApplicationFactory<Program> _factory = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        if (store == StoreKind.PostgreSql)
        {
            (_postgresDatabase, var connectionString) = TestPostgres.CreateEmptyDatabase();
            _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UsePostgreSql(connectionString, _folder));
        }
        else
        {
            var path = Path.Combine(_folder, "export.db");
            _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ClickInsights:Storage:DatabasePath", path));
        }
        return Task.CompletedTask;
    }

    [SkippableFact]
    public async Task ClicksCsv_HasTheCliContractColumns_OneRowPerClick()
    {
        var client = _factory.CreateClient();

        var response = await client.GetAsync("/campaigns/1/clicks.csv");

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("campaign_id,email,url,clicked_at,verdict,score,reasons", lines[0]);
        Assert.True(lines.Length > 100);
        Assert.Matches(@"^[^,]+,[^,]+@[^,]+,https?://[^,]+,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,(human|suspect|bot),\d+,", lines[1]);
    }

    [SkippableFact]
    public async Task DomainClicksCsv_IsTheEvidenceForTheCompanysIt_EveryClickFromTheDomain_InEveryCampaign()
    {
        var client = _factory.CreateClient();
        var expected = (await _factory.Services.GetRequiredService<ClickInsights.Core.Reports.DomainReport>().DomainAsync(1, "millerhvac.com"))!;

        var response = await client.GetAsync("/w/1/domains/millerhvac.com/clicks.csv");
        var missing = await client.GetAsync("/w/1/domains/nobody.example/clicks.csv");

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var csv = CsvTable.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["campaign", "sent_at", "recipient", "clicked_at", "seconds_after_delivery", "link", "ip", "network", "network_owner", "user_agent", "verdict", "score", "reasons"], csv.Header);
        Assert.Equal(expected.Clicks, csv.Rows.Count);
        Assert.All(csv.Rows, r => Assert.EndsWith("@millerhvac.com", r["recipient"], StringComparison.Ordinal));
        Assert.Equal(expected.BotClicks, csv.Rows.Count(r => r["verdict"] == "bot"));
        Assert.Equal(expected.HumanClicks, csv.Rows.Count(r => r["verdict"] == "human"));
        // Campaigns by the names the owner knows, with their send times; one value per column.
        Assert.Equal(expected.Campaigns.Select(c => c.CampaignName).Order(), csv.Rows.Select(r => r["campaign"]).Distinct().Order());
        Assert.All(csv.Rows, r => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$", r["clicked_at"]));
        Assert.All(csv.Rows, r => Assert.True(double.TryParse(r["seconds_after_delivery"], System.Globalization.CultureInfo.InvariantCulture, out _), r["seconds_after_delivery"]));
        // The scanners' clicks name their network and its owner (Microsoft's, for a Safe Links domain).
        var bots = csv.Rows.Where(r => r["verdict"] == "bot").ToList();
        Assert.True(bots.Count(r => r["network_owner"].Contains("Microsoft", StringComparison.Ordinal)) > bots.Count / 2);
        Assert.All(bots.Where(r => r["network"].Length > 0), r => Assert.Contains("/", r["network"]));
        Assert.All(bots, r => Assert.NotEqual("", r["reasons"]));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }

    [SkippableFact]
    public async Task ClickersCsv_PeopleWhoReallyClicked_AndScannerOnlyRecipients_AddUp()
    {
        var client = _factory.CreateClient();
        var campaign = (await _factory.Services.GetRequiredService<ClickInsights.Core.Reports.ReportService>().CampaignAsync(1))!.Campaign;

        string[] Rows(string csv) => csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var people = Rows(await client.GetStringAsync("/campaigns/1/clickers.csv?who=people"));
        var scannerOnly = Rows(await client.GetStringAsync("/campaigns/1/clickers.csv?who=scanner-only"));
        var all = Rows(await client.GetStringAsync("/campaigns/1/clickers.csv?who=all"));

        Assert.Equal("email,domain,clicks,clicks_by_people,suspect_clicks,scanner_clicks,clicked_as", people[0]);
        Assert.Equal(campaign.HumanClickers, people.Length - 1);
        Assert.All(people.Skip(1), r => Assert.EndsWith(",person", r));
        Assert.True(scannerOnly.Length > 2);
        Assert.All(scannerOnly.Skip(1), r =>
        {
            var cells = r.Split(',');
            Assert.Equal(("0", cells[2], "scanner only"), (cells[3], cells[5], cells[6]));
        });
        Assert.Equal(campaign.UniqueClickers, all.Length - 1);
        Assert.True(people.Length + scannerOnly.Length - 2 <= all.Length - 1);
    }

    [SkippableFact]
    public async Task ReportCsv_IsOneRowPerDomain_AddingUpToTheCampaignsFigures()
    {
        var client = _factory.CreateClient();
        var campaign = (await _factory.Services.GetRequiredService<ClickInsights.Core.Reports.ReportService>().CampaignAsync(1))!.Campaign;

        var report = CsvTable.Parse(await client.GetStringAsync("/campaigns/1/report.csv"));
        var missing = await client.GetAsync("/campaigns/999/report.csv");

        Assert.Equal(["domain", "gateway", "reported_clickers", "people_clickers", "clicks", "human_clicks", "suspect_clicks", "bot_clicks", "bot_share"], report.Header);
        Assert.Equal(report.Rows.Count, report.Rows.Select(r => r["domain"]).Distinct().Count());
        Assert.Equal(campaign.Clicks, report.Sum("clicks"));
        Assert.Equal(campaign.HumanClicks, report.Sum("human_clicks"));
        Assert.Equal(campaign.SuspectClicks, report.Sum("suspect_clicks"));
        Assert.Equal(campaign.BotClicks, report.Sum("bot_clicks"));
        // A recipient is at one domain: the domains' clickers add up to the campaign's.
        Assert.Equal(campaign.UniqueClickers, report.Sum("reported_clickers"));
        Assert.Equal(campaign.HumanClickers, report.Sum("people_clickers"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }

    [SkippableFact]
    public async Task DomainsCsv_IsTheDomainsList_OneRowPerDomain()
    {
        var client = _factory.CreateClient();
        var rows = await _factory.Services.GetRequiredService<ClickInsights.Core.Reports.DomainReport>().DomainsAsync(1);

        var csv = CsvTable.Parse(await client.GetStringAsync("/w/1/domains.csv"));

        Assert.Equal(["domain", "gateway", "recipients", "clicks", "human_clicks", "suspect_clicks", "bot_clicks", "bot_share"], csv.Header);
        Assert.Equal(rows.Select(r => r.Domain), csv.Rows.Select(r => r["domain"]));
        Assert.Equal(rows.Sum(r => r.Clicks), csv.Sum("clicks"));
        Assert.Equal(rows.Sum(r => r.BotClicks), csv.Sum("bot_clicks"));
        Assert.Equal(rows.Sum(r => r.Recipients), csv.Sum("recipients"));
    }

    [SkippableFact]
    public async Task WorkspaceReportCsvs_AddUpToTheReport_OverItsPeriod()
    {
        var client = _factory.CreateClient();
        var report = (await _factory.Services.GetRequiredService<ClickInsights.Core.Reports.WorkspaceReport>().MakeAsync(1))!;

        var campaigns = CsvTable.Parse(await client.GetStringAsync("/w/1/report/campaigns.csv"));
        var domains = CsvTable.Parse(await client.GetStringAsync("/w/1/report/domains.csv"));
        // A period of the first two campaigns (sent two weeks apart).
        var firstTwo = CsvTable.Parse(await client.GetStringAsync("/w/1/report/campaigns.csv?from=2026-09-01&to=2026-09-20"));
        var wrongPeriod = await client.GetAsync("/w/1/report/campaigns.csv?from=2026-13-01");
        var otherTable = await client.GetAsync("/w/1/report/people.csv");

        Assert.Equal(["campaign_id", "name", "sent_at", "delivered", "delivered_by_hand", "reported_clickers", "people_clickers", "reported_click_rate", "real_click_rate",
            "reported_clicks", "human_clicks", "suspect_clicks", "bot_clicks"], campaigns.Header);
        Assert.Equal(report.Campaigns.Count, campaigns.Rows.Count);
        Assert.Equal(report.Delivered, campaigns.Sum("delivered"));
        Assert.Equal(report.PeopleClickers, campaigns.Sum("people_clickers"));
        Assert.Equal(report.Clicks, campaigns.Sum("reported_clicks"));
        Assert.Equal(report.BotClicks, campaigns.Sum("bot_clicks"));
        Assert.All(campaigns.Rows, r => Assert.Equal((double)int.Parse(r["people_clickers"]) / int.Parse(r["delivered"]), double.Parse(r["real_click_rate"], System.Globalization.CultureInfo.InvariantCulture), 3));
        Assert.Equal(["domain", "gateway", "clicks", "human_clicks", "suspect_clicks", "bot_clicks", "bot_share", "share_of_all_bot_clicks", "campaigns_affected"], domains.Header);
        Assert.Equal(report.Domains.Select(d => d.Domain), domains.Rows.Select(r => r["domain"]));
        Assert.Equal(2, firstTwo.Rows.Count);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, wrongPeriod.StatusCode);
        Assert.Contains("2026-13-01", await wrongPeriod.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, otherTable.StatusCode);
    }

    [SkippableFact]
    public async Task HealthChecks_AnswerTheLoadBalancer_WithoutASignInOrAnyData()
    {
        var client = _factory.CreateClient();

        using var live = await client.GetAsync("/healthz");
        using var ready = await client.GetAsync("/readyz");

        Assert.Equal((HttpStatusCode.OK, "ok"), (live.StatusCode, (await live.Content.ReadAsStringAsync()).Trim()));
        Assert.Equal((HttpStatusCode.OK, "ready"), (ready.StatusCode, (await ready.Content.ReadAsStringAsync()).Trim()));
        Assert.Equal("no-store", ready.Headers.CacheControl?.ToString());
        Assert.True(ready.Headers.Contains("X-ClickInsights-Instance"));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        if (_postgresDatabase is not null)
        {
            TestPostgres.Drop(_postgresDatabase);
        }
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary><see cref="ExportEndpointTests"/> on SQLite.</summary>
public sealed class ExportEndpointTestsOnSqlite() : ExportEndpointTests(StoreKind.Sqlite);

/// <summary><see cref="ExportEndpointTests"/> on PostgreSQL.</summary>
public sealed class ExportEndpointTestsOnPostgreSql() : ExportEndpointTests(StoreKind.PostgreSql);
