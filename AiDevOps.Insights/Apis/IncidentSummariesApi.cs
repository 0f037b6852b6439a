using AiDevOps.Contracts;
using AiDevOps.Insights.Incidents;
using AiDevOps.Insights.Summaries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Insights.Apis;

public static class IncidentSummariesApi
{
    public const int MaxMembers = 100;
    public const int MaxListed = 100;
    public const int MinCharacters = 80;
    public const int MaxCharacters = 4096;

    private static readonly string[] States = ["open", "acknowledged", "resolved"];

    public static IEndpointRouteBuilder MapIncidentSummariesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/incident-summaries");
        api.MapPost("", ExplainAsync);
        return app;
    }

    public static async Task<Results<Ok<InsightSummary>, ValidationProblem>> ExplainAsync(
        IncidentFacts facts, IncidentExplainer explainer, CancellationToken cancellationToken)
    {
        var errors = Validate(facts);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await explainer.ExplainAsync(facts, cancellationToken));
    }

    // Keys are the JSON (camelCase) paths, so a caller sees the field it sent.
    private static Dictionary<string, string[]> Validate(IncidentFacts facts)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(facts.IncidentId))
            errors["incidentId"] = ["The incident id is required."];
        if (facts.Title is null)
            errors["title"] = ["The title is required (an empty string is fine)."];
        if (!States.Contains(facts.State))
            errors["state"] = [$"The state must be one of {string.Join(", ", States)}, got '{facts.State}'."];
        if (facts.Group is null)
            errors["group"] = ["The group labels are required (an empty object is fine)."];
        if (facts.Since == default)
            errors["since"] = ["The time the incident started is required."];
        if (facts.ResolvedAt is { } resolved && resolved < facts.Since)
            errors["resolvedAt"] = ["The incident cannot resolve before it started."];
        if (facts.Members is null or { Count: 0 })
            errors["members"] = ["At least one member (the lead anomaly) is required."];
        else if (facts.Members.Count > MaxMembers)
            errors["members"] = [$"At most {MaxMembers} members are accepted, got {facts.Members.Count}."];
        else
            for (var i = 0; i < facts.Members.Count; i++)
                ValidateMember(facts.Members[i], $"members[{i}]", errors);
        if (facts.OtherAnomalies is { Count: > MaxListed })
            errors["otherAnomalies"] = [$"At most {MaxListed} other anomalies are accepted, got {facts.OtherAnomalies.Count}."];
        if (facts.Correlated is { Count: > MaxListed })
            errors["correlated"] = [$"At most {MaxListed} correlated series are accepted, got {facts.Correlated.Count}."];
        if (facts.Tools is { } tools)
        {
            if (!HttpUrl.IsValid(tools.BrainUrl))
                errors["tools.brainUrl"] = ["The Brain's URL must be an absolute http or https URL."];
            if (string.IsNullOrWhiteSpace(tools.Token))
                errors["tools.token"] = ["The token is required when tools are given."];
        }
        if (facts.MaxCharacters is < MinCharacters or > MaxCharacters)
            errors["maxCharacters"] = [$"The room for the explanation must be between {MinCharacters} and {MaxCharacters} characters, got {facts.MaxCharacters}."];
        if (facts.BudgetMilliseconds is < SummaryBudget.MinMilliseconds or > SummaryBudget.MaxMilliseconds)
            errors["budgetMilliseconds"] =
                [$"The budget must be between {SummaryBudget.MinMilliseconds} and {SummaryBudget.MaxMilliseconds} ms, got {facts.BudgetMilliseconds}."];
        return errors;
    }

    private static void ValidateMember(MemberFacts? member, string path, Dictionary<string, string[]> errors)
    {
        if (member is null)
        {
            errors[path] = ["The member is required."];
            return;
        }
        if (string.IsNullOrWhiteSpace(member.Metric))
            errors[$"{path}.metric"] = ["The metric is required."];
        if (string.IsNullOrWhiteSpace(member.Kind))
            errors[$"{path}.kind"] = ["The kind is required."];
        if (member.Labels is null)
            errors[$"{path}.labels"] = ["The labels are required (an empty object is fine)."];
        if (member.Since == default)
            errors[$"{path}.since"] = ["The time the anomaly started is required."];
        if (member.RecentValues is null)
            errors[$"{path}.recentValues"] = ["The recent values are required (an empty array is fine)."];
        else if (member.RecentValues.Count > SummariesApi.MaxRecentValues)
            errors[$"{path}.recentValues"] = [$"At most {SummariesApi.MaxRecentValues} recent values are accepted, got {member.RecentValues.Count}."];
    }
}
