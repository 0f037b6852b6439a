using AiDevOps.Contracts;
using AiDevOps.Insights.Summaries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Insights.Apis;

public static class SummariesApi
{
    public const int MaxRecentValues = 500;

    public static IEndpointRouteBuilder MapSummariesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/summaries");
        api.MapPost("", SummarizeAsync);
        return app;
    }

    public static async Task<Results<Ok<InsightSummary>, ValidationProblem>> SummarizeAsync(
        AnomalyFacts facts, ISummarizer summarizer, CancellationToken cancellationToken)
    {
        var errors = Validate(facts);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await summarizer.SummarizeAsync(facts, cancellationToken));
    }

    // Keys are the JSON (camelCase) field names, so a caller sees the field it sent.
    private static Dictionary<string, string[]> Validate(AnomalyFacts facts)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(facts.Metric))
            errors["metric"] = ["The metric is required."];
        if (string.IsNullOrWhiteSpace(facts.Kind))
            errors["kind"] = ["The kind is required."];
        if (facts.Labels is null)
            errors["labels"] = ["The labels are required (an empty object is fine)."];
        if (facts.Since == default)
            errors["since"] = ["The time the anomaly started is required."];
        if (facts.RecentValues is null)
            errors["recentValues"] = ["The recent values are required (an empty array is fine)."];
        else if (facts.RecentValues.Count > MaxRecentValues)
            errors["recentValues"] = [$"At most {MaxRecentValues} recent values are accepted, got {facts.RecentValues.Count}."];
        if (facts.BudgetMilliseconds is < SummaryBudget.MinMilliseconds or > SummaryBudget.MaxMilliseconds)
            errors["budgetMilliseconds"] =
                [$"The budget must be between {SummaryBudget.MinMilliseconds} and {SummaryBudget.MaxMilliseconds} ms, got {facts.BudgetMilliseconds}."];
        return errors;
    }
}
