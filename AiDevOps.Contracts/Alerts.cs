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
