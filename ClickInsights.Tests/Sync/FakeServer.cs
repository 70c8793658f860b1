using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClickInsights.Tests.Sync;

/// <summary>One request a fake provider received.</summary>
public sealed record FakeRequest(string Method, string PathAndQuery, string? Authorization, DateTimeOffset At);

/// <summary>A provider's API on 127.0.0.1 (Kestrel on a free port), answering with the documented shapes.</summary>
public sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _maxInFlight;

    private FakeServer(WebApplication app) => _app = app;

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    /// <summary>The most requests that were being answered at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public string BaseUrl { get; private set; } = "";

    public static async Task<FakeServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeServer(app);
        app.Use(async (context, next) =>
        {
            var now = Interlocked.Increment(ref server._inFlight);
            int max;
            while (now > (max = Volatile.Read(ref server._maxInFlight)) && Interlocked.CompareExchange(ref server._maxInFlight, now, max) != max)
            {
            }
            server.Requests.Enqueue(new FakeRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null, DateTimeOffset.UtcNow));
            try
            {
                await next(context);
            }
            finally
            {
                Interlocked.Decrement(ref server._inFlight);
            }
        });
        map(app);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return server;
    }

    public int Count(string pathContains) => Requests.Count(r => r.PathAndQuery.Contains(pathContains, StringComparison.Ordinal));

    public static Task Json(HttpContext context, string json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
