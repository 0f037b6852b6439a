using AiDevOps.Storage;

namespace AiDevOps.Brain.Anomalies;

/// <summary>
/// Something wrong with one series, from the moment a detector opened it until it resolved, with the detector's
/// evidence in words (for a Prometheus alert: its own summary and description). Its id sorts by opening time, so the
/// newest anomalies of a tenant read first.
/// </summary>
/// <param name="Expected">What the strongest detector expected when it opened (its baseline), when it has one.</param>
/// <param name="ExhaustionAt">When a predicted exhaustion is expected to happen.</param>
/// <param name="Agent">The agent whose data it is in: its detection owns the anomaly and takes it back after a restart or failover.</param>
public sealed record Anomaly(
    string Id,
    Series Series,
    string Kind,
    string Detector,
    double Score,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ResolvedAt = null,
    string? Summary = null,
    string? SummarySource = null,
    string? Evidence = null,
    double? Expected = null,
    DateTimeOffset? ExhaustionAt = null,
    string? Agent = null)
{
    public bool IsOpen => ResolvedAt is null;

    public static string IdFor(Series series, DateTimeOffset openedAt) =>
        $"{DataKeys.Time(openedAt.ToUnixTimeMilliseconds())}|{series.Id}";

    /// <summary>The change that ends this anomaly at <paramref name="at"/>.</summary>
    public AnomalyResolved Resolve(DateTimeOffset at) => new(this with { ResolvedAt = at });
}

/// <summary>A change of an anomaly's state, which alerting turns into a notification.</summary>
public abstract record AnomalyChange(Anomaly Anomaly);

public sealed record AnomalyOpened(Anomaly Anomaly) : AnomalyChange(Anomaly);

public sealed record AnomalyResolved(Anomaly Anomaly) : AnomalyChange(Anomaly);
