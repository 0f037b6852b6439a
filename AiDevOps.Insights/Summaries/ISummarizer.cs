using AiDevOps.Contracts;

namespace AiDevOps.Insights.Summaries;

/// <summary>Turns the facts of one anomaly into a short plain-text summary for the engineer on call.</summary>
public interface ISummarizer
{
    Task<InsightSummary> SummarizeAsync(AnomalyFacts facts, CancellationToken cancellationToken);
}
