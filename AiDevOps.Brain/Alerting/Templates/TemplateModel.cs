using AiDevOps.Brain.Anomalies;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Alerting.Templates;

/// <summary>
/// What a template can read: plain values (text, numbers, booleans, times), lists and dictionaries copied out of the
/// notification, and nothing else. Fluid reads the public members of whatever object it is handed, so handing it the
/// <see cref="Notification"/> itself would let a tenant's template walk into the Brain's types; a dictionary has
/// no members to walk, only its keys. Names are Liquid's snake_case.
/// </summary>
public static class TemplateModel
{
    /// <summary>The variables a template sees, by name, as the README lists them.</summary>
    public static Dictionary<string, object?> Of(Notification notification)
    {
        var incident = notification.Incident;
        var lead = notification.Anomaly;
        var single = incident.Members.Count == 1;
        var ended = incident.ResolvedAt ?? incident.OpenedAt;
        return new Dictionary<string, object?>
        {
            ["id"] = incident.Id,
            ["kind"] = notification.Kind.ToString().ToLowerInvariant(),
            ["status"] = notification.Status == NotificationStatus.Firing ? "firing" : "resolved",
            ["state"] = incident.State.ToString().ToLowerInvariant(),
            ["title"] = Text(incident.Title),
            ["selector"] = Text(single ? lead.Series.Selector() : incident.Selector),
            ["since"] = AlertText.Time(incident.OpenedAt),
            ["opened_at"] = incident.OpenedAt,
            ["resolved_at"] = incident.ResolvedAt,
            ["lasted"] = AlertText.Duration(ended - incident.OpenedAt),
            ["pages"] = notification.Pages,
            ["route"] = Text(incident.RouteId),
            ["group"] = Labels(incident.Group),
            ["labels"] = Labels(lead.Series.Labels),
            ["summary"] = Optional(notification.Summary),
            ["evidence"] = Optional(lead.Evidence),
            ["acknowledged_by"] = Optional(incident.AcknowledgedBy),
            ["acknowledged_at"] = incident.AcknowledgedAt,
            ["silenced_by"] = Optional(incident.SilencedBy),
            ["silenced_until"] = incident.SilencedUntil is { } until ? AlertText.Time(until) : null,
            ["members"] = incident.Members.Select(Member).ToList<object?>(),
            ["firing_count"] = incident.Firing.Count(),
            ["resolved_count"] = incident.Members.Count(m => !m.IsOpen),
            ["timeline"] = incident.Timeline
                .Select(e => (object?)new Dictionary<string, object?> { ["at"] = e.At, ["time"] = AlertText.Time(e.At), ["what"] = Text(e.What) })
                .ToList(),
        };
    }

    private static Dictionary<string, object?> Member(Anomaly member) => new()
    {
        ["title"] = Text(AlertText.Title(member)),
        ["kind"] = member.Kind,
        ["series"] = Text(member.Series.Selector()),
        ["labels"] = Labels(member.Series.Labels),
        ["firing"] = member.IsOpen,
        ["pages"] = Severity.Pages(member),
        ["opened_at"] = member.OpenedAt,
        ["resolved_at"] = member.ResolvedAt,
        ["since"] = AlertText.Time(member.OpenedAt),
        ["summary"] = Optional(member.Summary),
        ["evidence"] = Optional(member.Evidence),
    };

    private static Dictionary<string, object?> Labels(IReadOnlyDictionary<string, string> labels) =>
        labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => (object?)Text(l.Value), StringComparer.Ordinal);

    private static string Text(string text) => AlertText.Clean(text);

    private static string? Optional(string? text) => string.IsNullOrWhiteSpace(text) ? null : AlertText.Clean(text.Trim());
}
