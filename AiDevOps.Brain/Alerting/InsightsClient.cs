using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting;

/// <summary>Asks the Insights service to summarise an anomaly.</summary>
public sealed class InsightsClient(HttpClient http)
{
    public async Task<InsightSummary> SummarizeAsync(AnomalyFacts facts, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/api/summaries", facts, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<InsightSummary>(ct)
            ?? throw new InvalidOperationException("Insights answered with an empty body.");
    }
}
