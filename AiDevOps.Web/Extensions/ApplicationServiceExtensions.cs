using AiDevOps.Web.Account;
using AiDevOps.Web.Brain;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace AiDevOps.Web.Extensions;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebOptions>().BindConfiguration(WebOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.LoginPath = SignIn.Path;
                cookie.ReturnUrlParameter = "returnUrl";
                cookie.Cookie.Name = "aidevops-session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
                cookie.SlidingExpiration = true;
            });
        services.AddAuthorization();

        // The Brain by service discovery (Aspire's "brain" reference) unless Web:BrainUrl says where. No retries of
        // what changes state: an acknowledgement or a silence sent twice is two.
        services.AddHttpClient<BrainClient>((provider, http) =>
                http.BaseAddress = new Uri(provider.GetRequiredService<IOptions<WebOptions>>().Value.BrainUrl))
            .WithoutResilienceHandlers()
            .AddStandardResilienceHandler(resilience => resilience.Retry.DisableForUnsafeHttpMethods());
        return builder;
    }
}
