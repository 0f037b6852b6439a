using AiDevOps.Agent;
using AiDevOps.Agent.Collection;
using AiDevOps.Agent.Delivery;
using Microsoft.Extensions.Options;
using Quartz;

namespace Microsoft.Extensions.Hosting;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PrometheusSourceOptions>().BindConfiguration(PrometheusSourceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ScrapeSourceOptions>().BindConfiguration(ScrapeSourceOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        builder.AddSources();

        services.AddSingleton(sp => new SampleBuffer(sp.GetRequiredService<IOptions<AgentOptions>>().Value.MaxBufferedSamples));
        services.AddHttpClient<BrainClient>((sp, http) =>
            http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<AgentOptions>>().Value.BrainUrl));

        var interval = builder.Configuration.GetSection(AgentOptions.Section).Get<AgentOptions>()?.Interval ?? TimeSpan.FromSeconds(15);
        services.AddQuartz(quartz =>
        {
            quartz.AddJob<CollectAndForwardJob>(job => job.WithIdentity(CollectAndForwardJob.Key));
            quartz.AddTrigger(trigger => trigger
                .ForJob(CollectAndForwardJob.Key)
                .WithIdentity("collect-and-forward-every-interval", "agent")
                .StartNow()
                .WithSimpleSchedule(schedule => schedule
                    .WithInterval(interval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : interval)
                    .RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>Each source is on only when configured: a Prometheus URL, or scrape targets.</summary>
    private static void AddSources(this IHostApplicationBuilder builder)
    {
        var prometheus = builder.Configuration.GetSection(PrometheusSourceOptions.Section).Get<PrometheusSourceOptions>();
        if (!string.IsNullOrWhiteSpace(prometheus?.Url))
        {
            builder.Services.AddHttpClient<PrometheusQuerySource>((sp, http) =>
                http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<PrometheusSourceOptions>>().Value.Url!.TrimEnd('/') + "/"));
            builder.Services.AddSingleton<ISampleSource>(sp => sp.GetRequiredService<PrometheusQuerySource>());
        }

        var scrape = builder.Configuration.GetSection(ScrapeSourceOptions.Section).Get<ScrapeSourceOptions>();
        if (scrape is { Targets.Count: > 0 })
        {
            // No retries: a failed scrape is a fact (up = 0), not something to hide.
#pragma warning disable EXTEXP0001 // Evaluation API; the only way to opt one client out of the defaults.
            builder.Services.AddHttpClient<ScrapeSource>().RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
            builder.Services.AddSingleton<ISampleSource>(sp => sp.GetRequiredService<ScrapeSource>());
        }
    }
}
