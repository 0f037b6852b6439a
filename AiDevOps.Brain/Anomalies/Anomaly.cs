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
[GenerateSerializer, Immutable]
public sealed record Anomaly(
    [property: Id(0)] string Id,
    [property: Id(1)] Series Series,
    [property: Id(2)] string Kind,
    [property: Id(3)] string Detector,
    [property: Id(4)] double Score,
    [property: Id(5)] DateTimeOffset OpenedAt,
    [property: Id(6)] DateTimeOffset? ResolvedAt = null,
    [property: Id(7)] string? Summary = null,
    [property: Id(8)] string? SummarySource = null,
    [property: Id(9)] string? Evidence = null,
    [property: Id(10)] double? Expected = null,
    [property: Id(11)] DateTimeOffset? ExhaustionAt = null,
    [property: Id(12)] string? Agent = null)
{
    public bool IsOpen => ResolvedAt is null;

    public static string IdFor(Series series, DateTimeOffset openedAt) =>
        $"{DataKeys.Time(openedAt.ToUnixTimeMilliseconds())}|{series.Id}";

    /// <summary>The change that ends this anomaly at <paramref name="at"/>.</summary>
    public AnomalyResolved Resolve(DateTimeOffset at) => new(this with { ResolvedAt = at });
}

/// <summary>A change of an anomaly's state, which alerting turns into a notification.</summary>
[GenerateSerializer, Immutable]
public abstract record AnomalyChange([property: Id(0)] Anomaly Anomaly);

[GenerateSerializer, Immutable]
public sealed record AnomalyOpened(Anomaly Anomaly) : AnomalyChange(Anomaly);

[GenerateSerializer, Immutable]
public sealed record AnomalyResolved(Anomaly Anomaly) : AnomalyChange(Anomaly);
