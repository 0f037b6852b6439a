using Quartz;

namespace AiDevOps.Brain.Detection;

/// <summary>Learns from stored history at start and then every <c>Detection:FitInterval</c> (<see cref="HistoryFitter"/>).</summary>
[DisallowConcurrentExecution]
public sealed class FitModelsJob(HistoryFitter fitter) : IJob
{
    public static readonly JobKey Key = new("fit-detector-models", "detection");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await fitter.FitAsync(cancellationToken);
}
