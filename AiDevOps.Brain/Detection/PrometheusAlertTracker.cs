using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Turns Prometheus alerts (Alertmanager's protocol: an alert fires until its <c>endsAt</c> and is re-sent while
/// it fires) into anomalies: a new alert opens one, an alert whose <c>endsAt</c> has passed resolves it. Plain
/// state; time comes from the caller. Alerts end by their own <c>endsAt</c>, so it keeps nothing idle to forget.
/// </summary>
public sealed class PrometheusAlertTracker : IAnomalySource
{
    public const string Detector = "prometheus";

    /// <summary>How long an alert sent without an <c>endsAt</c> stays firing without being sent again.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, string SeriesId), (Anomaly Anomaly, DateTimeOffset EndsAt)> _firing = [];

    public IReadOnlyList<AnomalyChange> Receive(string tenant, IReadOnlyList<PostableAlert> alerts, DateTimeOffset now)
    {
        var changes = new List<AnomalyChange>();
        lock (_lock)
        {
            foreach (var alert in alerts)
            {
                var series = Series.Of(tenant, new Dictionary<string, string>(alert.Labels) { [WellKnownLabels.MetricName] = "ALERTS" });
                var key = (tenant, series.Id);
                var endsAt = alert.EndsAt ?? now + DefaultLifetime;
                if (_firing.TryGetValue(key, out var firing))
                {
                    _firing[key] = (firing.Anomaly, endsAt);
                    continue;
                }
                if (endsAt <= now)
                    continue; // resolved before we ever saw it fire
                var startsAt = alert.StartsAt is { } s && s <= now ? s : now;
                var anomaly = new Anomaly(Anomaly.IdFor(series, startsAt), series, AnomalyKinds.PrometheusAlert, Detector, 1.0, startsAt,
                    Evidence: Describe(alert.Annotations));
                _firing[key] = (anomaly, endsAt);
                changes.Add(new AnomalyOpened(anomaly));
            }
            changes.AddRange(Tick(now));
        }
        return changes;
    }

    /// <summary>Resolves every alert whose <c>endsAt</c> has passed.</summary>
    public IEnumerable<AnomalyChange> Tick(DateTimeOffset now)
    {
        lock (_lock)
        {
            var ended = _firing.Where(f => f.Value.EndsAt <= now).ToList();
            foreach (var (key, _) in ended)
                _firing.Remove(key);
            return ended.Select(e => (AnomalyChange)e.Value.Anomaly.Resolve(e.Value.EndsAt)).ToList();
        }
    }

    /// <summary>Takes back an alert that was open before a restart; if its sender still fires it, it is re-sent.</summary>
    public IEnumerable<AnomalyChange> Restore(Anomaly open, DateTimeOffset now)
    {
        if (open.IsOpen && open.Detector == Detector)
        {
            lock (_lock)
                _firing[(open.Series.Tenant, open.Series.Id)] = (open, now + DefaultLifetime);
        }
        return [];
    }

    // The annotations Prometheus's alerting rules conventionally carry for people: the alert's own words, kept as its
    // evidence so that a summary written later stands beside them rather than in their place.
    private static readonly string[] DescriptiveAnnotations = ["summary", "description"];

    private static string? Describe(IReadOnlyDictionary<string, string>? annotations) =>
        annotations is null ? null
            : string.Join(" ", DescriptiveAnnotations.Select(annotations.GetValueOrDefault).Where(t => !string.IsNullOrWhiteSpace(t)))
                is { Length: > 0 } text ? text : null;
}
