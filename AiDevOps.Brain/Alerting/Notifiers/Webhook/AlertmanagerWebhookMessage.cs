using System.Globalization;
using System.Text.Json.Serialization;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting.Notifiers.Webhook;

/// <summary>
/// Alertmanager's webhook body (<c>version</c> "4"), so anything that takes Alertmanager's webhooks takes ours. One
/// notification is one group: the incident, its group labels as <c>groupLabels</c>, every member as an alert
/// (resolved members with their <c>endsAt</c>), and the <c>groupKey</c> Alertmanager's root route would give the group.
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
        var incident = notification.Incident;
        var alerts = incident.Members.Select(Alert).ToList();
        var common = Common(alerts.Select(a => a.Labels));
        var commonAnnotations = Common(alerts.Select(a => a.Annotations));
        var groupLabels = new SortedDictionary<string, string>(incident.Group.Where(l => l.Value.Length > 0).ToDictionary(), StringComparer.Ordinal);
        var status = incident.IsOpen ? Firing : Resolved;
        return new AlertmanagerWebhookMessage("4", "{}:" + KeyOf(groupLabels), 0, status, receiver, groupLabels, common,
            commonAnnotations, externalUrl, alerts);
    }

    private static AlertmanagerWebhookAlert Alert(Anomalies.Anomaly anomaly)
    {
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(anomaly.Summary))
            annotations["summary"] = anomaly.Summary;
        if (!string.IsNullOrWhiteSpace(anomaly.Evidence))
            annotations["description"] = anomaly.Evidence;
        return new AlertmanagerWebhookAlert(
            anomaly.IsOpen ? Firing : Resolved, Labels(anomaly), annotations,
            Rfc3339(anomaly.OpenedAt),
            anomaly.ResolvedAt is { } resolvedAt ? Rfc3339(resolvedAt) : ZeroTime,
            GeneratorUrl: "",
            // Alertmanager's fingerprint is 16 hex digits of a hash of the labels; the series id is one.
            Fingerprint: anomaly.Series.Id[..16]);
    }

    /// <summary>The pairs every one of <paramref name="sets"/> has, as Alertmanager's common labels and annotations.</summary>
    private static SortedDictionary<string, string> Common(IEnumerable<IReadOnlyDictionary<string, string>> sets)
    {
        SortedDictionary<string, string>? common = null;
        foreach (var set in sets)
        {
            common ??= new SortedDictionary<string, string>(set.ToDictionary(), StringComparer.Ordinal);
            foreach (var (name, value) in common.ToList())
            {
                if (set.GetValueOrDefault(name) != value)
                    common.Remove(name);
            }
        }
        return common ?? new SortedDictionary<string, string>(StringComparer.Ordinal);
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

    /// <summary>Labels as Alertmanager prints them in a group key: <c>{alertname="X", job="y"}</c>.</summary>
    private static string KeyOf(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.Select(l => $"{l.Key}=\"{l.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"")) + "}";

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
