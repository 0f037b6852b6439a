namespace AiDevOps.Brain.Detection;

using AiDevOps.Brain.Storage;

/// <summary>
/// Something wrong with one series, from the moment a detector opened it until it resolved, with the detector's
/// evidence in words. Its id sorts by opening time, so the newest anomalies of a tenant read first.
/// </summary>
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
    string? Evidence = null)
{
    public bool IsOpen => ResolvedAt is null;

    public static string IdFor(Series series, DateTimeOffset openedAt) =>
        $"{DataKeys.Time(openedAt.ToUnixTimeMilliseconds())}|{series.Id}";
}

public static class AnomalyKinds
{
    public const string TargetDown = "target_down";

    /// <summary>An agent stopped delivering: nothing it watches can alert until it is back.</summary>
    public const string AgentSilent = "agent_silent";

    /// <summary>The detection ensemble found the series unlike its own history.</summary>
    public const string Unusual = "unusual_behaviour";

    /// <summary>The trend says the resource runs out within the horizon.</summary>
    public const string PredictedExhaustion = "predicted_exhaustion";
}
