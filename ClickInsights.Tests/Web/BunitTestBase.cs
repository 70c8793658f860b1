using Bunit;
using ClickInsights.Core.Reports;
using ClickInsights.Tests.Support;
using ClickInsights.Web;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace ClickInsights.Tests.Web;

/// <summary>
/// bUnit with MudBlazor, loose JS interop, a longer wait, and the real report services over a test database.
/// MudBlazor's services are only asynchronously disposable, so the context is disposed with DisposeAsync.
/// </summary>
public abstract class BunitTestBase : IAsyncLifetime
{
    protected BunitTestBase()
    {
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
        Context.Services.AddSingleton(new ReportService(Database));
        Context.Services.AddScoped<CurrentWorkspace>();
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
    }

    protected BunitContext Context { get; } = new();

    protected TestDatabase Database { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Context.DisposeAsync();
        Database.Dispose();
    }
}
