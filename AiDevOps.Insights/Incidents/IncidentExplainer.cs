using AiDevOps.Contracts;

namespace AiDevOps.Insights.Incidents;

/// <summary>Explains incidents: with the model when one is configured and its answer is grounded, deterministically otherwise.</summary>
public sealed class IncidentExplainer
{
    /// <summary>The explanation from the facts alone, with no I/O; what every fallback answers.</summary>
    public static InsightSummary Deterministic(IncidentFacts facts) =>
        new(DeterministicIncidentSummary.Write(facts), SummarySources.Deterministic);
}
