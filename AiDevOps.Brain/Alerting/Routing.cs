using AiDevOps.Storage.Query;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// Picks the receivers of an alert, as Alertmanager's routing tree does in its simplest form: with no routes every
/// receiver of the tenant gets every alert; with routes, an alert goes to the receivers of every route it matches.
/// </summary>
public static class Routing
{
    public static IReadOnlyList<Receiver> ReceiversFor(
        IReadOnlyDictionary<string, string> labels, IReadOnlyList<AlertRoute> routes, IReadOnlyList<Receiver> receivers)
    {
        if (routes.Count == 0)
            return receivers;
        var wanted = routes
            .Where(route => PromQlParser.ParseSelector(route.Selector).All(matcher => matcher.Matches(labels)))
            .SelectMany(route => route.ReceiverIds)
            .ToHashSet(StringComparer.Ordinal);
        return receivers.Where(r => wanted.Contains(r.Id)).ToList();
    }
}
