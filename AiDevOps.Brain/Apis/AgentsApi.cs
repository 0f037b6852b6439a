using System.Security.Claims;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

/// <summary>The tenant's agents: how each delivers, and the goodbye an agent says when it is stopped on purpose.</summary>
public static class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/agents").RequireAuthorization();
        api.MapGet("/", ListAsync).WithSummary("Agents of the tenant: when each last delivered, its usual pace, and when it last said goodbye.");
        api.MapGet("/me", Me).WithSummary("Who the calling key is: its agent (or reader) id and its tenant. What the Web UI checks a key with at sign-in.");
        api.MapPost("/goodbye", GoodbyeAsync)
            .WithSummary("The calling agent is shutting down on purpose: its silence is not an outage (no agent_silent) until it delivers again.");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<AgentStatus>>> ListAsync(ClaimsPrincipal user, AgentRegistry agents, CancellationToken ct) =>
        TypedResults.Ok(await agents.ListAsync(user.Agent().Tenant, ct));

    public sealed record IdentityView(string Id, string Tenant);

    public static Ok<IdentityView> Me(ClaimsPrincipal user) => TypedResults.Ok(new IdentityView(user.Agent().AgentId, user.Agent().Tenant));

    public static async Task<NoContent> GoodbyeAsync(ClaimsPrincipal user, IngestService ingest, CancellationToken ct)
    {
        await ingest.DepartAsync(user.Agent(), ct);
        return TypedResults.NoContent();
    }
}
