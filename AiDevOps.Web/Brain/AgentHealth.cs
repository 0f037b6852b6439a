namespace AiDevOps.Web.Brain;

/// <summary>
/// How an agent is doing, as the Brain judges it: silent while its <c>agent_silent</c> anomaly is open (the Brain
/// opens one when an agent misses its usual pace), stopped when it said goodbye after its last delivery, healthy
/// otherwise.
/// </summary>
public static class AgentHealth
{
    public static string Of(AgentStatus agent, IEnumerable<AnomalyView> openAnomalies)
    {
        if (agent.DepartedAt is { } departed && departed >= agent.LastSeen)
            return "stopped";
        return openAnomalies.Any(a => a.Kind == "agent_silent" && a.IsOpen && a.Labels.GetValueOrDefault("agent") == agent.Id)
            ? "silent"
            : "healthy";
    }
}
