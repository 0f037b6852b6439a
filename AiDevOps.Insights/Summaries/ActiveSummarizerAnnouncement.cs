using Microsoft.Extensions.Options;

namespace AiDevOps.Insights.Summaries;

/// <summary>
/// Says at startup where summaries will come from (never the key), and builds the summarizer then rather than on the
/// first alert.
/// </summary>
public sealed class ActiveSummarizerAnnouncement(
    IOptions<ModelOptions> options, IServiceProvider services, ILogger<ActiveSummarizerAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<ISummarizer>();
        services.GetRequiredService<Incidents.IncidentExplainer>();
        var model = options.Value;
        if (model.IsConfigured)
            logger.LogInformation(
                "Summaries come from {Provider} model {ModelId} at {Endpoint}, with the deterministic summary as fallback after {Timeout} or within a shorter budget the caller gives",
                model.EffectiveProvider, model.ModelId, SecretRedaction.RedactUrl(model.GetEndpointUri()), model.Timeout);
        else
            logger.LogInformation("No {Option} is configured: summaries are deterministic", $"{ModelOptions.SectionName}:{nameof(ModelOptions.Endpoint)}");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
