using System.Security.Claims;
using AiDevOps.Web.Brain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AiDevOps.Web.Account;

/// <summary>
/// Who is signed in: a person's name and a key the Brain accepts. The key stays on the server side, inside the
/// encrypted, http-only sign-in cookie; the browser never reads it, and every Brain call is made with it, so the
/// Brain's tenant boundary is the UI's.
/// </summary>
public static class SignIn
{
    public const string KeyClaim = "aidevops:brain-key";
    public const string TenantClaim = "aidevops:tenant";
    public const string KeyNameClaim = "aidevops:key-name";
    public const string Path = "/signin";

    public static ClaimsPrincipal Principal(string name, string key, Identity identity) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, name),
            new Claim(KeyClaim, key),
            new Claim(TenantClaim, identity.Tenant),
            new Claim(KeyNameClaim, identity.Id),
        ],
        CookieAuthenticationDefaults.AuthenticationScheme));

    public static string Tenant(this ClaimsPrincipal user) => user.FindFirst(TenantClaim)?.Value ?? "";

    /// <summary>A local return URL, so signing in never sends anyone to another site.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect(Path);
        }).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute());
        return app;
    }
}
