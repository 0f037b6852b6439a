using System.Globalization;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// The dead man's switch: every sample, <c>up</c> included, reaches the Brain through an agent, so a dead agent or a
/// cut link would silence every other detector. An agent whose pace is known and that then stays silent for longer
/// than <c>max(minimum, 4 × its usual gap between deliveries)</c> opens an <see cref="AnomalyKinds.AgentSilent"/>
/// anomaly; the first check after its next delivery resolves it. Deliveries are noted as they arrive, not as
/// detection gets to them, so a busy Brain does not take its own lag for a silent agent. Plain state, no I/O.
/// </summary>
public sealed class AgentSilenceWatch(TimeSpan minimumSilence)
{
    public const string Name = "agent-silence";
    public const string Metric = "aidevops_agent_up";

    /// <summary>How many usual gaps make a silence: a missed delivery or two is a retry, not a dead agent.</summary>
    private const int GapsOfSilence = 4;

    private const double GapWeight = 0.2;

    /// <summary>
    /// Shorter gaps are one round sent in several batches or a backlog draining after an outage, not the agent's
    /// pace; they would teach it a pace the agent never keeps.
    /// </summary>
    private static readonly TimeSpan ShortestGap = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(string Tenant, string AgentId), AgentState> _agents = [];
    private readonly Lock _lock = new();

    private sealed record AgentState(DateTimeOffset LastDelivery, TimeSpan? UsualGap, Anomaly? Open);

    /// <summary>Notes a delivery as it arrives; returns the agent's usual gap, to be kept with its last delivery.</summary>
    public TimeSpan? Delivered(AgentIdentity agent, DateTimeOffset at)
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
                return state.UsualGap;

            var gap = at - state.LastDelivery;
            // The gap that ends a silence says nothing about the agent's usual pace either.
            var usual = gap < ShortestGap || state.Open is not null ? state.UsualGap
                : state.UsualGap is { } known ? known + (gap - known) * GapWeight
                : gap;
            _agents[key] = state with { LastDelivery = at, UsualGap = usual };
            return usual;
        }
    }

    /// <summary>What the registry kept from before a start, so an agent that never returns is still noticed.</summary>
    public void Seen(AgentIdentity agent, DateTimeOffset lastDelivery, TimeSpan? usualGap)
    {
        lock (_lock)
        {
            var key = (agent.Tenant, agent.AgentId);
            _agents[key] = _agents.TryGetValue(key, out var state)
                ? state with { LastDelivery = Max(state.LastDelivery, lastDelivery), UsualGap = state.UsualGap ?? usualGap }
                : new AgentState(lastDelivery, usualGap, null);
        }
    }

    /// <summary>Takes back a silence that was open before a restart, so the agent's return resolves it.</summary>
    public void Restore(Anomaly open)
    {
        if (!open.IsOpen || open.Detector != Name || AgentOf(open) is not { } agentId)
            return;
        lock (_lock)
        {
            var key = (open.Series.Tenant, agentId);
            _agents[key] = _agents.TryGetValue(key, out var state)
                ? state with { Open = open }
                : new AgentState(open.OpenedAt, null, open);
        }
    }

    /// <summary>As of <paramref name="now"/>: agents that fell silent (each opened once) and silent agents that are back.</summary>
    public IReadOnlyList<AnomalyChange> Check(DateTimeOffset now)
    {
        var changes = new List<AnomalyChange>();
        lock (_lock)
        {
            foreach (var (key, state) in _agents.ToList())
            {
                if (state.Open is { } open)
                {
                    if (state.LastDelivery > open.OpenedAt)
                    {
                        changes.Add(new AnomalyResolved(open with { ResolvedAt = state.LastDelivery }));
                        _agents[key] = state with { Open = null };
                    }
                    continue;
                }
                if (state.UsualGap is not { } gap)
                    continue;
                var limit = gap * GapsOfSilence > minimumSilence ? gap * GapsOfSilence : minimumSilence;
                if (now - state.LastDelivery <= limit)
                    continue;
                var series = SeriesOf(key.Tenant, key.AgentId);
                var anomaly = new Anomaly(Anomaly.IdFor(series, state.LastDelivery), series, AnomalyKinds.AgentSilent, Name, 1,
                    state.LastDelivery, Evidence: string.Create(CultureInfo.InvariantCulture,
                        $"no delivery from agent {key.AgentId} for {(now - state.LastDelivery).TotalSeconds:0} s (usually every {gap.TotalSeconds:0.#} s; silent after {limit.TotalSeconds:0} s)"));
                _agents[key] = state with { Open = anomaly };
                changes.Add(new AnomalyOpened(anomaly));
            }
        }
        return changes;
    }

    public static Series SeriesOf(string tenant, string agentId) =>
        Series.Of(tenant, new Dictionary<string, string> { [WellKnownLabels.MetricName] = Metric, ["agent"] = agentId });

    public static string? AgentOf(Anomaly anomaly) => anomaly.Series.Labels.GetValueOrDefault("agent");

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
