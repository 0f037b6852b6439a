using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Turns Prometheus alerts into anomalies: a new alert opens one, an alert that ended resolves it. Plain state; time
/// comes from the caller. Alerts arrive two ways, which say differently how long an alert fires:
/// <list type="bullet">
/// <item>Alertmanager's API v2 (<see cref="Receive"/>, from Prometheus and the Agent): an alert fires until its own
/// <c>endsAt</c>, and its sender re-sends it (with a later <c>endsAt</c>) while it fires.</item>
/// <item>Alertmanager's webhook (<see cref="Notify"/>): a firing alert carries no end; a <c>resolved</c> notification
/// ends it. Alertmanager re-sends a firing alert only every <c>repeat_interval</c> (hours), so such an alert is held
/// until resolved, on a lease of <see cref="NotifiedLifetime"/> that each notification renews.</item>
/// </list>
/// Every alert ends by itself (its <c>endsAt</c> or its lease), so the tracker keeps nothing idle to forget.
/// </summary>
public sealed class PrometheusAlertTracker(TimeSpan alertmanagerRepeatInterval) : IAnomalySource
{
    /// <summary>The detector of anomalies opened by Alertmanager's API v2 (Prometheus, the Agent).</summary>
    public const string Detector = "prometheus";

    /// <summary>
    /// The detector of anomalies opened by Alertmanager's webhook. It differs from <see cref="Detector"/> because the
    /// two end differently, and a restarted Brain knows an open anomaly's way in only by its detector.
    /// </summary>
    public const string AlertmanagerDetector = "alertmanager";

    /// <summary>How long an alert sent without an <c>endsAt</c> stays firing without being sent again (Alertmanager's own <c>resolve_timeout</c>).</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Alertmanager's default <c>repeat_interval</c>.</summary>
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromHours(4);

