using System.Security.Cryptography;
using System.Text;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Alerting.Incidents;

public enum IncidentState
{
    Open,
    Acknowledged,
    Resolved,
}

/// <summary>Something that happened to an incident, in words people read in its timeline.</summary>
public sealed record IncidentEvent(DateTimeOffset At, string What);

/// <summary>
/// What people are told about: the anomalies of one group (by default one host) of one route, from the first that
/// opened until the last resolved. One incident is one message a receiver, edited as members join and resolve.
/// Its id sorts by opening time and is short enough for a Telegram button's data.
/// </summary>
/// <param name="Group">The values of the route's group_by labels that make this incident.</param>
/// <param name="ReceiverIds">Who was told when it opened; every later notification goes to them.</param>
/// <param name="Members">Every anomaly that joined, open or resolved, in the order they joined.</param>
/// <param name="Summary">Insights' explanation of the incident as it last stood, and who wrote it (model or deterministic).</param>
/// <param name="Version">Counts its changes; orders its notifications to one receiver.</param>
/// <param name="LastNotifiedAt">When it was last sent as news (opened, escalated, repeated): the repeat interval counts from here.</param>
public sealed record Incident(
    string Tenant,
    string Id,
    string RouteId,
    IReadOnlyDictionary<string, string> Group,
    IReadOnlyList<string> ReceiverIds,
    RouteSettings Settings,
    IncidentState State,
    DateTimeOffset OpenedAt,
    IReadOnlyList<Anomaly> Members,
    IReadOnlyList<IncidentEvent> Timeline,
    DateTimeOffset LastNotifiedAt,
    int Version = 1,
    DateTimeOffset? ResolvedAt = null,
    string? AcknowledgedBy = null,
    DateTimeOffset? AcknowledgedAt = null,
    string? SilencedBy = null,
    DateTimeOffset? SilencedUntil = null,
    string? Summary = null,
    string? SummarySource = null)
{
    /// <summary>The timeline keeps its first events and its newest; an incident flapping for days stays one item.</summary>
    public const int MaxTimeline = 100;

    public bool IsOpen => State != IncidentState.Resolved;

    public IEnumerable<Anomaly> Firing => Members.Where(m => m.IsOpen);

    /// <summary>Whether it wakes people: a paging member, unless the route says otherwise.</summary>
    public bool Pages => Settings.Notify switch
    {
        RouteNotify.Loud => true,
        RouteNotify.Silent => false,
        _ => Members.Any(Severity.Pages),
    };

    /// <summary>The member a one-line message leads with: one still firing, one that pages, the oldest.</summary>
    public Anomaly Lead => Members
        .OrderByDescending(m => m.IsOpen)
        .ThenByDescending(Severity.Pages)
        .ThenBy(m => m.OpenedAt)
        .First();

    /// <summary>"Target down", or "Target down and 49 more" for a group of anomalies.</summary>
    public string Title
    {
        get
        {
            var others = (IsOpen ? Firing.Count() : Members.Count) - 1;
            return others > 0 ? $"{AlertText.Title(Lead)} and {others} more" : AlertText.Title(Lead);
        }
    }

    /// <summary>The group's labels as a selector: what a silence made from the incident matches.</summary>
    public string Selector =>
        "{" + string.Join(",", Group.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{Escape(l.Value)}\"")) + "}";

    public static string IdFor(string tenant, string routeId, string groupKey, DateTimeOffset openedAt)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{tenant}\0{routeId}\0{groupKey}\0{openedAt.ToUnixTimeMilliseconds()}"));
        return $"{DataKeys.Time(openedAt.ToUnixTimeMilliseconds())}-{Convert.ToHexStringLower(hash.AsSpan(0, 5))}";
    }

    public Incident With(IncidentEvent happened)
    {
        var timeline = Timeline.Count < MaxTimeline
            ? [.. Timeline, happened]
            : Timeline.Take(MaxTimeline / 2).Concat(Timeline.Skip(Timeline.Count - MaxTimeline / 2 + 1)).Append(happened).ToList();
        return this with { Timeline = timeline };
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
