using System.Text;
using Bunit;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Tests.Support;
using ClickInsights.Web.Components.Pages.Import;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClickInsights.Tests.Web;

/// <summary>The Import page's states over the real runner and importer: empty, files checked, a CSV to map, errors.</summary>
[Trait("Store", "SQLite only: the page's behaviour above the seam; the runner under it runs in ImportRunnerTestsOnPostgreSql")]
public sealed class ImportPageTests : BunitTestBase
{
    private readonly UploadOptions _limits = new() { MaxUploadMegabytes = 1, MaxFiles = 3 };

    public ImportPageTests()
    {
        Context.Services.AddSingleton(Options.Create(_limits));
        Context.Services.AddSingleton(Options.Create(Database.Options));
        Context.Services.AddSingleton(new CsvMappingStore(Database, TimeProvider.System));
        Context.Services.AddSingleton<ImportDesk>();
    }

    private int _workspace;

    private ImportDesk Desk => Context.Services.GetRequiredService<ImportDesk>();

    /// <summary>The page's own runner: no account exists in these tests, so the person is the local user.</summary>
    private ImportRunner Runner => Desk.For("", "local user", _workspace);

    private async Task<IRenderedComponent<ImportPage>> RenderAsync()
    {
        _workspace = await Database.CreateWorkspaceAsync("Corner Shop");
        var page = Context.Render<ImportPage>();
        page.WaitForAssertion(() => Assert.Contains("Corner Shop", page.Markup));
        return page;
    }

    private void Upload(IRenderedComponent<ImportPage> page, params InputFileContent[] files) =>
        page.FindComponent<InputFile>().UploadFiles(files);

