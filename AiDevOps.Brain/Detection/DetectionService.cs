using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Ingest;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Drives every <see cref="IAnomalySource"/> the same way and records what changes: each stored batch is observed by
/// all of them, a clock ticks them (expired alerts, silent agents), and series idle for
/// <c>Detection:ForgetIdleSeries</c> are forgotten. State is taken back first (<see cref="DetectionWarmStart"/>).
/// </summary>
public sealed class DetectionService(
    DetectionBacklog batches,
    IEnumerable<IAnomalySource> sources,
    DetectionWarmStart warmStart,
    AnomalyRecorder recorder,
    IOptions<DetectionOptions> options,
    TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan ClockCheck = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan IdleSweep = TimeSpan.FromMinutes(1);
    private readonly IReadOnlyList<IAnomalySource> _sources = [.. sources];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecordAsync(await warmStart.RestoreAsync(_sources, clock.GetUtcNow(), stoppingToken), stoppingToken);
        try
        {
            await Task.WhenAll(DetectAsync(stoppingToken), WatchClockAsync(stoppingToken));
        }
        finally
        {
            await warmStart.SaveAsync();
        }
    }

    private async Task DetectAsync(CancellationToken ct)
    {
        await foreach (var batch in batches.ReadAllAsync(ct))
        {
            foreach (var (series, samples) in batch.Series)
            {
                // Once per series of every delivery, and nearly always without a change: then nothing is allocated.
                for (var i = 0; i < _sources.Count; i++)
                    await RecordAsync(_sources[i].Observe(series, samples), ct);
            }
            batches.Done(batch);
        }
    }

    private async Task WatchClockAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(ClockCheck, clock);
        var lastSweep = clock.GetUtcNow();
        while (await timer.WaitForNextTickAsync(ct))
        {
            var now = clock.GetUtcNow();
            await RecordAsync(_sources.SelectMany(source => source.Tick(now)), ct);
            if (now - lastSweep >= IdleSweep)
            {
                await RecordAsync(_sources.SelectMany(source => source.Forget(now - options.Value.ForgetIdleSeries, now)), ct);
                lastSweep = now;
            }
        }
    }

    private async Task RecordAsync(IEnumerable<AnomalyChange> changes, CancellationToken ct)
    {
        if (changes is IReadOnlyCollection<AnomalyChange> { Count: 0 })
            return;
        foreach (var change in changes.ToList())
            await recorder.RecordAsync(change, ct);
    }
}