    /// <summary>
    /// Repeats a webhook alert may miss before its lease runs out. The lease is only a safety net: Alertmanager
    /// retries a failed notification at every <c>group_interval</c> and sends a resolved one whenever it can, but an
    /// alert it stops sending (silenced, routed elsewhere, cut off by <c>max_alerts</c>, lost in a restart without
    /// storage) never gets one. A repeat comes up to a <c>group_interval</c> late, so one repeat interval is too
    /// tight; three let two repeats fail before the anomaly resolves by itself.
    /// </summary>
    public const int RepeatsBeforeLeaseRunsOut = 3;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, string SeriesId), (Anomaly Anomaly, DateTimeOffset EndsAt)> _firing = [];

    public PrometheusAlertTracker() : this(DefaultRepeatInterval)
    {
    }

    /// <summary>How long a firing alert from Alertmanager's webhook stays open without being notified again.</summary>
    public TimeSpan NotifiedLifetime { get; } = alertmanagerRepeatInterval * RepeatsBeforeLeaseRunsOut;

    /// <summary>Alerts of Alertmanager's API v2: each fires until its <c>endsAt</c> (or <see cref="DefaultLifetime"/> without one).</summary>
    public IReadOnlyList<AnomalyChange> Receive(string tenant, IReadOnlyList<PostableAlert> alerts, DateTimeOffset now) =>
        Take(tenant, Posted(alerts, now), now);

    /// <summary>
    /// The alerts of one notification of Alertmanager's webhook: a firing one opens (or, open already, renews its
    /// lease and changes nothing else); a resolved one resolves at its <c>endsAt</c> (at once when that is missing or
    /// still ahead of the Brain's clock).
    /// </summary>
    public IReadOnlyList<AnomalyChange> Notify(string tenant, IReadOnlyList<NotifiedAlert> alerts, DateTimeOffset now) =>
        Take(tenant, Notified(alerts, now, NotifiedLifetime), now);

    /// <summary>Alerts of the API v2 as the tracker takes them: each fires until its own <c>endsAt</c>.</summary>
    public static IReadOnlyList<TakenAlert> Posted(IReadOnlyList<PostableAlert> alerts, DateTimeOffset now) =>
        [.. alerts.Select(alert => new TakenAlert(alert.Labels, alert.Annotations, alert.StartsAt, alert.EndsAt ?? now + DefaultLifetime, Detector))];

    /// <summary>Alerts of a webhook notification as the tracker takes them: a firing one on a lease of <paramref name="lifetime"/>.</summary>
    public static IReadOnlyList<TakenAlert> Notified(IReadOnlyList<NotifiedAlert> alerts, DateTimeOffset now, TimeSpan lifetime)
    {
        var taken = new List<TakenAlert>();
        foreach (var alert in alerts)
        {
            DateTimeOffset? endsAt = alert.Status switch
            {
                AlertStatuses.Firing => now + lifetime,
                AlertStatuses.Resolved => alert.EndsAt is { } e && e > DateTimeOffset.UnixEpoch && e < now ? e : now,
                _ => null,
            };
            // The webhook API refuses such alerts whole; without labels or a status there is nothing to act on.
            if (endsAt is not null && alert.Labels is { } labels)
                taken.Add(new TakenAlert(labels, alert.Annotations, alert.StartsAt, endsAt.Value, AlertmanagerDetector));
        }
        return taken;
    }

    /// <summary>Notes when each firing alert ends, opening the anomaly of one that is new and has not ended yet; then resolves what ended.</summary>
    public IReadOnlyList<AnomalyChange> Take(string tenant, IReadOnlyList<TakenAlert> alerts, DateTimeOffset now)
    {
        lock (_lock)
        {
            var changes = new List<AnomalyChange>();
            foreach (var alert in alerts)
                Take(tenant, alert, now, changes);
            changes.AddRange(Tick(now));
            return changes;
        }
    }

    private void Take(string tenant, TakenAlert alert, DateTimeOffset now, List<AnomalyChange> changes)
    {
        var series = Series.Of(tenant, new Dictionary<string, string>(alert.Labels) { [WellKnownLabels.MetricName] = "ALERTS" });
        var key = (tenant, series.Id);
        if (_firing.TryGetValue(key, out var firing))
        {
            _firing[key] = (firing.Anomaly, alert.EndsAt);
            return;
        }
        if (alert.EndsAt <= now)
            return; // resolved before we ever saw it fire
        var openedAt = alert.StartsAt is { } s && s <= now ? s : now;
        var anomaly = new Anomaly(Anomaly.IdFor(series, openedAt), series, AnomalyKinds.PrometheusAlert, alert.Detector, 1.0, openedAt,
            Evidence: Describe(alert.Annotations));
        _firing[key] = (anomaly, alert.EndsAt);
        changes.Add(new AnomalyOpened(anomaly));
    }

    /// <summary>Resolves every alert whose <c>endsAt</c> (or lease) has passed.</summary>
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

    /// <summary>
    /// Takes back an alert that was open before a restart, with a fresh lifetime of its way in: if its sender still
    /// fires it, it is re-sent within that.
    /// </summary>
    public IEnumerable<AnomalyChange> Restore(Anomaly open, DateTimeOffset now)
    {
        var lifetime = open.Detector switch
        {
            Detector => DefaultLifetime,
            AlertmanagerDetector => NotifiedLifetime,
            _ => (TimeSpan?)null,
        };
        if (open.IsOpen && lifetime is { } life)
        {
            lock (_lock)
                _firing[(open.Series.Tenant, open.Series.Id)] = (open, now + life);
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

/// <summary>A firing alert as the tracker takes it, whichever way it came: until when it fires, and from which detector.</summary>
[GenerateSerializer, Immutable]
public sealed record TakenAlert(
    [property: Id(0)] IReadOnlyDictionary<string, string> Labels,
    [property: Id(1)] IReadOnlyDictionary<string, string>? Annotations,
    [property: Id(2)] DateTimeOffset? StartsAt,
    [property: Id(3)] DateTimeOffset EndsAt,
    [property: Id(4)] string Detector);
