using AiDevOps.Brain.Storage;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Detection;

/// <summary>A change of an anomaly's state, which alerting turns into a notification.</summary>
public abstract record AnomalyChange(Anomaly Anomaly);

public sealed record AnomalyOpened(Anomaly Anomaly) : AnomalyChange(Anomaly);

public sealed record AnomalyResolved(Anomaly Anomaly) : AnomalyChange(Anomaly);

/// <summary>
/// Watches <c>up</c> series: a target whose <c>up</c> goes to 0 opens a <see cref="AnomalyKinds.TargetDown"/> anomaly,
/// back to 1 resolves it. One evaluation takes all the samples a delivery brought for a series and decides on the
/// last of them, so a target that flaps within one evaluation opens nothing. Plain state, no I/O: time is the samples'.
/// </summary>
public sealed class UpDetector
{
    public const string Name = "up";
    public const string Metric = "up";

    private readonly Dictionary<(string Tenant, string SeriesId), TargetState> _targets = [];

    private sealed record TargetState(long LastTimestamp, bool Down, Anomaly? Open);

    public int TrackedSeries => _targets.Count;

    /// <summary>Takes back an anomaly that was open before a restart, so its recovery resolves it.</summary>
    public void Restore(Anomaly open)
    {
        if (open.IsOpen && open.Detector == Name)
            _targets[(open.Series.Tenant, open.Series.Id)] = new TargetState(open.OpenedAt.ToUnixTimeMilliseconds(), true, open);
    }

    public AnomalyChange? Evaluate(Series series, IReadOnlyList<SamplePoint> samples)
    {
        if (series.Metric != Metric)
            return null;

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
        return state?.Open is { } open ? new AnomalyResolved(open with { ResolvedAt = at }) : null;
    }
}
