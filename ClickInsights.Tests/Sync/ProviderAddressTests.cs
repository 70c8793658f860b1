using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using System.Net;
using System.Net.Sockets;
using ClickInsights.Core.Providers;

namespace ClickInsights.Tests.Sync;

/// <summary>
/// Provider addresses are not user input: someone adding a connection cannot point it (and its key) at another host
/// or probe the server's network, and calls go over HTTPS only unless configuration allows a test server.
/// </summary>
public sealed class ProviderAddressTests : IAsyncDisposable
{
    private readonly SyncHarness _harness;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private int _connections;

    public ProviderAddressTests()
    {
        _listener.Start();
        _ = AcceptAsync();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        // As in production: no test addresses; the configured host is (wrongly) plain HTTP on loopback.
        _harness = new SyncHarness(o =>
        {
            o.AllowTestApiAddresses = false;
            o.PostmarkApi = $"http://127.0.0.1:{port}";
        });
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref _connections);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:6379")]
    [InlineData("https://internal.example")]
    [InlineData("file:///etc/passwd")]
    public async Task AConnectionsOwnApiAddress_IsRefused(string address)
    {
        var workspace = await _harness.Database.CreateWorkspaceAsync();

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Postmark")
        {
            BaseUrl = address,
            Secrets = { [SecretNames.ServerToken] = "server-token" },
        }));

        Assert.Contains("provider's own API address", refused.Message);
    }

    [Fact]
    public async Task CallsGoOverHttpsOnly_TheTokenNeverLeavesOverPlainHttp()
    {
        var workspace = await _harness.Database.CreateWorkspaceAsync();
        var id = await _harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Postmark")
        {
            Secrets = { [SecretNames.ServerToken] = "server-token" },
        });

        var outcome = await _harness.Runner.TestAsync(id);

        Assert.False(outcome.Succeeded);
        Assert.Contains("HTTPS only", outcome.Error);
        Assert.Equal(0, _connections);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _harness.DisposeAsync();
    }
}

/// <summary>What a provider answers is never shown raw: only a JSON error's own message, as one line of plain text.</summary>
public sealed class ProviderMessageTests
{
    [Theory]
    [InlineData(401, "application/json", "{\"Message\":\"Invalid\\r\\nBcc: x@evil.example\\u0000\\u202e token\"}", "The provider says: \"Invalid Bcc: x@evil.example token\"")]
    [InlineData(500, "text/html", "<html><body><script>alert(1)</script>Stack trace: at Internal.Secret()</body></html>", null)]
    [InlineData(502, "text/plain", "upstream proxy 10.0.0.7:8080 refused", null)]
    public async Task AnErrorAnswer_IsShownAsPlainWords_OrNotAtAll(int status, string contentType, string body, string? shown)
    {
        await using var server = await FakeServer.StartAsync(app => app.MapFallback(async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        }));
        await using var harness = new SyncHarness(o => o.PostmarkApi = server.BaseUrl);
        var workspace = await harness.Database.CreateWorkspaceAsync();
        var id = await harness.Connections.AddAsync(new ConnectionDraft(workspace, ProviderNames.Postmark, "Postmark")
        {
            Secrets = { [SecretNames.ServerToken] = "server-token" },
        });

        var outcome = await harness.Runner.TestAsync(id);

        Assert.False(outcome.Succeeded);
        Assert.DoesNotContain("<", outcome.Error);
        Assert.DoesNotContain("Stack trace", outcome.Error);
        Assert.DoesNotContain("10.0.0.7", outcome.Error);
        Assert.DoesNotContain("\n", outcome.Error);
        Assert.DoesNotContain("\u202e", outcome.Error);
        if (shown is not null)
        {
            Assert.Contains(shown, outcome.Error);
        }
        else
        {
            Assert.DoesNotContain("The provider says", outcome.Error);
        }
    }
}
