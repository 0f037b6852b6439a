using System.Security.Claims;
using System.Text.Json;
using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Apis;

/// <summary>
/// A receiver for Alertmanager's <c>webhook_configs</c>, so a team keeps its Alertmanager rules, routing, grouping and
/// silences and gets the Brain's incidents, summaries and channels: every firing alert of a notification opens (or
/// keeps open) a <c>prometheus_alert</c> anomaly, every resolved one resolves it. Alertmanager sends the agent key
/// with <c>http_config: authorization: credentials: &lt;key&gt;</c>. It treats a 4xx as final and retries a 5xx, so
/// a malformed body is always a 4xx problem naming the field.
/// </summary>
public static class AlertmanagerWebhookApi
{
    public sealed record WebhookServices(
        HttpContext Context, ClaimsPrincipal User, IGrainFactory Grains, IOptions<DetectionOptions> Options, TimeProvider Clock, ILoggerFactory Logs);

    public static IEndpointRouteBuilder MapAlertmanagerWebhookApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/alertmanager").RequireAuthorization();
        api.MapPost("/webhook", ReceiveAsync)
            .WithSummary("Alertmanager webhook receiver (payload version 4): firing alerts open prometheus_alert anomalies, resolved ones resolve them.");
        return app;
    }

    public static async Task<Results<Ok, ValidationProblem, ProblemHttpResult>> ReceiveAsync([AsParameters] WebhookServices services, CancellationToken ct)
    {
        var request = services.Context.Request;
        if (!request.HasJsonContentType())
            return TypedResults.Problem("The body must be application/json, as Alertmanager's webhook sends it.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        AlertmanagerNotification? notification;
        try
        {
            notification = await request.ReadFromJsonAsync<AlertmanagerNotification>(ct);
        }
        catch (JsonException e)
        {
            // The path says where it broke: "$.alerts[0].labels.severity" for a label value that is not a string.
            var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            return Invalid(new() { [field] = [$"The body is not an Alertmanager webhook notification: {e.Message}"] });
        }
        catch (InvalidOperationException e)
        {
            // What ReadFromJsonAsync throws for a JSON content type whose charset names no known encoding.
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        catch (BadHttpRequestException e)
        {
            return TypedResults.Problem(e.Message, statusCode: e.StatusCode);
        }

        if (Validate(notification) is { Count: > 0 } errors)
            return Invalid(errors);
        if (notification!.TruncatedAlerts > 0)
        {
            services.Logs.CreateLogger(typeof(AlertmanagerWebhookApi).FullName!).LogWarning(
                "Alertmanager left {Truncated} alerts of group {GroupKey} out of its notification (the receiver's max_alerts); they are not tracked",
                notification.TruncatedAlerts, notification.GroupKey);
        }
        var lifetime = services.Options.Value.AlertmanagerRepeatInterval * PrometheusAlertTracker.RepeatsBeforeLeaseRunsOut;
        await services.Grains.GetGrain<IAgentDetectionGrain>(DetectionKeys.Of(services.User.Agent()))
            .TakeAlertsAsync(PrometheusAlertTracker.Notified(notification.Alerts!, services.Clock.GetUtcNow(), lifetime));
        return TypedResults.Ok();
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The Alertmanager notification is invalid; none of its alerts was taken.");

    private static Dictionary<string, string[]> Validate(AlertmanagerNotification? notification)
    {
        var errors = new Dictionary<string, string[]>();
        if (notification is null)
            errors["body"] = ["The body must be a JSON object, Alertmanager's webhook notification."];
        else if (notification.Alerts is not { } alerts)
            errors["alerts"] = ["A notification needs its 'alerts' array."];
        else if (alerts.Count > AlertValidation.MaxAlerts)
            errors["alerts"] = [$"A notification carries at most {AlertValidation.MaxAlerts} alerts; this one has {alerts.Count}."];
        else
        {
            for (var i = 0; i < alerts.Count && errors.Count < AlertValidation.MaxErrors; i++)
            {
                if (alerts[i] is not { } alert)
                {
                    errors[$"alerts[{i}]"] = ["An alert must be an object with status and labels."];
                    continue;
                }
                if (alert.Status is not (AlertStatuses.Firing or AlertStatuses.Resolved))
                    errors[$"alerts[{i}].status"] = [$"The status must be '{AlertStatuses.Firing}' or '{AlertStatuses.Resolved}'."];
                if (AlertValidation.LabelsProblem(alert.Labels) is { } problem)
                    errors[$"alerts[{i}].labels"] = [problem];
            }
        }
        return errors;
    }
}
