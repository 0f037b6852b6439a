using AiDevOps.Storage;
using System.Security.Claims;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

/// <summary>The outbox of the caller's tenant: what was sent to whom, what is still trying, and what was refused for good.</summary>
public static class NotificationsApi
{
    private const int MaxLimit = 10_000;

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/notifications").RequireAuthorization()
            .MapGet("/", ListAsync)
            .WithSummary("Notifications, newest first; state = pending, delivered, superseded, dead_lettered or all. Dead letters are what a channel refused for good.");
        return app;
    }

    public sealed record NotificationView(
        string Id, string ReceiverId, string Kind, string State, int Attempts, string? LastError, string IncidentId, string Title,
        DateTimeOffset QueuedAt)
    {
        public static NotificationView Of(OutboxEntry e) => new(
            e.Id, e.ReceiverId, e.Kind.ToString().ToLowerInvariant(), StateName(e.State), e.Attempts, e.LastError, e.Incident.Id, e.Incident.Title,
            DateTimeOffset.FromUnixTimeMilliseconds(DataKeys.ParseTime(e.Id)));
    }

    public static async Task<Results<Ok<List<NotificationView>>, ValidationProblem>> ListAsync(
        ClaimsPrincipal user, NotificationOutbox outbox, CancellationToken ct, string state = "all", int limit = 100)
    {
        OutboxState? wanted = state switch
        {
            "pending" => OutboxState.Pending,
            "delivered" => OutboxState.Delivered,
            "dead_lettered" => OutboxState.DeadLettered,
            "superseded" => OutboxState.Superseded,
            _ => null,
        };
        if (wanted is null && state != "all")
            return Problems.Invalid("state", "state must be pending, delivered, superseded, dead_lettered or all.");
        if (limit is < 1 or > MaxLimit)
            return Problems.Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        var entries = await outbox.ListAsync(user.Agent().Tenant, wanted, ct);
        return TypedResults.Ok(entries.AsEnumerable().Reverse().Take(limit).Select(NotificationView.Of).ToList());
    }

    private static string StateName(OutboxState state) => state switch
    {
        OutboxState.Pending => "pending",
        OutboxState.Delivered => "delivered",
        OutboxState.Superseded => "superseded",
        _ => "dead_lettered",
    };
}
