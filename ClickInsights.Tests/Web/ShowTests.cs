using ClickInsights.Web.Components.Shared;

namespace ClickInsights.Tests.Web;

public sealed class ShowTests
{
    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36", "Chrome 72 · Windows")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "Safari 17 · iPhone")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", "Edge 120 · Windows")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox 121 · Linux")]
    [InlineData("python-requests/2.31.0", "python-requests/2.31.0")]
    [InlineData("Barracuda Sentinel (EE) link checker for mail", "Barracuda Sentinel (EE)…")]
    public void Browser_IsNamedAsAPersonReadsIt(string userAgent, string expected) => Assert.Equal(expected, Show.Browser(userAgent));
}
