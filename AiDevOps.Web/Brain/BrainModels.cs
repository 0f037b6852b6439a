namespace AiDevOps.Web.Brain;

// The Brain's answers as this UI reads them (camelCase JSON, enums in snake_case); only the fields it shows.

public sealed record Identity(string Id, string Tenant);

public sealed record AgentStatus(string Id, DateTimeOffset LastSeen, long LastSamples, TimeSpan? UsualGap, DateTimeOffset? DepartedAt,
    string? Version = null, long? QueuedSamples = null);

public sealed record SeriesRef(string Id, string Metric, IReadOnlyDictionary<string, string> Labels);

public sealed record AnomalyView(
    string Id, string SeriesId, string Metric, IReadOnlyDictionary<string, string> Labels, string Kind, string Detector,
    double Score, string State, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? Summary, string? SummarySource,
    string? Evidence)
{
    public bool IsOpen => State == "open";
}

public sealed record IncidentMember(
    string Id, SeriesRef Series, string Kind, string Detector, double Score, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt,
    string? Summary, string? Evidence, double? Expected)
{
    public bool IsOpen => ResolvedAt is null;
}

public sealed record IncidentEvent(DateTimeOffset At, string What);

public sealed record Incident(
    string Id, string RouteId, IReadOnlyDictionary<string, string> Group, IReadOnlyList<string> ReceiverIds, string State,
    DateTimeOffset OpenedAt, IReadOnlyList<IncidentMember> Members, IReadOnlyList<IncidentEvent> Timeline, int Version,
    DateTimeOffset? ResolvedAt, string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, string? SilencedBy, DateTimeOffset? SilencedUntil,
    string? Summary, string? SummarySource, string Title, string Selector)
{
    public bool IsOpen => State != "resolved";

    /// <summary>What people read for it: the Brain's title (as its messages say it) and the group it is about.</summary>
    public string Heading => $"{Title} on {Selector}";
}

public sealed record IncidentDetail(Incident Incident, IReadOnlyList<NotificationView> Notifications);

public sealed record NotificationView(
    string Id, string ReceiverId, string Kind, string State, int Attempts, string? LastError, string IncidentId, string Title,
    DateTimeOffset QueuedAt);

public sealed record Receiver(string Id, string Channel, string Address, bool HasSecret);

public sealed record AlertRoute(string Id, string Selector, IReadOnlyList<string> ReceiverIds, bool Continue, int Position);

public sealed record SilenceView(string Id, string Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string CreatedBy, string Comment, string State);

public sealed record TemplateView(string Channel, string? Template, string? Subject, DateTimeOffset UpdatedAt);

public sealed record PreviewView(string Channel, string IncidentId, string Kind, string Text, string? Subject, bool? Valid, int? Length, bool? Truncated);

public sealed record ForecastView(string SeriesId, DateTimeOffset LastSample, DateTimeOffset At, double Expected, double Low, double High, ExhaustionView? Exhaustion);

public sealed record ExhaustionView(double Limit, double SlopePerHour, DateTimeOffset Expected, DateTimeOffset Earliest, DateTimeOffset Latest);

/// <summary>One series of a range query: its labels, and its points as (Unix seconds, value).</summary>
public sealed record RangeSeries(IReadOnlyDictionary<string, string> Labels, double[] Times, double[] Values);

/// <summary>The words people read for an anomaly's kind.</summary>
public static class KindNames
{
    public static string Of(string kind) => kind switch
    {
        "target_down" => "Target down",
        "agent_silent" => "Agent silent",
        "unusual_behaviour" => "Unusual behaviour",
        "predicted_exhaustion" => "Predicted exhaustion",
        "prometheus_alert" => "Prometheus alert",
        _ => kind,
    };
}
