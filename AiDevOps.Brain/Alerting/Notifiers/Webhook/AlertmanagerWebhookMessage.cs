using System.Globalization;
using System.Text.Json.Serialization;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting.Notifiers.Webhook;

/// <summary>
/// Alertmanager's webhook body (<c>version</c> "4"), so anything that takes Alertmanager's webhooks takes ours. One
/// notification is one group of one alert, as Alertmanager sends with <c>group_by: ['...']</c>: the group's labels
/// are all the alert's labels, and its key stays the same from firing to resolved.
/// </summary>
public sealed record AlertmanagerWebhookMessage(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("groupKey")] string GroupKey,
    [property: JsonPropertyName("truncatedAlerts")] int TruncatedAlerts,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("receiver")] string Receiver,
    [property: JsonPropertyName("groupLabels")] IReadOnlyDictionary<string, string> GroupLabels,
    [property: JsonPropertyName("commonLabels")] IReadOnlyDictionary<string, string> CommonLabels,
    [property: JsonPropertyName("commonAnnotations")] IReadOnlyDictionary<string, string> CommonAnnotations,
    [property: JsonPropertyName("externalURL")] string ExternalUrl,
    [property: JsonPropertyName("alerts")] IReadOnlyList<AlertmanagerWebhookAlert> Alerts)
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    /// <summary>Alertmanager's <c>endsAt</c> of an alert still firing: Go's zero time.</summary>
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    public static AlertmanagerWebhookMessage Of(string receiver, Notification notification, string externalUrl)
    {
        var anomaly = notification.Anomaly;
        var status = notification.Status == NotificationStatus.Firing ? Firing : Resolved;
        var labels = Labels(anomaly);
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(anomaly.Summary))
            annotations["summary"] = anomaly.Summary;
        if (!string.IsNullOrWhiteSpace(anomaly.Evidence))
            annotations["description"] = anomaly.Evidence;

        var alert = new AlertmanagerWebhookAlert(
            status, labels, annotations,
            Rfc3339(anomaly.OpenedAt),
            anomaly.ResolvedAt is { } resolvedAt && status == Resolved ? Rfc3339(resolvedAt) : ZeroTime,
            GeneratorUrl: "",
            // Alertmanager's fingerprint is 16 hex digits of a hash of the labels; the series id is one.
            Fingerprint: anomaly.Series.Id[..16]);
        return new AlertmanagerWebhookMessage("4", KeyOf(labels), 0, status, receiver, labels, labels, annotations, externalUrl, [alert]);
    }

    /// <summary>
    /// The series' labels as an alert's: without <c>__name__</c> (Alertmanager's labels never carry it), with the
    /// metric's name as <c>metric</c>, and with an <c>alertname</c> and a <c>severity</c> where the series has none.
    /// </summary>
    private static SortedDictionary<string, string> Labels(Anomalies.Anomaly anomaly)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in anomaly.Series.Labels.Where(l => l.Key != WellKnownLabels.MetricName))
            labels[name] = value;
        if (anomaly.Kind != AnomalyKinds.PrometheusAlert)
            labels.TryAdd("metric", anomaly.Series.Metric);
        labels.TryAdd(WellKnownLabels.AlertName, AlertName(anomaly.Kind));
        labels.TryAdd(Severity.Label, Severity.Of(anomaly).ToString().ToLowerInvariant());
        return labels;
    }

    /// <summary><c>target_down</c> → <c>TargetDown</c>, in the style of alerting rules' names.</summary>
    private static string AlertName(string kind) =>
        string.Concat(kind.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(word => char.ToUpperInvariant(word[0]) + word[1..]));

    /// <summary>As Alertmanager prints it for the root route: <c>{}:{alertname="X", job="y"}</c>.</summary>
    private static string KeyOf(IReadOnlyDictionary<string, string> labels) =>
        "{}:{" + string.Join(", ", labels.Select(l => $"{l.Key}=\"{l.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"")) + "}";

    private static string Rfc3339(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}

public sealed record AlertmanagerWebhookAlert(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] string StartsAt,
    [property: JsonPropertyName("endsAt")] string EndsAt,
    [property: JsonPropertyName("generatorURL")] string GeneratorUrl,
    [property: JsonPropertyName("fingerprint")] string Fingerprint);
