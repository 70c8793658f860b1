using System.Diagnostics;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ClickInsights.Tests.Browser;

/// <summary>
/// The workspace report printed as a customer gets it: headless Chromium's "print to PDF" on Letter and on A4, pages
/// counted with Debian's pdfinfo and the first page read with pdftotext. The first page is full, and every page
/// carries the workspace and its number. Without poppler-utils the test fails: it never skips.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PrintedReportTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task WorkspaceReport_PrintsOnLetterAndA4_WithAFullFirstPage_NamesAndPageNumbers()
    {
        int demo, campaign;
        string sender, campaignName;
        await using (var db = await fixture.Services.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>().CreateDbContextAsync())
        {
            var workspace = await db.Workspaces.FirstAsync(w => w.IsDemo);
            (demo, sender) = (workspace.Id, workspace.SendingDomain!);
            var last = await db.Campaigns.Where(c => c.WorkspaceId == demo).OrderByDescending(c => c.SentAt).FirstAsync();
            (campaign, campaignName) = (last.Id, last.Name);
        }
        var folder = Directory.CreateTempSubdirectory("clickinsights-print").FullName;
        try
        {
            // Letter: Chromium's own --print-to-pdf from the command line, as a support person's browser prints it (its default paper).
            var letter = Path.Combine(folder, "letter.pdf");
            await RunAsync(BrowserFixture.FindChromium(),
                ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--virtual-time-budget=15000", $"--print-to-pdf={letter}", $"{fixture.BaseUrl}/w/{demo}/report"]);
            // A4: the same engine through Playwright, which chooses the paper.
            var a4 = Path.Combine(folder, "a4.pdf");
            var page = await fixture.OpenAsync($"/w/{demo}/report");
            await page.Locator("[data-testid=workspace-report]").WaitForAsync();
            await page.PdfAsync(new PagePdfOptions { Path = a4, Format = "A4" });

            // The campaign's report, as a customer prints it from a share link or the report page.
            var campaignLetter = Path.Combine(folder, "campaign.pdf");
            await RunAsync(BrowserFixture.FindChromium(),
                ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--virtual-time-budget=15000", $"--print-to-pdf={campaignLetter}", $"{fixture.BaseUrl}/campaigns/{campaign}/report"]);
            var campaignFirst = await RunAsync("pdftotext", ["-f", "1", "-l", "1", "-layout", campaignLetter, "-"]);
            output.WriteLine($"campaign report, first page:\n{campaignFirst}");
            Assert.Contains(campaignName, campaignFirst);
            Assert.Contains(sender, campaignFirst);
            Assert.Contains("Page 1 of", campaignFirst);
            Assert.True(campaignFirst.Split('\n').Count(l => l.Trim().Length > 0) >= 25, "The campaign report's first page is nearly empty.");

            foreach (var (file, paper) in new[] { (letter, "612 x 792"), (a4, "595.92 x 842.88") })
            {
                var info = await RunAsync("pdfinfo", [file]);
                var pages = int.Parse(System.Text.RegularExpressions.Regex.Match(info, @"Pages:\s+(\d+)").Groups[1].Value);
                Assert.Contains(paper, info.Replace("595 x 842", "595.92 x 842.88"));
                var first = await RunAsync("pdftotext", ["-f", "1", "-l", "1", "-layout", file, "-"]);
                var last = await RunAsync("pdftotext", ["-f", pages.ToString(), "-l", pages.ToString(), "-layout", file, "-"]);
                output.WriteLine($"{Path.GetFileName(file)}: {pages} pages; first page:\n{first}");

                Assert.InRange(pages, 1, 6);
                // Names, period, date made, classifier version, page numbers.
                Assert.Contains("Riverside Bakery (demo)", first);
                Assert.Contains(sender, first);
                Assert.Contains("period:", first);
                Assert.Matches(@"[Mm]ade [A-Z][a-z]{2} \d{1,2}, \d{4}", first);
                Assert.Contains($"classifier {ClickInsights.Core.Classification.ClickClassifier.Version}", first);
                Assert.Contains($"Page 1 of {pages}", first);
                Assert.Contains($"Page {pages} of {pages}", last);
                // No near-empty first page: it holds the headline and the campaigns' table, and is mostly text.
                Assert.Contains("In short", first);
                Assert.Contains("Campaigns", first);
                var lines = first.Split('\n').Count(l => l.Trim().Length > 0);
                Assert.True(lines >= 25, $"The first page has only {lines} lines of text.");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' could not be started ({e.Message}). Install Debian's poppler-utils (pdfinfo, pdftotext) and chromium.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {await stderr}");
            return await stdout;
        }
    }
}
