using System.Security.Claims;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

/// <summary>
/// Alertmanager's alert-receiving API, so Prometheus (<c>alerting.alertmanagers</c>) and the Agent can hand their
/// firing alerts to the Brain, which summarises and routes them like its own anomalies.
/// </summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v2/alerts", PostAsync)
            .RequireAuthorization()
            .WithSummary("Alertmanager API v2: firing alerts (re-sent while they fire; endsAt in the past resolves).");
        return app;
    }

    public static async Task<Results<Ok, ValidationProblem>> PostAsync(
        IReadOnlyList<PostableAlert>? alerts, ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock)
    {
        if (Validate(alerts) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors, title: "The alerts are invalid; none was taken.");
        await grains.GetGrain<IAgentDetectionGrain>(DetectionKeys.Of(user.Agent())).TakeAlertsAsync(PrometheusAlertTracker.Posted(alerts!, clock.GetUtcNow()));
        return TypedResults.Ok();
    }

    private static Dictionary<string, string[]> Validate(IReadOnlyList<PostableAlert>? alerts)
    {
        var errors = new Dictionary<string, string[]>();
        if (alerts is null)
            errors["body"] = ["The body must be a JSON array of alerts."];
        else if (alerts.Count > AlertValidation.MaxAlerts)
            errors["body"] = [$"At most {AlertValidation.MaxAlerts} alerts are taken at once."];
        else
        {
            for (var i = 0; i < alerts.Count && errors.Count < AlertValidation.MaxErrors; i++)
            {
                if (AlertValidation.LabelsProblem(alerts[i]?.Labels) is { } problem)
                    errors[$"[{i}].labels"] = [problem];
            }
        }
        return errors;
    }
}
