using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting;

/// <summary>Asks the Insights service to explain an incident.</summary>
public sealed class InsightsClient(HttpClient http)
{
    public async Task<InsightSummary> ExplainAsync(IncidentFacts facts, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/api/incident-summaries", facts, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<InsightSummary>(ct)
            ?? throw new InvalidOperationException("Insights answered with an empty body.");
    }
}
