using System.Text.Json.Serialization;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting.Notifiers.PagerDuty;

/// <summary>
/// An event of PagerDuty's Events API v2. Our incident's id is the <c>dedup_key</c>: a trigger sent again (a retry, a
/// restart, a member joining) stays one PagerDuty incident, an acknowledgement here acknowledges it there, and the
/// resolve closes it.
/// </summary>
public sealed record PagerDutyEvent(
    [property: JsonPropertyName("routing_key")] string RoutingKey,
    [property: JsonPropertyName("event_action")] string EventAction,
    [property: JsonPropertyName("dedup_key")] string DedupKey,
    [property: JsonPropertyName("payload"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PagerDutyPayload? Payload,
    [property: JsonPropertyName("client")] string Client)
{
    public const string Trigger = "trigger";
    public const string Resolve = "resolve";
    public const string Acknowledge = "acknowledge";

    // PagerDuty's limits: a summary of 1024 characters, a dedup_key of 255.
    private const int MaxSummary = 1024;
    private const int MaxDedupKey = 255;

    public static PagerDutyEvent Of(string routingKey, Notification notification)
    {
        var anomaly = notification.Anomaly;
        var dedupKey = AlertText.Shorten(notification.Incident.Id, MaxDedupKey);
        if (notification.Status == NotificationStatus.Resolved || notification.Kind == NotificationKind.Acknowledged)
            return new PagerDutyEvent(routingKey, notification.Status == NotificationStatus.Resolved ? Resolve : Acknowledge, dedupKey, null, "AiDevOps");

        var labels = anomaly.Series.Labels;
        var payload = new PagerDutyPayload(
            AlertText.Shorten($"{notification.Incident.Title}: {(notification.Incident.Members.Count == 1 ? anomaly.Series.Selector() : notification.Incident.Selector)}", MaxSummary),
            Source: labels.GetValueOrDefault(WellKnownLabels.Instance) ?? labels.GetValueOrDefault("agent") ?? labels.GetValueOrDefault(WellKnownLabels.Job)
                ?? "aidevops/" + anomaly.Series.Tenant,
            Severity: notification.Pages ? "critical" : "warning",
            Timestamp: anomaly.OpenedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            Component: anomaly.Series.Metric,
            Group: labels.GetValueOrDefault(WellKnownLabels.Job),
            Class: anomaly.Kind,
            CustomDetails: new PagerDutyDetails(
                labels.Where(l => l.Key != WellKnownLabels.MetricName).ToDictionary(), anomaly.Evidence, notification.Summary, anomaly.Detector, anomaly.Score));
        return new PagerDutyEvent(routingKey, Trigger, dedupKey, payload, "AiDevOps");
    }
}

public sealed record PagerDutyPayload(
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("component")] string Component,
    [property: JsonPropertyName("group"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Group,
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("custom_details")] PagerDutyDetails CustomDetails);

public sealed record PagerDutyDetails(
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("evidence"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Evidence,
    [property: JsonPropertyName("summary"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Summary,
    [property: JsonPropertyName("detector")] string Detector,
    [property: JsonPropertyName("score")] double Score);
