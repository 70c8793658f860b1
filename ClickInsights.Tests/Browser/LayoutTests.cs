using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ClickInsights.Tests.Browser;

/// <summary>Every page fits a phone (390 px) and a laptop (1280 px) without sideways scrolling, its chart text readable.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LayoutTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task EveryPage_FitsThePhoneAndTheLaptop_WithoutSidewaysScrolling()
    {
        var failures = new List<string>();
        var pages = await AccessibilityTests.PagesAsync(fixture);
        try
        {
            await CheckAsync(pages, failures);
        }
        finally
        {
            await AccessibilityTests.RemoveEmptyWorkspaceAsync(fixture);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task CheckAsync(List<string> pages, List<string> failures)
    {
        foreach (var path in pages)
        {
            // One load a page: the phone first, then the same page widened to a laptop's window.
            var page = await AccessibilityTests.OpenAsync(fixture, path, 390, 844);
            foreach (var width in new[] { 390, 1280 })
            {
                await page.SetViewportSizeAsync(width, 844);
                await page.WaitForTimeoutAsync(300);
                var sizes = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
                var (scroll, inner) = (sizes[0], sizes[1]);
                // Chart text (axis labels, legends) at least 11 px as drawn.
                var smallest = await page.EvaluateAsync<double>("""
                    () => Math.min(1000, ...[...document.querySelectorAll('svg text')].filter(t => t.textContent.trim() && t.getBoundingClientRect().height > 0)
                        .map(t => { const m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : 1); }))
                    """);
                output.WriteLine($"{path} at {width}: scroll width {scroll} of {inner}; smallest chart text {smallest:0.#} px");
                if (smallest < 11)
                {
                    output.WriteLine(await page.EvaluateAsync<string>("""
                        () => [...document.querySelectorAll('svg text')].filter(t => t.textContent.trim()).map(t => { const m = t.getScreenCTM(); return t.textContent.slice(0, 20) + ' ' + getComputedStyle(t).fontSize + ' x' + (m ? Math.hypot(m.a, m.b).toFixed(2) : '?') + ' var=' + t.closest('svg').style.getPropertyValue('--chart-text') + ' fig=' + !!t.closest('.chart-figure'); }).slice(0, 6).join(' | ')
                        """));
                }
                if (scroll > inner)
                {
                    // What sticks out of the window and is not inside a box that scrolls or clips it.
                    var widest = await page.EvaluateAsync<string>("""
                        () => {
                            const clipped = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) { if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
                            return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e))
                                .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].slice(0, 3).join('.') + ' in ' + (e.closest('[data-testid]')?.getAttribute('data-testid') ?? '?') + ' (' + Math.round(e.getBoundingClientRect().right) + ')').slice(-4).join(', ');
                        }
                        """);
                    failures.Add($"{path} at {width} px: {scroll} px wide ({widest})");
                }
                if (smallest < 11)
                {
                    failures.Add($"{path} at {width} px: chart text {smallest:0.#} px");
                }
            }
            await page.CloseAsync();
        }
    }
}
