using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Storage;
using AiDevOps.Brain.Tenancy;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// What detection takes back at start and keeps at stop: detector models, every open anomaly (handed to the sources
/// so their end resolves them), and each agent's pace. A restarted Brain thus neither relearns from scratch (no burst
/// of false anomalies) nor forgets what it must resolve or whom it is waiting for.
/// </summary>
public sealed partial class DetectionWarmStart(
    TableInitializer tables,
    IModelStore models,
    EnsembleWatch ensemble,
    AnomalyStore anomalies,
    AgentDirectory directory,
    AgentRegistry registry,
    AgentPace pace,
    ILogger<DetectionWarmStart> logger)
{
    /// <summary>Restores everything once storage is ready; returns what resolves at once (anomalies nothing can end any more).</summary>
    public async Task<IReadOnlyList<AnomalyChange>> RestoreAsync(IReadOnlyList<IAnomalySource> sources, DateTimeOffset now, CancellationToken ct)
    {
        await tables.Ready.WaitAsync(ct);
        LogModelsLoaded(ensemble.Load(await models.LoadAsync(ct)));

        var changes = new List<AnomalyChange>();
        var restored = 0;
        foreach (var tenant in directory.Tenants)
        {
            foreach (var open in await anomalies.ListAsync(tenant, open: true, limit: 100_000, ct))
            {
                changes.AddRange(sources.SelectMany(source => source.Restore(open, now)));
                restored++;
            }
            foreach (var status in await registry.ListAsync(tenant, ct))
            {
                var agent = new AgentIdentity(status.Id, tenant);
                if (directory.IsConfigured(agent))
                    pace.Seen(new AgentActivity(agent, status.LastSeen, status.UsualGap, status.DepartedAt));
            }
        }
        LogRestored(restored);
        return changes;
    }

    /// <summary>What was learnt since the last scheduled save survives a clean shutdown.</summary>
    public Task SaveAsync() => models.SaveAsync(ensemble.Models(), CancellationToken.None);

    [LoggerMessage(LogLevel.Information, "Detection starts warm with {Count} detector models")]
    private partial void LogModelsLoaded(int count);

    [LoggerMessage(LogLevel.Information, "Detection resumed with {Open} open anomalies")]
    private partial void LogRestored(int open);
}
