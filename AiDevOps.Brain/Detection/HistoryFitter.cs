using AiDevOps.Contracts;
using AiDevOps.Storage;
using AiDevOps.Detection;
using Microsoft.Extensions.Options;
using Engine = AiDevOps.Detection;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Fits detectors of one agent's detection (<see cref="AgentDetection"/>) on stored history (<c>Detection:FitHistory</c>
/// back from now) for watched series whose detector knows less than that: series that had no model (a first start on
/// an existing table, models lost or written by an older engine, series new since the last checkpoint before a
/// failover) and young detectors of series that were stored before they were watched. A fitted detector takes over
/// only when it learnt from longer (<see cref="EnsembleWatch.Adopt"/>), so live detection never goes backwards. For
/// a watched series it learns only up to the live detector's last sample: later stored samples may still wait in the
/// detection queue, and a sample learnt here would never be judged there.
/// </summary>
public sealed partial class HistoryFitter(
    EnsembleWatch ensemble,
    ISampleStore store,
    IOptions<DetectionOptions> options,
    TimeProvider clock,
    ILogger<HistoryFitter> logger)
{
    /// <summary>Series read together: one pass over the store per group, with bounded memory.</summary>
    private const int SeriesPerRead = 50;

    /// <summary>A detector that is offered again and again is overtaken by live samples faster than it catches up.</summary>
    private const int MaxOffers = 3;

    // Series whose detector already learnt from all the store holds within the window: never read again.
    private readonly HashSet<(string Tenant, string SeriesId)> _complete = [];
    private readonly Lock _lock = new();

    /// <summary>Fits every watched series of <paramref name="tenant"/> that needs it; returns how many detectors were replaced.</summary>
    public async Task<int> FitAsync(string tenant, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var since = now - options.Value.FitHistory;
        var fitted = 0;
        foreach (var metric in await store.MetricNamesAsync(tenant, ct))
        {
            if (!EnsembleWatch.Watches(metric))
                continue;
            var candidates = (await store.FindSeriesAsync(tenant, metric, [], int.MaxValue, ct))
                .Where(s => !IsComplete(s) && ensemble.CoverageOf(s.Tenant, s.Id) is { } coverage && !(coverage.LearntSince <= since))
                .ToList();
            foreach (var group in candidates.Chunk(SeriesPerRead))
            {
                var history = await store.ReadManyAsync(tenant, [.. group.Select(s => s.Id)], since.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), ct);
                foreach (var series in group)
                {
                    if (await FitAsync(series, history.GetValueOrDefault(series.Id, []), ct))
                        fitted++;
                }
            }
        }
        LogFitted(fitted, options.Value.FitHistory);
        return fitted;
    }

    private async Task<bool> FitAsync(Series series, IReadOnlyList<SamplePoint> stored, CancellationToken ct)
    {
        var coverage = ensemble.CoverageOf(series.Tenant, series.Id);
        var history = coverage is { } live ? stored.Where(s => s.Timestamp <= live.LastTimestamp).ToList() : stored;
        if (history.Count == 0 || coverage?.LearntSince is { } learnt && history[0].Timestamp >= learnt.ToUnixTimeMilliseconds())
        {
            MarkComplete(series);
            return false;
        }

        var detector = ensemble.NewDetector(series.Metric);
        Learn(detector, history);
        var until = history[^1].Timestamp;
        for (var offer = 1; ; offer++)
        {
            var adoption = ensemble.Adopt(series, detector, until);
            switch (adoption.Outcome)
            {
                case AdoptionOutcome.Adopted:
                    MarkComplete(series);
                    return true;
                case AdoptionOutcome.NotLonger:
                    MarkComplete(series);
                    return false;
                case AdoptionOutcome.Busy:
                    return false; // Offered again on the next run.
            }
            if (offer == MaxOffers)
                return false;
            Learn(detector, await store.ReadAsync(series.Tenant, series.Id, until + 1, adoption.CatchUpUntil, int.MaxValue, ct));
            until = adoption.CatchUpUntil;
        }
    }

    private static void Learn(SeriesDetector detector, IReadOnlyList<SamplePoint> samples) =>
        detector.Fit(samples.Select(s => new Engine.Sample(DateTimeOffset.FromUnixTimeMilliseconds(s.Timestamp), s.Value)));

    private bool IsComplete(Series series)
    {
        lock (_lock)
            return _complete.Contains((series.Tenant, series.Id));
    }

    private void MarkComplete(Series series)
    {
        lock (_lock)
            _complete.Add((series.Tenant, series.Id));
    }

    [LoggerMessage(LogLevel.Information, "Fitted {Count} detectors on up to {History} of stored history")]
    private partial void LogFitted(int count, TimeSpan history);
}
