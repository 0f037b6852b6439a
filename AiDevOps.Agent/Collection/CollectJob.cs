using AiDevOps.Agent.Delivery;
using Quartz;

namespace AiDevOps.Agent.Collection;

/// <summary>
/// Collects one source on its own schedule and hands the samples to the delivery queue. A failing source costs
/// only its own round; nothing here may stop the agent.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class CollectJob(IEnumerable<ISampleSource> sources, Outbox queue, TimeProvider clock, ILogger<CollectJob> logger) : IJob
{
    public const string SourceKey = "source";
    public const string Group = "collect";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.MergedJobDataMap.GetString(SourceKey);
        var source = sources.Single(s => s.Name == name);
        using var activity = AgentTelemetry.Activities.StartActivity("collect " + source.Name);
        try
        {
            var series = await source.CollectAsync(clock.GetUtcNow(), cancellationToken);
            queue.Enqueue(series, source.Name);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(e, source.Name);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Source {Source} failed this round")]
    private partial void LogFailed(Exception e, string source);
}
