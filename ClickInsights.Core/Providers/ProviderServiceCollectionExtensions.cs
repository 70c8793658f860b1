using System.Net;
using ClickInsights.Core.Jobs;
using ClickInsights.Core.Providers.ConstantContact;
using ClickInsights.Core.Providers.Mailchimp;
using ClickInsights.Core.Providers.Mailgun;
using ClickInsights.Core.Providers.Postmark;
using ClickInsights.Core.Providers.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace ClickInsights.Core.Providers;

public static class ProviderServiceCollectionExtensions
{
    /// <summary>
    /// Typed provider clients with resilience (per-attempt timeout, retries with jitter on transient errors only,
    /// the provider's own limits entered before every attempt), the provider syncs, the runner and the webhook
    /// receiver. Needs an <see cref="ISecretProtector"/>, the database and <see cref="Import.EventImporter"/>.
    /// </summary>
    public static IServiceCollection AddProviderSync(this IServiceCollection services)
    {
        services.AddOptions<ProviderOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ProviderLimits>();
        services.AddSingleton<ConnectionService>();
        services.AddSingleton<SyncRunner>();
        services.AddJobHandler<ClassificationQueue>();
        services.AddJobHandler<Jobs.SyncJob>();
        services.AddJobHandler<Jobs.SyncDueJob>();
        services.AddSingleton<Jobs.JobSignal>();
        services.AddSingleton<Jobs.JobQueue>();
        services.AddSingleton<Jobs.JobWorker>();
        services.AddOptions<Jobs.JobOptions>().BindConfiguration(Jobs.JobOptions.Section);
        services.AddSingleton<WebhookReplayGuard>();
        services.AddSingleton<WebhookGroupCommit>();
        services.AddSingleton<WebhookReceiver>();
        services.AddTransient<RequestGateHandler>();

        services.AddHttpClient<ConstantContactAuth>().AddProviderResilience(retryPosts: false);
        services.AddHttpClient<ConstantContactClient>().AddProviderResilience().AddHttpMessageHandler<RequestGateHandler>();
        services.AddHttpClient<MailchimpClient>().AddProviderResilience().AddHttpMessageHandler<RequestGateHandler>();
        services.AddHttpClient<MailgunClient>().AddProviderResilience().AddHttpMessageHandler<RequestGateHandler>();
        services.AddHttpClient<PostmarkClient>().AddProviderResilience().AddHttpMessageHandler<RequestGateHandler>();

        services.AddTransient<IProviderSync, ConstantContactSync>();
        services.AddTransient<IProviderSync, MailchimpSync>();
        services.AddTransient<IProviderSync, MailgunSync>();
        services.AddTransient<IProviderSync, PostmarkSync>();
        return services;
    }

    private static IHttpClientBuilder AddProviderResilience(this IHttpClientBuilder builder, bool retryPosts = true)
    {
        builder.AddStandardResilienceHandler().Configure((options, services) =>
        {
            var provider = services.GetRequiredService<IOptions<ProviderOptions>>().Value;
            options.AttemptTimeout.Timeout = provider.AttemptTimeout;
            options.Retry.MaxRetryAttempts = Math.Max(1, provider.MaxRetries);
            options.Retry.Delay = provider.RetryDelay;
            options.Retry.BackoffType = DelayBackoffType.Exponential;
            options.Retry.UseJitter = true;
            // 429 is left to ProviderHttp: whether to wait or stop depends on the provider (Constant Contact's daily quota).
            options.Retry.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
            options.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
            options.CircuitBreaker.SamplingDuration = provider.AttemptTimeout * 2 > TimeSpan.FromSeconds(30) ? provider.AttemptTimeout * 2 : TimeSpan.FromSeconds(30);
            var backoff = provider.RetryDelay * Math.Pow(2, options.Retry.MaxRetryAttempts + 1);
            options.TotalRequestTimeout.Timeout = provider.AttemptTimeout * (options.Retry.MaxRetryAttempts + 1) + backoff;
            if (!retryPosts)
            {
                // An authorization code is single-use: a second try after a lost answer would fail anyway.
                options.Retry.DisableForUnsafeHttpMethods();
            }
        });
        return builder;
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode == HttpStatusCode.RequestTimeout || (int)response.StatusCode >= 500,
        _ => false,
    };
}
