using System.Security.Claims;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Storage.Query;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

/// <summary>
/// Incidents of the caller's tenant: what is open, what happened (members, timeline), what was sent to whom with what
/// outcome; and what people do to one: acknowledge it, silence it, resolve it.
/// </summary>
public static class IncidentsApi
{
    private const int MaxLimit = 1000;
    private const int MaxByLength = 128;
    private static readonly TimeSpan MaxSilence = TimeSpan.FromDays(90);

    public static IEndpointRouteBuilder MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/incidents").RequireAuthorization();
        api.MapGet("/", ListAsync).WithSummary("Incidents, newest first; state = open (open or acknowledged), resolved or all.");
        api.MapGet("/{id}", GetAsync).WithSummary("One incident with its members, timeline and the notifications sent for it.");
        api.MapPost("/{id}/acknowledge", AcknowledgeAsync).WithSummary("Takes an open incident: repeats stop, its messages say who.");
        api.MapPost("/{id}/resolve", ResolveAsync).WithSummary("Closes an open incident by hand ({\"by\":…}): one resolved message; a new anomaly of its group opens it again.");
        api.MapPost("/{id}/silence", SilenceAsync).WithSummary("Silences an open incident's group (e.g. {\"duration\":\"1h\"}): a silence on its labels.");
        return app;
    }

    public sealed record IncidentDetail(Incident Incident, IReadOnlyList<NotificationsApi.NotificationView> Notifications);

    public sealed record AcknowledgeRequest(string? By);

    public sealed record SilenceRequest(string? Duration, string? By);

    public static async Task<Results<Ok<IReadOnlyList<Incident>>, ValidationProblem>> ListAsync(
        ClaimsPrincipal user, IncidentStore store, CancellationToken ct, string state = "open", int limit = 100)
    {
        bool? open = state switch
        {
            "open" => true,
            "resolved" => false,
            _ => null,
        };
        if (open is null && state != "all")
            return Problems.Invalid("state", "state must be open, resolved or all.");
        if (limit is < 1 or > MaxLimit)
            return Problems.Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        return TypedResults.Ok(await store.ListAsync(user.Agent().Tenant, open, limit, ct));
    }

    public static async Task<Results<Ok<IncidentDetail>, NotFound>> GetAsync(
        string id, ClaimsPrincipal user, IncidentStore store, NotificationOutbox outbox, CancellationToken ct)
    {
        var tenant = user.Agent().Tenant;
        if (await store.GetAsync(tenant, id, ct) is not { } incident)
            return TypedResults.NotFound();
        var sent = (await outbox.ListAsync(tenant, null, ct)).Where(e => e.Incident.Id == id).Select(NotificationsApi.NotificationView.Of).ToList();
        return TypedResults.Ok(new IncidentDetail(incident, sent));
    }

    public static Task<Results<Ok<Incident>, NotFound, ValidationProblem>> AcknowledgeAsync(
        string id, AcknowledgeRequest request, ClaimsPrincipal user, IncidentActions pipeline, CancellationToken ct) =>
        ActAsync(request.By, by => pipeline.AcknowledgeAsync(user.Agent().Tenant, id, by, ct));

    public static Task<Results<Ok<Incident>, NotFound, ValidationProblem>> ResolveAsync(
        string id, AcknowledgeRequest request, ClaimsPrincipal user, IncidentActions pipeline, CancellationToken ct) =>
        ActAsync(request.By, by => pipeline.ResolveAsync(user.Agent().Tenant, id, by, ct));

    /// <summary>Someone (<paramref name="by"/>) acts on an incident: the incident as it is now, or 404 when it is not open.</summary>
    private static async Task<Results<Ok<Incident>, NotFound, ValidationProblem>> ActAsync(string? by, Func<string, Task<Incident?>> act)
    {
        if (ByProblem(by) is { } problem)
            return problem;
        return await act(by!.Trim()) is { } incident ? TypedResults.Ok(incident) : TypedResults.NotFound();
    }

    public static async Task<Results<Ok<Silence>, NotFound, ValidationProblem>> SilenceAsync(
        string id, SilenceRequest request, ClaimsPrincipal user, IncidentActions pipeline, CancellationToken ct)
    {
        if (ByProblem(request.By) is { } problem)
            return problem;
        TimeSpan duration;
        try
        {
            duration = PromQlParser.ParseDuration(request.Duration ?? "");
        }
        catch (FormatException)
        {
            return Problems.Invalid("duration", $"duration must be a Prometheus duration such as 1h or 30m, up to {MaxSilence.TotalDays:0}d.");
        }
        if (duration > MaxSilence)
            return Problems.Invalid("duration", $"duration must be at most {MaxSilence.TotalDays:0}d.");
        return await pipeline.SilenceAsync(user.Agent().Tenant, id, duration, request.By!.Trim(), ct) is { } silenced
            ? TypedResults.Ok(silenced.Silence)
            : TypedResults.NotFound();
    }

    private static ValidationProblem? ByProblem(string? by) =>
        string.IsNullOrWhiteSpace(by) || by.Length > MaxByLength
            ? Problems.Invalid("by", $"by must name who acts (1 to {MaxByLength} characters).")
            : null;
}
