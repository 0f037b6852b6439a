using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tenancy;

/// <summary>
/// Authenticates agents by bearer API key; the principal carries the agent id and its tenant. A read-only token
/// (<see cref="ReadOnlyTokens"/>) authenticates GET requests of its tenant only.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyAuthenticator authenticator,
    ReadOnlyTokens readers,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string TenantClaim = "tenant";

    /// <summary>Where a newcomer finds the key: the AppHost keeps the local agent's key in its user secrets.</summary>
    public const string KeyHint =
        "Send an agent key as 'Authorization: Bearer <key>'. The key of a local run (dotnet run --project AiDevOps.AppHost) is shown by "
        + "'dotnet user-secrets list --id aidevops-apphost' as Parameters:agent-api-key; elsewhere each agent's key is configured "
        + "with its SHA-256 in Ingest:Agents.";

    private const string InvalidKey = "The API key is not valid.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return Task.FromResult(AuthenticateResult.NoResult());
        var agent = authenticator.Authenticate(header);
        if (agent is null && header.StartsWith("Bearer ro_", StringComparison.Ordinal) && readers.Authenticate(header["Bearer ".Length..].Trim()) is { } reader)
        {
            if (!HttpMethods.IsGet(Request.Method) && !HttpMethods.IsHead(Request.Method))
                return Task.FromResult(AuthenticateResult.Fail("A read-only token reads; it cannot change anything."));
            agent = reader;
        }
        if (agent is null)
            return Task.FromResult(AuthenticateResult.Fail(InvalidKey));

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, agent.AgentId), new Claim(TenantClaim, agent.Tenant)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>A 401 says what is missing and where the key is, as problem details.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var presented = !string.IsNullOrEmpty(Request.Headers.Authorization);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = presented ? InvalidKey : "An agent key is required.",
                Detail = KeyHint,
            },
        });
    }
}

public static class AgentPrincipal
{
    public static AgentIdentity Agent(this ClaimsPrincipal user) =>
        new(user.FindFirstValue(ClaimTypes.NameIdentifier)!, user.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim)!);
}
