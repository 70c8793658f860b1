using Microsoft.Extensions.DependencyInjection;

namespace ClickInsights.Core.Jobs;

public static class JobServiceCollectionExtensions
{
    /// <summary>Registers a kind of background work: one instance, which pages call to queue it and the worker runs.</summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services) where THandler : class, IJobHandler
    {
        services.AddSingleton<THandler>();
        services.AddSingleton<IJobHandler>(sp => sp.GetRequiredService<THandler>());
        return services;
    }
}
