using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Watches <c>up</c> series: a target whose <c>up</c> goes to 0 opens a <see cref="AnomalyKinds.TargetDown"/> anomaly,
/// back to 1 resolves it. One evaluation takes all the samples a delivery brought for a series and decides on the
/// last of them, so a target that flaps within one evaluation opens nothing. Plain state, no I/O: time is the samples'.
/// </summary>
public sealed class UpDetector : IAnomalySource
{
    public const string Name = "up";
    public const string Metric = "up";

    private readonly Dictionary<(string Tenant, string SeriesId), TargetState> _targets = [];
    // Detection runs on one loop, forgetting on the clock beside it.
    private readonly Lock _lock = new();

    private sealed record TargetState(long LastTimestamp, bool Down, Anomaly? Open);

    public int TrackedSeries
    {
        get { lock (_lock) return _targets.Count; }
    }

    public IEnumerable<AnomalyChange> Restore(Anomaly open, DateTimeOffset now)
    {
        if (open.IsOpen && open.Detector == Name)
        {
            lock (_lock)
                _targets[(open.Series.Tenant, open.Series.Id)] = new TargetState(open.OpenedAt.ToUnixTimeMilliseconds(), true, open);
        }
        return [];
    }

    public IEnumerable<AnomalyChange> Forget(DateTimeOffset cutoff, DateTimeOffset now)
    {
        lock (_lock)
            return IdleSeries.Forget(_targets, cutoff, now, t => t.LastTimestamp, t => [t.Open]);
    }

    public IEnumerable<AnomalyChange> Observe(Series series, IReadOnlyList<SamplePoint> samples)
    {
        if (series.Metric != Metric)
            return [];
        lock (_lock)
            return Evaluate(series, samples) is { } change ? [change] : [];
    }

    private AnomalyChange? Evaluate(Series series, IReadOnlyList<SamplePoint> samples)
    {
        var key = (series.Tenant, series.Id);
        _targets.TryGetValue(key, out var state);
        // Samples already seen (a redelivery) or not a number (Prometheus's stale marker) decide nothing.
        var fresh = samples
            .Where(s => (state is null || s.Timestamp > state.LastTimestamp) && !double.IsNaN(s.Value))
            .OrderBy(s => s.Timestamp)
            .ToList();
        if (fresh.Count == 0)
            return null;

        var down = fresh[^1].Value == 0;
        var last = fresh[^1].Timestamp;
        var wasDown = state?.Down ?? false;
        if (down == wasDown)
        {
            _targets[key] = new TargetState(last, down, state?.Open);
            return null;
        }

        // The change happened at the first sample of the trailing run that has the new state.
        var since = fresh.Count - 1;
        while (since > 0 && (fresh[since - 1].Value == 0) == down)
            since--;
        var at = DateTimeOffset.FromUnixTimeMilliseconds(fresh[since].Timestamp);

        if (down)
        {
            var anomaly = new Anomaly(Anomaly.IdFor(series, at), series, AnomalyKinds.TargetDown, Name, 1.0, at);
            _targets[key] = new TargetState(last, true, anomaly);
            return new AnomalyOpened(anomaly);
        }

        _targets[key] = new TargetState(last, false, null);
        return state?.Open?.Resolve(at);
    }
}
