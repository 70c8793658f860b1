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
    public async Task DomainClicksCsv_HasEveryClickFromTheDomain_InEveryCampaign()
    {
        var client = _factory.CreateClient();
        var expected = (await _factory.Services.GetRequiredService<ClickInsights.Core.Reports.DomainReport>().DomainAsync(1, "millerhvac.com"))!;

        var response = await client.GetAsync("/w/1/domains/millerhvac.com/clicks.csv");
        var missing = await client.GetAsync("/w/1/domains/nobody.example/clicks.csv");

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("campaign_id,email,url,clicked_at,verdict,score,reasons", lines[0]);
        Assert.Equal(expected.Clicks, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Contains("@millerhvac.com,", l));
        Assert.Equal(expected.BotClicks, lines.Count(l => l.Contains(",bot,", StringComparison.Ordinal)));
        Assert.Equal(expected.Campaigns.Count, lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().Count());
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
    public async Task ReportCsv_AndUnknownCampaign()
    {
        var client = _factory.CreateClient();

        var report = await client.GetStringAsync("/campaigns/1/report.csv");
        var missing = await client.GetAsync("/campaigns/999/clicks.csv");

        Assert.Contains("real click rate %", report);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
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
