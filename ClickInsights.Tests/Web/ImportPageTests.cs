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
public sealed class ImportPageTests : BunitTestBase
{
    private readonly UploadOptions _limits = new() { MaxUploadMegabytes = 1, MaxFiles = 3 };

    public ImportPageTests()
    {
        Context.Services.AddSingleton(Options.Create(_limits));
        Context.Services.AddSingleton(Options.Create(new StorageOptions { DatabasePath = Database.Path_ }));
        Context.Services.AddSingleton(new CsvMappingStore(Database, TimeProvider.System));
        Context.Services.AddSingleton<Microsoft.Extensions.Logging.ILogger<ImportRunner>>(NullLogger<ImportRunner>.Instance);
        Context.Services.AddSingleton<ImportRunner>();
    }

    private ImportRunner Runner => Context.Services.GetRequiredService<ImportRunner>();

    private async Task<IRenderedComponent<ImportPage>> RenderAsync()
    {
        await Database.CreateWorkspaceAsync("Corner Shop");
        var page = Context.Render<ImportPage>();
        page.WaitForAssertion(() => Assert.Contains("Corner Shop", page.Markup));
        return page;
    }

    private void Upload(IRenderedComponent<ImportPage> page, params InputFileContent[] files) =>
        page.FindComponent<InputFile>().UploadFiles(files);

    [Fact]
    public async Task EarlierImport_CanBeRemoved_AfterSayingWhatGoes()
    {
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

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=history-empty]")), TimeSpan.FromSeconds(20));
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
    public async Task FilesUploadedForAnotherWorkspace_SayWhereTheyGo()
    {
        var page = await RenderAsync();
        var other = await Database.CreateWorkspaceAsync("Harbor Dental");
        // As if uploaded from another tab (or before a reload) that showed the other workspace.
        var bytes = Encoding.UTF8.GetBytes(Samples.SendGridOddCases);
        await Runner.UploadAsync(other, [("events.json", bytes.Length, _ => new MemoryStream(bytes))]);
        await Runner.Completion;

        page.WaitForAssertion(() => Assert.Contains("These files go into Harbor Dental, the workspace they were uploaded for, not “Corner Shop” shown now",
            page.Find("[data-testid=import-target]").TextContent));
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
