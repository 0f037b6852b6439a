namespace AiDevOps.Web.Brain;

/// <summary>How an agent is doing, from when it last delivered against its usual pace, as the Brain's agent_silent sees it.</summary>
public static class AgentHealth
{
    /// <summary>An agent's usual gap is unknown until it delivered twice; this much silence is then allowed.</summary>
    private static readonly TimeSpan UnknownPaceGrace = TimeSpan.FromMinutes(1);

    public static string Of(AgentStatus agent, DateTimeOffset now)
    {
        if (agent.DepartedAt is { } departed && departed >= agent.LastSeen)
            return "stopped";
        var allowed = agent.UsualGap is { } gap ? gap * 3 + TimeSpan.FromSeconds(5) : UnknownPaceGrace;
        return now - agent.LastSeen <= allowed ? "healthy" : "silent";
    }
}
