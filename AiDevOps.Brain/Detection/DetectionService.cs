using System.Threading.Channels;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Runs every stored batch through the detectors (<c>up</c>, and the ensemble on every other series) and records
/// what changes; on a clock, resolves Prometheus alerts whose <c>endsAt</c> passed without a re-send and notices
/// agents that fell silent. Detector models, open anomalies and when each agent last delivered are taken back at
/// start, so a restarted Brain neither relearns from scratch (no burst of false anomalies) nor forgets what it must
/// resolve or whom it is waiting for.
/// </summary>
public sealed partial class DetectionService(
    ChannelReader<IngestedBatch> batches,
    AnomalyRecorder recorder,
    PrometheusAlertTracker alerts,
    EnsembleWatch ensemble,
    AgentSilenceWatch silence,
    AgentRegistry registry,
    IModelStore models,
    IOptions<DetectionOptions> options,
    AnomalyStore anomalies,
    TableInitializer tables,
    ApiKeyAuthenticator agents,
    TimeProvider clock,
    ILogger<DetectionService> logger) : BackgroundService
{
    private static readonly TimeSpan ClockCheck = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan IdleSweep = TimeSpan.FromMinutes(1);
    private readonly UpDetector _up = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await tables.Ready.WaitAsync(stoppingToken);
        LogModelsLoaded(ensemble.Load(await models.LoadAsync(stoppingToken)));
        await RestoreOpenAnomaliesAsync(stoppingToken);
        await RestoreDeliveriesAsync(stoppingToken);
        try
        {
            await Task.WhenAll(DetectAsync(stoppingToken), WatchClockAsync(stoppingToken));
        }
        finally
        {
            // What was learnt since the last scheduled save survives a clean shutdown.
            await models.SaveAsync(ensemble.Models(), CancellationToken.None);
        }
    }

    private async Task DetectAsync(CancellationToken ct)
    {
        await foreach (var batch in batches.ReadAllAsync(ct))
        {
            foreach (var (series, samples) in batch.Series)
            {
                if (_up.Evaluate(series, samples) is { } change)
                    await recorder.RecordAsync(change, ct);
                foreach (var found in ensemble.Evaluate(series, samples))
                    await recorder.RecordAsync(found, ct);
            }
        }
    }

    private async Task WatchClockAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(ClockCheck, clock);
        var lastSweep = clock.GetUtcNow();
        while (await timer.WaitForNextTickAsync(ct))
        {
            var now = clock.GetUtcNow();
            var changes = alerts.Expire(now).Concat(silence.Check(now));
            if (now - lastSweep >= IdleSweep)
            {
                changes = changes.Concat(ensemble.Forget(now - options.Value.ForgetIdleSeries, now));
                lastSweep = now;
            }
            foreach (var change in changes.ToList())
                await recorder.RecordAsync(change, ct);
        }
    }

    private async Task RestoreDeliveriesAsync(CancellationToken ct)
    {
        var configured = agents.Agents.ToHashSet();
        foreach (var tenant in configured.Select(a => a.Tenant).Distinct())
        {
            foreach (var status in await registry.ListAsync(tenant, ct))
            {
                var agent = new AgentIdentity(status.Id, tenant);
                if (configured.Contains(agent))
                    silence.Seen(agent, status.LastSeen, status.UsualGap);
            }
        }
    }

    private async Task RestoreOpenAnomaliesAsync(CancellationToken ct)
    {
        var restored = 0;
        var configured = agents.Agents.ToHashSet();
        foreach (var tenant in configured.Select(a => a.Tenant).Distinct())
        {
            foreach (var open in await anomalies.ListAsync(tenant, open: true, limit: 100_000, ct))
            {
                _up.Restore(open);
                ensemble.Restore(open);
                if (open.Kind == AnomalyKinds.AgentSilent && !configured.Contains(new AgentIdentity(AgentSilenceWatch.AgentOf(open) ?? "", tenant)))
                    await recorder.RecordAsync(new AnomalyResolved(open with { ResolvedAt = clock.GetUtcNow() }), ct); // No longer configured.
                else
                    silence.Restore(open);
                alerts.Restore(open, clock.GetUtcNow());
                restored++;
            }
        }
        LogRestored(restored);
    }

    [LoggerMessage(LogLevel.Information, "Detection starts warm with {Count} detector models")]
    private partial void LogModelsLoaded(int count);

    [LoggerMessage(LogLevel.Information, "Detection resumed with {Open} open anomalies")]
    private partial void LogRestored(int open);
}
