namespace AiDevOps.Contracts;

/// <summary>
/// One alert in Alertmanager's API v2 shape (<c>POST /api/v2/alerts</c> takes an array of them), which Prometheus
/// and the Agent send: the alert is firing until <see cref="EndsAt"/>, and a sender re-sends it while it fires.
/// </summary>
public sealed record PostableAlert(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string>? Annotations,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string? GeneratorURL);

/// <summary>
/// What Alertmanager's <c>webhook_configs</c> receiver posts (payload version "4", unchanged since Alertmanager
/// 0.x): one notification of an alert group. Alertmanager notifies when the group changes (after <c>group_wait</c>,
/// then at most every <c>group_interval</c>) and re-sends an unchanged group every <c>repeat_interval</c>; each
/// notification lists every firing alert of the group (and, with <c>send_resolved</c>, those that just resolved),
/// except <see cref="TruncatedAlerts"/> left out by the receiver's <c>max_alerts</c>.
/// </summary>
public sealed record AlertmanagerNotification(
    string? Version,
    string? GroupKey,
    int TruncatedAlerts,
    string? Status,
    string? Receiver,
    IReadOnlyDictionary<string, string>? GroupLabels,
    IReadOnlyDictionary<string, string>? CommonLabels,
    IReadOnlyDictionary<string, string>? CommonAnnotations,
    string? ExternalURL,
    IReadOnlyList<NotifiedAlert>? Alerts);

/// <summary>
/// One alert of an <see cref="AlertmanagerNotification"/>. A firing alert's <see cref="EndsAt"/> is the zero time
/// (<c>0001-01-01T00:00:00Z</c>): Alertmanager clears it so the receiver never takes a firing alert for resolved; a
/// resolved alert's is when it resolved.
/// </summary>
public sealed record NotifiedAlert(
    string? Status,
    IReadOnlyDictionary<string, string>? Labels,
    IReadOnlyDictionary<string, string>? Annotations,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string? GeneratorURL,
    string? Fingerprint);

/// <summary>The values of <see cref="NotifiedAlert.Status"/>.</summary>
public static class AlertStatuses
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";
}
