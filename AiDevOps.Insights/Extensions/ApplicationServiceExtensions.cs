using AiDevOps.Insights.Apis;
using AiDevOps.Insights.Incidents;
using AiDevOps.Insights.Summaries;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Binding failures become exceptions in every environment, so BadRequestExceptionHandler can answer with a
        // problem that names the offending JSON field instead of an empty 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        services.AddOptions<ModelOptions>()
            .BindConfiguration(ModelOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ModelOptions>, ModelOptionsValidator>();

        services.AddSingleton<DeterministicSummarizer>();
        services.AddSingleton<SummaryTelemetry>();
        services.AddSingleton<ISummarizer>(CreateSummarizer);
        services.AddHostedService<ActiveSummarizerAnnouncement>();

        services.AddMemoryCache();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IncidentTelemetry>();
        services.AddSingleton(CreateExplainer);

        return builder;
    }

    // Chosen when first resolved rather than at registration, so configuration added late (tests, Aspire) counts.
    private static ISummarizer CreateSummarizer(IServiceProvider services)
    {
        var model = services.GetRequiredService<IOptions<ModelOptions>>().Value;
        var deterministic = services.GetRequiredService<DeterministicSummarizer>();
        ISummarizer active = model.IsConfigured
            ? new KernelSummarizer(
                ModelKernel.Create(model),
                deterministic,
                model.Timeout,
                services.GetRequiredService<ILogger<KernelSummarizer>>())
            : deterministic;
        return new InstrumentedSummarizer(active, services.GetRequiredService<SummaryTelemetry>());
    }

    private static IncidentExplainer CreateExplainer(IServiceProvider services)
    {
        var model = services.GetRequiredService<IOptions<ModelOptions>>().Value;
        // The tools' own client, outside the HttpClient defaults: a standard resilience handler would retry a tool
        // call the explanation's budget has no time for. The budget bounds every call instead.
        var brain = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new IncidentExplainer(
            model.IsConfigured ? ModelKernel.Create(model) : null,
            model,
            brain,
            services.GetRequiredService<IMemoryCache>(),
            services.GetRequiredService<IncidentTelemetry>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<IncidentExplainer>>());
    }
}
