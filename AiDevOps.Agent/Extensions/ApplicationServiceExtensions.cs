using AiDevOps.Agent;
using AiDevOps.Agent.Apis;
using AiDevOps.Agent.Collection;
using AiDevOps.Agent.Delivery;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;
using Quartz;

namespace Microsoft.Extensions.Hosting;

public static class ApplicationServiceExtensions
{
    /// <summary>This agent's version, as it tells the Brain with every delivery.</summary>
    private static readonly string AgentVersion = AgentHeaders.VersionOf(typeof(ApplicationServiceExtensions).Assembly);

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AgentJson.Default));
        services.AddRequestProblems();
        services.AddSingleton(TimeProvider.System);
        // Spelled out per options type, not in a generic helper: the configuration binding generator (no reflection,
        // for a trimmed or Native AOT Agent) replaces each BindConfiguration call whose options type it can see.
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddOptions<PrometheusSourceOptions>().BindConfiguration(PrometheusSourceOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PrometheusSourceOptions>, PrometheusSourceOptionsValidator>();
        services.AddOptions<ScrapeSourceOptions>().BindConfiguration(ScrapeSourceOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScrapeSourceOptions>, ScrapeSourceOptionsValidator>();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.AddOptions<LivenessOptions>().BindConfiguration(LivenessOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LivenessOptions>, LivenessOptionsValidator>();
        services.AddOptions<ReceiverOptions>().BindConfiguration(ReceiverOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReceiverOptions>, ReceiverOptionsValidator>();
        services.AddSingleton<ReceiverGate>();

        builder.AddDelivery();
        builder.AddSources();
        return builder;
    }

    private static void AddDelivery(this IHostApplicationBuilder builder)
    {
        // First of the hosted services, so it stops last: the goodbye must be the Brain's last word from this agent.
        builder.Services.AddHostedService<Goodbye>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
            var path = Path.GetFullPath(options.QueuePath, builder.Environment.ContentRootPath);
            return new SegmentedLog(path, options.MaxQueueBytes, options.SegmentBytes);
        });
        builder.Services.AddSingleton(sp => new Outbox(
            sp.GetRequiredService<SegmentedLog>(),
            sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.MaxSamplesPerBatch,
            sp.GetRequiredService<ILogger<Outbox>>()));
        // Retries, backoff and Retry-After live once, in the exporter: the client itself must not retry behind it.
        builder.Services.AddHttpClient<BrainClient>((sp, http) =>
        {
            var agent = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            http.BaseAddress = new Uri(agent.BrainUrl.TrimEnd('/') + "/");
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", agent.ApiKey);
            http.DefaultRequestHeaders.UserAgent.Add(new System.Net.Http.Headers.ProductInfoHeaderValue(AgentHeaders.Product, AgentVersion));
            http.Timeout = TimeSpan.FromSeconds(30);
        }).WithoutResilienceHandlers();
        builder.Services.AddHostedService<BrainExporter>();
    }

    /// <summary>
    /// Each source is on only when configured (a Prometheus URL, scrape targets) and runs on its own schedule: one
    /// Quartz trigger per query interval and per scrape target.
    /// </summary>
    private static void AddSources(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var defaultInterval = configuration.GetSection(AgentOptions.Section).Get<AgentOptions>()?.Interval ?? TimeSpan.FromSeconds(15);
        var sources = new List<(string Name, TimeSpan Interval)>();

        var prometheus = configuration.GetSection(PrometheusSourceOptions.Section).Get<PrometheusSourceOptions>();
        if (!string.IsNullOrWhiteSpace(prometheus?.Url) && HttpUrl.IsValid(prometheus.Url))
        {
            builder.Services.AddHttpClient(nameof(PrometheusQuerySource), http => http.BaseAddress = new Uri(prometheus.Url.TrimEnd('/') + "/"));
            foreach (var group in prometheus.EffectiveQueries.GroupBy(q => q.Interval ?? defaultInterval))
            {
                var source = (Interval: group.Key, Queries: group.ToList());
                builder.Services.AddSingleton<ISampleSource>(sp => new PrometheusQuerySource(source.Interval, source.Queries,
                    sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(PrometheusQuerySource)),
                    sp.GetRequiredService<ILogger<PrometheusQuerySource>>()));
                sources.Add((PrometheusQuerySource.NameFor(source.Interval), source.Interval));
            }
        }

        var scrape = configuration.GetSection(ScrapeSourceOptions.Section).Get<ScrapeSourceOptions>() ?? new ScrapeSourceOptions();
        if (scrape.Targets.Count > 0)
        {
            // No retries: a failed scrape is a fact (up = 0), not something to hide.
            builder.Services.AddHttpClient(nameof(ScrapeSource)).WithoutResilienceHandlers();
            foreach (var target in scrape.Targets.Where(t => HttpUrl.IsValid(t.Url)))
            {
                var interval = target.Interval ?? defaultInterval;
                builder.Services.AddSingleton<ISampleSource>(sp => new ScrapeSource(target, interval, scrape.Timeout,
                    sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(ScrapeSource)),
                    sp.GetRequiredService<ILogger<ScrapeSource>>()));
                sources.Add((ScrapeSource.NameFor(target), interval));
            }
        }

        // No retries: a probe that fails is the answer. Its client is its own, so its short timeouts touch nothing else.
        builder.Services.AddHttpClient(nameof(LivenessProbe)).WithoutResilienceHandlers();
        builder.Services.AddHostedService<LivenessProbe>();

        var forwardAlerts = prometheus is { ForwardAlerts: true } && HttpUrl.IsValid(prometheus.Url);
        builder.Services.AddQuartz(quartz =>
        {
            if (forwardAlerts)
            {
                quartz.AddJob<ForwardAlertsJob>(j => j.WithIdentity(ForwardAlertsJob.Key));
                quartz.AddTrigger(trigger => trigger.ForJob(ForwardAlertsJob.Key).WithIdentity(ForwardAlertsJob.Key.Name, CollectJob.Group)
                    .StartNow()
                    .WithSimpleSchedule(schedule => schedule.WithInterval(defaultInterval).RepeatForever()
                        .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            }
            foreach (var (name, interval) in sources.DistinctBy(s => s.Name))
            {
                var job = new JobKey(name, CollectJob.Group);
                quartz.AddJob<CollectJob>(j => j.WithIdentity(job).UsingJobData(CollectJob.SourceKey, name));
                quartz.AddTrigger(trigger => trigger
                    .ForJob(job)
                    .WithIdentity(name, CollectJob.Group)
                    .StartNow()
                    .WithSimpleSchedule(schedule => schedule
                        .WithInterval(AgentOptions.IsValidInterval(interval) ? interval : TimeSpan.FromSeconds(15))
                        .RepeatForever()
                        .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            }
        });
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
    }
}
