using AiDevOps.Contracts;
using AiDevOps.Storage.Query;

namespace AiDevOps.Brain.Alerting;

/// <summary>How a route's incidents reach people, next to the usual rule that only what deserves it pages.</summary>
public enum RouteNotify
{
    /// <summary>Pages for what pages by its kind (<see cref="Severity"/>); the rest arrives silently.</summary>
    Default,

    /// <summary>Every incident of the route pages, e.g. unusual behaviour of a database people want to hear about.</summary>
    Loud,

    /// <summary>Nothing of the route pages.</summary>
    Silent,
}

/// <summary>
/// What a route decides about the incidents it makes, as Alertmanager's route options do.
/// </summary>
/// <param name="GroupBy">The labels whose values make one incident (besides the tenant): by default one incident a host.</param>
/// <param name="GroupInterval">How long after its resolve an incident takes back a new member of its group, edited into its
/// message as firing again, instead of opening a new incident: a flapping host is one incident.</param>
/// <param name="RepeatInterval">How often an incident still open and not acknowledged is sent again.</param>
/// <param name="TelegramThreadId">The forum topic (<c>message_thread_id</c>) the route's Telegram messages go to.</param>
public sealed record RouteSettings(
    IReadOnlyList<string> GroupBy,
    TimeSpan GroupInterval,
    TimeSpan RepeatInterval,
    RouteNotify Notify = RouteNotify.Default,
    int? TelegramThreadId = null)
{
    public static readonly RouteSettings Defaults = new([WellKnownLabels.Instance], TimeSpan.FromMinutes(5), TimeSpan.FromHours(4));
}

/// <summary>
/// Which receivers get which alerts: every matcher of <see cref="Selector"/> (a Prometheus selector such as
/// <c>{job="node",severity=~"page|critical"}</c>) must accept the anomaly's labels. Routes are tried in
/// <see cref="Position"/> order; the first that matches takes the alert unless it says <see cref="Continue"/>.
/// </summary>
public sealed record AlertRoute(
    string Id,
    string Selector,
    IReadOnlyList<string> ReceiverIds,
    bool Continue = false,
    int Position = 0,
    RouteSettings? Settings = null)
{
    /// <summary>The route of a tenant that has none: every receiver, the default settings.</summary>
    public const string DefaultId = "default";

    public RouteSettings EffectiveSettings => Settings ?? RouteSettings.Defaults;
}

/// <summary>A route an alert matched, with the receivers it goes to.</summary>
public sealed record RouteMatch(AlertRoute Route, IReadOnlyList<Receiver> Receivers);

/// <summary>
/// Picks the routes of an alert, as Alertmanager's routing tree does one level deep: with no routes every receiver of
/// the tenant gets every alert; with routes, the first matching route in order takes it, and the next ones too while
/// the matching route says <c>continue</c>. An alert no route matches is recorded only.
/// </summary>
public static class Routing
{
    public static IReadOnlyList<RouteMatch> Match(
        IReadOnlyDictionary<string, string> labels, IReadOnlyList<AlertRoute> routes, IReadOnlyList<Receiver> receivers)
    {
        if (routes.Count == 0)
            return [new RouteMatch(new AlertRoute(AlertRoute.DefaultId, "{}", [.. receivers.Select(r => r.Id)]), receivers)];
        var matches = new List<RouteMatch>();
        foreach (var route in routes.OrderBy(r => r.Position).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            if (!PromQlParser.ParseSelector(route.Selector).All(matcher => matcher.Matches(labels)))
                continue;
            var wanted = route.ReceiverIds.ToHashSet(StringComparer.Ordinal);
            matches.Add(new RouteMatch(route, [.. receivers.Where(r => wanted.Contains(r.Id))]));
            if (!route.Continue)
                break;
        }
        return matches;
    }
}
