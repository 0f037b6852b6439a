using System.Globalization;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting;

public enum AlertSeverity
{
    Warning,
    Critical,
}

/// <summary>What every channel says about an anomaly in the same words: its title, severity, times and durations.</summary>
public static class NotificationText
{
    /// <summary>The label by which Prometheus alerting rules conventionally say how urgent an alert is.</summary>
    public const string SeverityLabel = "severity";

    public static string Title(Anomaly anomaly) => anomaly.Kind switch
    {
        AnomalyKinds.TargetDown => "Target down",
        AnomalyKinds.AgentSilent => "Agent silent",
        AnomalyKinds.Unusual => "Unusual " + anomaly.Series.Metric,
        AnomalyKinds.PredictedExhaustion => "Running out: " + anomaly.Series.Metric,
        AnomalyKinds.PrometheusAlert => "Alert " + anomaly.Series.Labels.GetValueOrDefault(WellKnownLabels.AlertName, "?"),
        var kind => "Anomaly: " + kind.Replace('_', ' '),
    };

    /// <summary>
    /// Critical when nothing is watched any more (a target or an agent gone) or when a Prometheus rule says
    /// <c>severity</c> critical or page; anything else is a warning.
    /// </summary>
    public static AlertSeverity Severity(Anomaly anomaly) => anomaly.Kind switch
    {
        AnomalyKinds.TargetDown or AnomalyKinds.AgentSilent => AlertSeverity.Critical,
        AnomalyKinds.PrometheusAlert when anomaly.Series.Labels.GetValueOrDefault(SeverityLabel)?.ToLowerInvariant() is "critical" or "page"
            => AlertSeverity.Critical,
        _ => AlertSeverity.Warning,
    };

    public static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>How long a resolved anomaly lasted, in words: "After 1m 35s (since 2026-11-28 10:00:00 UTC)".</summary>
    public static string Lasted(Anomaly anomaly)
    {
        var span = (anomaly.ResolvedAt ?? anomaly.OpenedAt) - anomaly.OpenedAt;
        var duration = span switch
        {
            { TotalHours: >= 1 } => $"{(int)span.TotalHours}h {span.Minutes}m",
            { TotalMinutes: >= 1 } => $"{span.Minutes}m {span.Seconds}s",
            _ => $"{Math.Max(0, span.Seconds)}s",
        };
        return $"After {duration} (since {Time(anomaly.OpenedAt)})";
    }

    /// <summary>Cuts text to a channel's field limit, marking the cut.</summary>
    public static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
