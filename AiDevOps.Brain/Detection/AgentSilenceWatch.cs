using System.Globalization;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// The dead man's switch: every sample, <c>up</c> included, reaches the Brain through an agent, so a dead agent or a
/// cut link would silence every other detector. An agent that has delivered before and then stays silent for longer
/// than <c>max(minimum, 4 × its usual gap between deliveries)</c> opens an <see cref="AnomalyKinds.AgentSilent"/>
/// anomaly; its next delivery resolves it. Plain state, no I/O: time is given.
/// </summary>
public sealed class AgentSilenceWatch(TimeSpan minimumSilence)
{
    public const string Name = "agent-silence";
    public const string Metric = "aidevops_agent_up";

    /// <summary>How many usual gaps make a silence: a missed delivery or two is a retry, not a dead agent.</summary>
    private const int GapsOfSilence = 4;

    private const double GapWeight = 0.2;

    private readonly Dictionary<(string Tenant, string AgentId), AgentState> _agents = [];
    private readonly Lock _lock = new();

    private sealed record AgentState(DateTimeOffset LastDelivery, TimeSpan? UsualGap, Anomaly? Open);

    /// <summary>What the registry says from before a start: an agent that never returns is still noticed.</summary>
    public void Seen(AgentIdentity agent, DateTimeOffset lastDelivery)
    {
        lock (_lock)
            _agents.TryAdd((agent.Tenant, agent.AgentId), new AgentState(lastDelivery, null, null));
    }

    /// <summary>Takes back a silence that was open before a restart, so the agent's return resolves it.</summary>
    public void Restore(Anomaly open)
    {
        if (!open.IsOpen || open.Detector != Name || !open.Series.Labels.TryGetValue("agent", out var agentId))
            return;
        lock (_lock)
            _agents[(open.Series.Tenant, agentId)] = new AgentState(open.OpenedAt, null, open);
    }

    public AnomalyChange? Delivered(AgentIdentity agent, DateTimeOffset at)
    {
        lock (_lock)
        {
            var key = (agent.Tenant, agent.AgentId);
            if (!_agents.TryGetValue(key, out var state))
            {
                _agents[key] = new AgentState(at, null, null);
                return null;
            }
            if (at <= state.LastDelivery)
                return null;

            if (state.Open is { } open)
            {
                // The gap that ended the silence says nothing about the agent's usual pace.
                _agents[key] = state with { LastDelivery = at, Open = null };
                return new AnomalyResolved(open with { ResolvedAt = at });
            }
            var gap = at - state.LastDelivery;
            var usual = state.UsualGap is { } known ? known + (gap - known) * GapWeight : gap;
            _agents[key] = new AgentState(at, usual, null);
            return null;
        }
    }

    /// <summary>Agents silent for too long as of <paramref name="now"/>, each opened once.</summary>
    public IReadOnlyList<AnomalyChange> Check(DateTimeOffset now)
    {
        var opened = new List<AnomalyChange>();
        lock (_lock)
        {
            foreach (var (key, state) in _agents.ToList())
            {
                var limit = Limit(state);
                if (state.Open is not null || now - state.LastDelivery <= limit)
                    continue;
                var series = SeriesOf(key.Tenant, key.AgentId);
                var anomaly = new Anomaly(Anomaly.IdFor(series, state.LastDelivery), series, AnomalyKinds.AgentSilent, Name, 1,
                    state.LastDelivery, Evidence: string.Create(CultureInfo.InvariantCulture,
                        $"no delivery from agent {key.AgentId} for {(now - state.LastDelivery).TotalSeconds:0} s (silent after {limit.TotalSeconds:0} s)"));
                _agents[key] = state with { Open = anomaly };
                opened.Add(new AnomalyOpened(anomaly));
            }
        }
        return opened;
    }

    private TimeSpan Limit(AgentState state) =>
        state.UsualGap is { } gap && gap * GapsOfSilence > minimumSilence ? gap * GapsOfSilence : minimumSilence;

    public static Series SeriesOf(string tenant, string agentId) =>
        Series.Of(tenant, new Dictionary<string, string> { [WellKnownLabels.MetricName] = Metric, ["agent"] = agentId });
}
