using System.Globalization;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// The dead man's switch: every sample, <c>up</c> included, reaches the Brain through an agent, so a dead agent or a
/// cut link would silence every other detector. An agent whose pace is known (<see cref="AgentPace"/>) and that then
/// stays silent for longer than <c>max(minimum, 4 × its usual gap between deliveries)</c> opens an
/// <see cref="AnomalyKinds.AgentSilent"/> anomaly; the first check after its next delivery resolves it. An agent that
/// said goodbye at a planned shutdown is not waited for. Agents are configured, not discovered, so none is forgotten
/// for being idle: a silence of an agent no longer configured resolves when it is taken back at start. Plain state,
/// no I/O.
/// </summary>
public sealed class AgentSilenceWatch(AgentPace pace, AgentDirectory directory, TimeSpan minimumSilence) : IAnomalySource
{
    public const string Name = "agent-silence";
    public const string Metric = "aidevops_agent_up";

    private readonly Dictionary<AgentIdentity, Anomaly> _open = [];
    private readonly Lock _lock = new();

    public IEnumerable<AnomalyChange> Restore(Anomaly open, DateTimeOffset now)
    {
        if (!open.IsOpen || open.Detector != Name || AgentOf(open) is not { } agent)
            return [];
        if (!directory.IsConfigured(agent))
            return [open.Resolve(now)];
        lock (_lock)
            _open[agent] = open;
        return [];
    }

    /// <summary>As of <paramref name="now"/>: agents that fell silent (each opened once) and silent agents that are back.</summary>
    public IEnumerable<AnomalyChange> Tick(DateTimeOffset now)
    {
        var changes = new List<AnomalyChange>();
        lock (_lock)
        {
            foreach (var activity in pace.Activities())
            {
                var agent = activity.Agent;
                if (_open.TryGetValue(agent, out var open))
                {
                    if (activity.LastDelivery > open.OpenedAt)
                    {
                        changes.Add(open.Resolve(activity.LastDelivery));
                        _open.Remove(agent);
                    }
                    continue;
                }
                if (activity.DepartedAt is not null || activity.UsualGap is not { } gap)
                    continue;
                var limit = gap * AgentPace.GapsOfSilence > minimumSilence ? gap * AgentPace.GapsOfSilence : minimumSilence;
                if (now - activity.LastDelivery <= limit)
                    continue;
                var series = SeriesOf(agent);
                var anomaly = new Anomaly(Anomaly.IdFor(series, activity.LastDelivery), series, AnomalyKinds.AgentSilent, Name, 1,
                    activity.LastDelivery, Evidence: string.Create(CultureInfo.InvariantCulture,
                        $"no delivery from agent {agent.AgentId} for {(now - activity.LastDelivery).TotalSeconds:0} s (usually every {gap.TotalSeconds:0.#} s; silent after {limit.TotalSeconds:0} s)"));
                _open[agent] = anomaly;
                changes.Add(new AnomalyOpened(anomaly));
            }
        }
        return changes;
    }

    public static Series SeriesOf(AgentIdentity agent) =>
        Series.Of(agent.Tenant, new Dictionary<string, string> { [WellKnownLabels.MetricName] = Metric, ["agent"] = agent.AgentId });

    private static AgentIdentity? AgentOf(Anomaly anomaly) =>
        anomaly.Series.Labels.GetValueOrDefault("agent") is { } id ? new AgentIdentity(id, anomaly.Series.Tenant) : null;
}
