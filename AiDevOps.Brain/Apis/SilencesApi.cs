using System.Security.Claims;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Storage.Query;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

/// <summary>Silences and maintenance windows of the caller's tenant: label matchers, a start and an end, who and why.</summary>
public static class SilencesApi
{
    private static readonly TimeSpan MaxLength = TimeSpan.FromDays(90);
    private const int MaxTextLength = 1024;

    public static IEndpointRouteBuilder MapSilencesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/silences").RequireAuthorization();
        api.MapGet("/", ListAsync).WithSummary("Silences, soonest ending first; state = active, pending, expired or all.");
        api.MapPost("/", CreateAsync).WithSummary("Adds a silence (starting now) or a maintenance window (starting later).");
        api.MapDelete("/{id}", ExpireAsync).WithSummary("Ends a silence now; it stays listed as expired for a week.");
        return app;
    }

    /// <summary>A silence as clients send it: <see cref="EndsAt"/> or <see cref="Duration"/> (e.g. 1h, 24h), not both.</summary>
    public sealed record SilenceRequest(string? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Duration, string? CreatedBy, string? Comment);

    public sealed record SilenceView(string Id, string Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string CreatedBy, string Comment, string State);

    public static async Task<Results<Ok<List<SilenceView>>, ValidationProblem>> ListAsync(
        ClaimsPrincipal user, SilenceStore store, TimeProvider clock, CancellationToken ct, string state = "all")
    {
        if (state is not ("active" or "pending" or "expired" or "all"))
            return Problems.Invalid("state", "state must be active, pending, expired or all.");
        var now = clock.GetUtcNow();
        var views = (await store.ListAsync(user.Agent().Tenant, ct)).Select(s => View(s, now)).Where(v => state == "all" || v.State == state);
        return TypedResults.Ok(views.OrderBy(v => v.EndsAt).ToList());
    }

    public static async Task<Results<Created<SilenceView>, ValidationProblem>> CreateAsync(
        SilenceRequest request, ClaimsPrincipal user, SilenceStore store, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (Validate(request, now, out var startsAt, out var endsAt) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors, title: "The silence is invalid; nothing was stored.");
        var silence = new Silence(Guid.NewGuid().ToString("N")[..12], request.Matchers!, startsAt, endsAt, request.CreatedBy!.Trim(), request.Comment!.Trim());
        await store.PutAsync(user.Agent().Tenant, silence, ct);
        return TypedResults.Created($"/api/silences/{silence.Id}", View(silence, now));
    }

    public static async Task<Results<Ok<SilenceView>, NotFound>> ExpireAsync(
        string id, ClaimsPrincipal user, SilenceStore store, TimeProvider clock, CancellationToken ct)
    {
        var tenant = user.Agent().Tenant;
        var now = clock.GetUtcNow();
        if ((await store.ListAsync(tenant, ct)).FirstOrDefault(s => s.Id == id) is not { } silence)
            return TypedResults.NotFound();
        var ended = silence with { EndsAt = silence.EndsAt < now ? silence.EndsAt : now, StartsAt = silence.StartsAt < now ? silence.StartsAt : now };
        await store.PutAsync(tenant, ended, ct);
        return TypedResults.Ok(View(ended, now));
    }

    private static SilenceView View(Silence s, DateTimeOffset now) => new(s.Id, s.Matchers, s.StartsAt, s.EndsAt, s.CreatedBy, s.Comment,
        s.IsActiveAt(now) ? "active" : s.StartsAt > now ? "pending" : "expired");

    /// <summary>Every problem at once, by field.</summary>
    private static Dictionary<string, string[]> Validate(SilenceRequest request, DateTimeOffset now, out DateTimeOffset startsAt, out DateTimeOffset endsAt)
    {
        var errors = new Dictionary<string, string[]>();
        try
        {
            PromQlParser.ParseSelector(request.Matchers ?? "");
        }
        catch (FormatException e)
        {
            errors["matchers"] = [$"matchers must be a Prometheus label selector such as {{instance=\"db-1\"}}: {e.Message}"];
        }
        startsAt = request.StartsAt ?? now;
        endsAt = startsAt;
        if (request.EndsAt is not null && request.Duration is not null)
            errors["endsAt"] = ["Give endsAt or duration, not both."];
        else if (request.EndsAt is { } until)
            endsAt = until;
        else if (request.Duration is { } duration)
        {
            try
            {
                endsAt = startsAt + PromQlParser.ParseDuration(duration);
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentOutOfRangeException)
            {
                errors["duration"] = [$"'{duration}' is not a duration such as 30m, 1h or 24h."];
            }
        }
        else
            errors["endsAt"] = ["Give endsAt (RFC 3339) or duration (e.g. 1h)."];
        if (!errors.ContainsKey("endsAt") && !errors.ContainsKey("duration"))
        {
            if (endsAt <= startsAt || endsAt <= now)
                errors["endsAt"] = ["The silence must end after it starts, and in the future."];
            else if (endsAt - startsAt > MaxLength)
                errors["endsAt"] = [$"A silence lasts at most {MaxLength.TotalDays:0} days."];
        }
        if (string.IsNullOrWhiteSpace(request.CreatedBy) || request.CreatedBy.Length > MaxTextLength)
            errors["createdBy"] = [$"createdBy names who silences, at most {MaxTextLength} characters."];
        if (string.IsNullOrWhiteSpace(request.Comment) || request.Comment.Length > MaxTextLength)
            errors["comment"] = [$"comment says why, at most {MaxTextLength} characters."];
        return errors;
    }
}
