using Quartz;

namespace AiDevOps.Brain.Detection;

/// <summary>Keeps what the detectors learnt, on the schedule the user sets (<c>Detection:ModelSaveInterval</c>).</summary>
[DisallowConcurrentExecution]
public sealed partial class SaveModelsJob(EnsembleWatch ensemble, IModelStore store, ILogger<SaveModelsJob> logger) : IJob
{
    public static readonly JobKey Key = new("save-detector-models", "detection");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // Before the saved models are loaded the watch holds none of them, and saving would replace them all.
        await ensemble.Loaded.WaitAsync(cancellationToken);
        var models = ensemble.Models();
        await store.SaveAsync(models, cancellationToken);
        LogSaved(models.Count);
    }

    [LoggerMessage(LogLevel.Debug, "Saved {Count} detector models")]
    private partial void LogSaved(int count);
}
