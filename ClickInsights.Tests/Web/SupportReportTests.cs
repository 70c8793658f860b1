using ClickInsights.Tests.Support;
using Bunit;
using ClickInsights.Core.Authentication;
using ClickInsights.Web.Components.Pages.Campaigns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClickInsights.Tests.Web;

public abstract class SupportReportTests : BunitTestBase
{
    protected SupportReportTests(StoreKind store) : base(store)
    {
        // The report only reads the stored check; no DNS query is made.
        var dns = new DnsLookup(Options.Create(new DnsOptions()));
        Context.Services.AddSingleton(new AuthenticationService(Database,
            new SenderAuthChecker(new SpfChecker(dns), new DkimChecker(dns), new DmarcChecker(dns), TimeProvider.System), TimeProvider.System));
    }

    [SkippableFact]
    public async Task Report_ShowsFiguresDomainsAuthenticationAndAdvice()
    {
        await Database.SeedDemoAsync();

        var page = Context.Render<SupportReport>(p => p.Add(c => c.Id, 2));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("In short", page.Markup);
            Assert.Contains("real click rate", page.Markup);
            Assert.Contains("Recipient domains with the most machine clicks", page.Markup);
            Assert.Contains("harbordental.com", page.Markup);
            Assert.Contains("Sender authentication", page.Markup);
            Assert.Contains("What to do", page.Markup);
            // The numbered bars of the links chart are named in print.
            Assert.Contains("/menu", page.Find("[data-testid=report-links]").TextContent);
        });
    }

    [SkippableFact]
    public void Report_UnknownCampaign_SaysSo()
    {
        var page = Context.Render<SupportReport>(p => p.Add(c => c.Id, 77));

        page.WaitForAssertion(() => Assert.Contains("There is no campaign with number 77", page.Markup));
    }
}

/// <summary><see cref="SupportReportTests"/> on SQLite.</summary>
public sealed class SupportReportTestsOnSqlite() : SupportReportTests(StoreKind.Sqlite);

/// <summary><see cref="SupportReportTests"/> on PostgreSQL.</summary>
public sealed class SupportReportTestsOnPostgreSql() : SupportReportTests(StoreKind.PostgreSql);