    [Fact]
    public async Task EarlierImport_CanBeRemoved_AfterSayingWhatGoes()
    {
        RunJobs();
        var workspace = await Database.CreateWorkspaceAsync("Corner Shop");
        await Database.Importer.ImportAsync(workspace, Samples.Utf8(Samples.SendGridOddCases), "wrong-customer.json");
        var page = Context.Render(builder =>
        {
            builder.OpenComponent<MudBlazor.MudDialogProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<ImportPage>(1);
            builder.CloseComponent();
        });
        page.WaitForAssertion(() => Assert.Contains("wrong-customer.json", page.Find("[data-testid=import-history]").TextContent));

        page.Find("[data-testid=remove-import]").Click();
        page.WaitForAssertion(() => Assert.Contains("This deletes the 7 events this file brought into Corner Shop (2 clicks)", page.Markup));
        page.FindAll("button").First(b => b.TextContent.Trim() == "Remove").Click();

        page.WaitForAssertion(() => Assert.True(page.FindAll("[data-testid=history-empty]").Count == 1, page.Markup), TimeSpan.FromSeconds(20));
        await using var db = Database.CreateDbContext();
        Assert.Equal(0, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Events));
        Assert.Equal(0, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Campaigns));
    }

    [Fact]
    public async Task ImportFromAConnection_IsNotOfferedForRemoval()
    {
        var workspace = await Database.CreateWorkspaceAsync("Corner Shop");
        await Database.Importer.ImportAsync(workspace, Samples.Utf8(Samples.SendGridOddCases), "sendgrid/webhook/20260401T120000.000Z.json", ImportOptions.Default with { ConnectionId = 3 });

        var page = Context.Render<ImportPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=from-connection]")));
        Assert.Empty(page.FindAll("[data-testid=remove-import]"));
    }

    [Fact]
    public async Task Empty_ShowsDropZoneLimitsAndNoHistory()
    {
        var page = await RenderAsync();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=history-empty]")));
        Assert.Contains("Drop export files here", page.Markup);
        Assert.Contains("each up to 1 MB", page.Markup);
        Assert.NotNull(page.Find("input[type=file][multiple]"));
    }

    [Fact]
    public async Task FileChosen_ShowsFormatCountsAndCampaigns_BeforeAnythingIsStored()
    {
        var page = await RenderAsync();

        Upload(page, InputFileContent.CreateFromText(Samples.SendGridOddCases, "events.json"));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=import-ready]")), TimeSpan.FromSeconds(20));
        var row = page.Find("[data-testid=file-row]").TextContent;
        Assert.Contains("events.json", row);
        Assert.Contains("SendGrid Event Webhook JSON", row);
        Assert.Contains("Spring Sale", row);
        Assert.Contains("Ready", row);
        await using var db = Database.CreateDbContext();
        Assert.Equal(0, db.Events.Count());
    }

    [Fact]
    public async Task Import_ShowsSummaryAndHistory_AndDeletesTheUpload()
    {
        var page = await RenderAsync();
        Upload(page, InputFileContent.CreateFromText(Samples.SendGridOddCases, "events.json"));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=start-import]")), TimeSpan.FromSeconds(20));

        page.Find("[data-testid=start-import]").Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=import-summary]")), TimeSpan.FromSeconds(20));
        Assert.Equal("7", page.Find("[data-testid=summary-new-events]").TextContent);
        Assert.Equal("3", page.Find("[data-testid=summary-campaigns]").TextContent);
        page.WaitForAssertion(() => Assert.Contains("events.json", page.Find("[data-testid=import-history]").TextContent));
        Assert.Empty(Directory.Exists(Runner.UploadFolder) ? Directory.GetFiles(Runner.UploadFolder) : []);
    }

    [Fact]
    public async Task UnknownFile_IsRefusedListingTheFormatsRead()
    {
        var page = await RenderAsync();

        Upload(page, InputFileContent.CreateFromText("Dear customer,\nthank you.\n", "letter.txt"));

        page.WaitForAssertion(() => Assert.Contains("not a format ClickInsights reads", page.Find("[data-testid=file-error]").TextContent), TimeSpan.FromSeconds(20));
        Assert.Contains("CSV exports", page.Find("[data-testid=file-error]").TextContent);
        Assert.True(page.Find("[data-testid=start-import]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task FileOverTheLimit_SaysTheLimitAndUploadsNothing()
    {
        var page = await RenderAsync();

        Upload(page, InputFileContent.CreateFromText(new string('x', 1_200_000), "huge.json"));

        page.WaitForAssertion(() => Assert.Contains("the upload limit is 1 MB per file", page.Find("[data-testid=import-error]").TextContent));
        Assert.Contains("huge.json", page.Find("[data-testid=import-error]").TextContent);
        Assert.Equal(ImportStage.Empty, Runner.State.Stage);
    }

    [Fact]
    public async Task TooManyFiles_SaysHowManyAreAllowed()
    {
        var page = await RenderAsync();

        Upload(page, [.. Enumerable.Range(1, 4).Select(i => InputFileContent.CreateFromText("{}", $"f{i}.json"))]);

        page.WaitForAssertion(() => Assert.Contains("at most 3 can be uploaded at once", page.Find("[data-testid=import-error]").TextContent));
    }

    [Fact]
    public async Task OthersFiles_AreNotShown_TheirImportIsSeenInItsWorkspaceOnly()
    {
        var page = await RenderAsync();
        var other = await Database.CreateWorkspaceAsync("Harbor Dental");
        var activity = Context.Services.GetRequiredService<ClickInsights.Core.WorkspaceActivity>();
        var seenHere = new List<string>();
        var seenThere = new List<string>();
        using var watchHere = activity.Watch(_workspace, () => seenHere.AddRange(activity.In(_workspace).Select(a => $"{a.Who}: {a.What}")));
        using var watchThere = activity.Watch(other, () => seenThere.AddRange(activity.In(other).Select(a => $"{a.Who}: {a.What}")));
        var bytes = Encoding.UTF8.GetBytes(Samples.SendGridOddCases);

        // A colleague uploads into this workspace, someone else into another one.
        var colleague = Desk.For("colleague", "cat@example.com", _workspace);
        await colleague.UploadAsync(_workspace, [("colleague.json", bytes.Length, _ => new MemoryStream(bytes))]);
        await colleague.Completion;
        var stranger = Desk.For("stranger", "sam@example.com", other);
        await stranger.UploadAsync(other, [("stranger.json", bytes.Length, _ => new MemoryStream(bytes))]);
        await stranger.Completion;

        Assert.Equal(ImportStage.Ready, colleague.State.Stage);
        Assert.Equal(ImportStage.Empty, Runner.State.Stage);
        Assert.NotNull(page.Find("[data-testid=drop-zone]"));
        Assert.DoesNotContain("colleague.json", page.Markup);
        Assert.DoesNotContain("stranger.json", page.Markup);

        // Importing is long work: everyone looking at the colleague's workspace sees it, nobody looking at another.
        Assert.True(colleague.StartImport());
        await colleague.Completion;
        Assert.Contains("cat@example.com: Importing 1 file", seenHere);
        Assert.DoesNotContain(seenHere, s => s.Contains("sam@example.com"));
        Assert.All(seenThere, s => Assert.StartsWith("sam@example.com", s));
        Assert.Empty(activity.In(_workspace));
        page.WaitForAssertion(() => Assert.Contains("colleague.json", page.Find("[data-testid=import-history]").TextContent));
        Assert.DoesNotContain("stranger.json", page.Markup);
    }

    [Fact]
    public async Task CsvWithGuessedColumns_IsReady_AndShowsTheGuessToCheck()
    {
        var page = await RenderAsync();
        const string csv = "Email Address,Clicked At,Link\nann@acme.example,2026-03-02 14:00:07,https://shop.example/a\n";

        Upload(page, InputFileContent.CreateFromText(csv, "clicks.csv"));

        page.WaitForAssertion(() => Assert.Contains("columns guessed from the file", page.Find("[data-testid=file-row]").TextContent), TimeSpan.FromSeconds(20));
        Assert.NotNull(page.Find("[data-testid=mapping-editor]"));
        Assert.False(page.Find("[data-testid=start-import]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task CsvWithUnknownColumns_AsksForThem_ThenImportsAndRemembers()
    {
        var page = await RenderAsync();
        const string csv = "Adresse;Zeitpunkt;Aktion\njan@example.de;2026-03-02T14:00:07Z;Klick\n";

        Upload(page, InputFileContent.CreateFromText(csv, "export.csv"));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=mapping-editor]")), TimeSpan.FromSeconds(20));
        Assert.Contains("Choose the columns below", page.Find("[data-testid=file-row]").TextContent);
        Assert.Contains("Still needed", page.Find("[data-testid=mapping-editor]").TextContent);
        Assert.True(page.Find("[data-testid=start-import]").HasAttribute("disabled"));

        // As if chosen in the editor: the runner re-checks with the columns.
        var file = Runner.State.Files.Single();
        await Runner.UseMappingAsync(file.Id, new CsvColumnMapping { Email = "Adresse", Timestamp = "Zeitpunkt", EventType = "Aktion", CampaignName = "März", EventValues = new() { ["Klick"] = EventType.Click } });

        page.WaitForAssertion(() => Assert.Contains("Ready", page.Find("[data-testid=file-row]").TextContent), TimeSpan.FromSeconds(20));
        page.Find("[data-testid=start-import]").Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=import-summary]")), TimeSpan.FromSeconds(20));
        Assert.Equal("1", page.Find("[data-testid=summary-new-clicks]").TextContent);
        var header = CsvHeaderOf(csv);
        Assert.NotNull(await new CsvMappingStore(Database, TimeProvider.System).FindAsync(header.Key, "next.csv"));
    }

    private static CsvHeader CsvHeaderOf(string text)
    {
        Assert.True(CsvHeader.TrySniff(Encoding.UTF8.GetBytes(text), true, out var header));
        return header!;
    }
}

/// <summary>The layout's activity bar: long work of the workspace shown, whoever started it; other workspaces' never.</summary>
public sealed class ActivityBarTests : BunitTestBase
{
    [Fact]
    public void ShowsThisWorkspacesWork_NotAnothers_AndGoesWhenItEnds()
    {
        var activity = Context.Services.GetRequiredService<ClickInsights.Core.WorkspaceActivity>();
        var bar = Context.Render<ClickInsights.Web.Components.Shared.ActivityBar>(p => p.Add(b => b.WorkspaceId, 1));
        Assert.Empty(bar.FindAll("[data-testid=activity]"));

        using (var mine = activity.Start(1, "cat@example.com", "Recomputing campaign 1 of 6 with new settings"))
        using (activity.Start(2, "sam@example.com", "Importing 3 files"))
        {
            bar.WaitForAssertion(() => Assert.Contains("cat@example.com: Recomputing campaign 1 of 6", bar.Find("[data-testid=activity-bar]").TextContent));
            // Reports are sent at most every 250 ms; this one comes after that.
            Thread.Sleep(300);
            mine.Report("Recomputing campaign 6 of 6 with new settings");
            bar.WaitForAssertion(() => Assert.Contains("campaign 6 of 6", bar.Markup));
            Assert.DoesNotContain("sam@example.com", bar.Markup);
        }

        bar.WaitForAssertion(() => Assert.Empty(bar.FindAll("[data-testid=activity]")));
    }
}

/// <summary>The files of an import grouped by campaign, each campaign under its name whichever file gives it.</summary>
public sealed class FileTableTests : BunitTestBase
{
    [Fact]
    public async Task AReportAndItsActivity_AreOneCampaign_UnderTheReportsName()
    {
        var report = await Database.Importer.PreviewAsync(Samples.Utf8(ProviderSamples.MailchimpReport), "report.json");
        var activity = await Database.Importer.PreviewAsync(Samples.Utf8(ProviderSamples.MailchimpEmailActivity), "email-activity.json");
        Assert.Equal("September Newsletter", Assert.Single(report.CampaignKeys).Value);
        Assert.Null(Assert.Single(activity.CampaignKeys).Value);
        Assert.Equal(report.CampaignKeys.Keys, activity.CampaignKeys.Keys);

        var table = Context.Render<FileTable>(p => p.Add(t => t.Files,
        [
            new ImportFileState("1", "email-activity.json", "", "") { Preview = activity },
            new ImportFileState("2", "report.json", "", "") { Preview = report },
        ]));

        var group = Assert.Single(table.FindAll("[data-testid=campaign-group]"));
        Assert.Contains("September Newsletter", group.TextContent);
        Assert.Contains("email-activity.json, report.json", group.TextContent);
        Assert.Contains("1 campaign in these files", table.Markup);
        Assert.All(table.FindAll("[data-testid=file-row]"), row => Assert.Contains("September Newsletter", row.TextContent));
        Assert.DoesNotContain("Campaign 42694e9e57", table.Markup);
    }
}
