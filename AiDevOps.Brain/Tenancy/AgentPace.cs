namespace AiDevOps.Brain.Tenancy;

/// <summary>What is known of an agent's deliveries: the last one, its usual gap, and whether it said goodbye since.</summary>
public sealed record AgentActivity(AgentIdentity Agent, DateTimeOffset LastDelivery, TimeSpan? UsualGap, DateTimeOffset? DepartedAt);

/// <summary>
/// Each agent's pace: when it last delivered and how often it usually does, noted as deliveries arrive (not as
/// detection gets to them, so a busy Brain never takes its own lag for a silent agent), and whether it said goodbye
/// at a planned shutdown. Plain state, no I/O; the registry keeps it across restarts.
/// </summary>
public sealed class AgentPace
{
    /// <summary>A gap longer than this many usual gaps is an outage, not the agent's pace.</summary>
    public const int GapsOfSilence = 4;

    private const double GapWeight = 0.2;

    /// <summary>
    /// Shorter gaps are one round sent in several batches or a backlog draining after an outage, not the agent's
    /// pace; they would teach it a pace the agent never keeps.
    /// </summary>
    private static readonly TimeSpan ShortestGap = TimeSpan.FromSeconds(1);

    private readonly Dictionary<AgentIdentity, AgentActivity> _agents = [];
    private readonly Lock _lock = new();

    /// <summary>Notes a delivery as it arrives; returns the agent's usual gap, to be kept with its last delivery.</summary>
    public TimeSpan? Delivered(AgentIdentity agent, DateTimeOffset at)
    {
        lock (_lock)
        {
            if (!_agents.TryGetValue(agent, out var known))
            {
                _agents[agent] = new AgentActivity(agent, at, null, null);
                return null;
            }
            if (at <= known.LastDelivery)
                return known.UsualGap;

            var gap = at - known.LastDelivery;
            // The gap after a goodbye or an outage says nothing about the agent's usual pace.
            var usual = gap < ShortestGap || known.DepartedAt is not null || gap > known.UsualGap * GapsOfSilence ? known.UsualGap
                : known.UsualGap is { } pace ? pace + (gap - pace) * GapWeight
                : gap;
            _agents[agent] = known with { LastDelivery = at, UsualGap = usual, DepartedAt = null };
            return usual;
        }
    }

    /// <summary>The agent shut down on purpose: its silence from now on is no outage, until it delivers again.</summary>
    public void Departed(AgentIdentity agent, DateTimeOffset at)
    {
        lock (_lock)
        {
            _agents[agent] = _agents.TryGetValue(agent, out var known)
                ? known with { DepartedAt = at }
                : new AgentActivity(agent, at, null, at);
        }
    }

    /// <summary>What the registry kept from before a start, so an agent that never returns is still noticed.</summary>
    public void Seen(AgentActivity kept)
    {
        lock (_lock)
        {
            _agents[kept.Agent] = _agents.TryGetValue(kept.Agent, out var known) && known.LastDelivery >= kept.LastDelivery
                ? known with { UsualGap = known.UsualGap ?? kept.UsualGap }
                : kept;
        }
    }

    public IReadOnlyList<AgentActivity> Activities()
    {
        lock (_lock)
            return [.. _agents.Values];
    }
}
