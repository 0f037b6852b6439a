using AiDevOps.Insights.Apis;
using AiDevOps.Insights.Summaries;
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
}
