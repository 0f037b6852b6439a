using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every AiDevOps service shares: OpenTelemetry (OTLP when configured, Prometheus scrape endpoint always),
/// health checks, service discovery and standard HTTP resilience.
/// </summary>
public static class Extensions
{
    /// <summary>Every area's ActivitySource and Meter is named under this prefix, so one wildcard registers them all.</summary>
    public const string TelemetryPrefix = "AiDevOps.";

    private const string HealthPath = "/health";
    private const string AlivePath = "/alive";
    private const string MetricsPath = "/metrics";

    /// <summary>The IHttpClientFactory names the OTLP exporter creates its clients under (traces, metrics, logs).</summary>
    private static readonly string[] OtlpExporterClients = ["OtlpTraceExporter", "OtlpMetricExporter", "OtlpLogExporter"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        // Request URLs can carry secrets (a Telegram bot token is part of the path), so the per-request
        // HttpClient log lines stay off; traces carry a redacted URL instead (see SecretRedaction).
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryPrefix + "*")
                .AddCardinalityLimit(builder.Configuration)
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetryPrefix + "*")
                .AddAspNetCoreInstrumentation(options => options.Filter = context =>
                    !IsInfrastructurePath(context.Request.Path))
                .AddHttpClientInstrumentation(options =>
                    options.EnrichWithHttpRequestMessage = (activity, request) =>
                    {
                        if (request.RequestUri is not null)
                            activity.SetTag("url.full", SecretRedaction.RedactUrl(request));
                    }));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
            // The exporter's clients come from IHttpClientFactory and so got the standard resilience handler of
            // ConfigureHttpClientDefaults. At shutdown the container disposes that handler's pipeline before the
            // exporter's last flush, which then fails; with Aspire's OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory it
            // was retried until the exporter's 5 s shutdown window ran out, so every service took 5 s longer to stop
            // and lost its last telemetry anyway. The exporter retries by itself.
            foreach (var exporter in OtlpExporterClients)
                builder.Services.AddHttpClient(exporter).WithoutResilienceHandlers();
        }

        return builder;
    }

    /// <summary>Bounds every metric's series (<c>OpenTelemetry:MetricCardinalityLimit</c>, 1–2,000; default OpenTelemetry's 2,000).</summary>
    public const string CardinalityLimitSetting = "OpenTelemetry:MetricCardinalityLimit";

    // OpenTelemetry allocates a metric's storage for its whole limit up front (≈ 7 MB over the ASP.NET Core, HTTP
    // client and runtime instruments at 2,000): a small process with few series, the Agent, sets a lower one.
    private static MeterProviderBuilder AddCardinalityLimit(this MeterProviderBuilder metrics, IConfiguration configuration)
    {
        if (configuration[CardinalityLimitSetting] is not { Length: > 0 } text)
            return metrics;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > 2000)
            throw new OptionsValidationException(CardinalityLimitSetting, typeof(int), [$"{CardinalityLimitSetting} '{text}' must be a whole number from 1 to 2000."]);
        return metrics.AddView(_ => new MetricStreamConfiguration { CardinalityLimit = limit });
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>The SHA-256 (hex) of the key /metrics asks for as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public const string MetricsKeySetting = "Management:MetricsKeySha256";

    /// <summary>
    /// /health: ready (every check), /alive: the process answers (checks tagged "live"), /metrics: Prometheus text.
    /// Mapped in every environment: the Agent container and the ECS task rely on them. Degraded means "not ready
    /// yet" (still starting), so it answers 503 like Unhealthy but is logged as a warning, not an error. With
    /// <c>Management:MetricsKeySha256</c> set, /metrics answers only its key; a service whose metrics name what
    /// others should not see (the Brain's name every agent) passes <paramref name="metricsNeedKey"/> and without a
    /// key configured serves none.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, bool metricsNeedKey = false)
    {
        if (app.Configuration[MetricsKeySetting] is not null || metricsNeedKey)
            app.RequireKey(MetricsPath, MetricsKeySetting, "The metrics need their key.",
                "Scrape with 'Authorization: Bearer <key>' (Prometheus: authorization: credentials: <key>).");

        app.MapHealthChecks(HealthPath, new HealthCheckOptions
        {
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    /// <summary>
    /// Requests under <paramref name="path"/> are answered only for <c>Authorization: Bearer &lt;key&gt;</c> whose
    /// SHA-256 (hex) is <paramref name="setting"/>; with no key configured, for nobody (closed by default, and the
    /// 401 says which setting opens it). Checked before the body is read, so an unauthenticated caller learns nothing
    /// about what it sent. A malformed hash stops the start, naming the setting.
    /// </summary>
    public static WebApplication RequireKey(this WebApplication app, PathString path, string setting, string title, string howToCall)
    {
        // An empty setting (an environment variable set to nothing) is no key, not a malformed one.
        var configured = app.Configuration[setting];
        var key = string.IsNullOrWhiteSpace(configured) ? null : configured;
        if (key is not null && !(key.Length == 64 && key.All(char.IsAsciiHexDigit)))
            throw new InvalidOperationException($"{setting} '{key}' must be the SHA-256 of the key, 64 hex digits (e.g. from 'printf %s <key> | sha256sum').");
        var expected = key is null ? null : Convert.FromHexString(key);
        app.UseWhen(context => context.Request.Path.StartsWithSegments(path), guarded => guarded.Use(async (context, next) =>
        {
            if (expected is not null && PresentsKey(context.Request.Headers.Authorization, expected))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status401Unauthorized,
                    Title = title,
                    Detail = expected is null
                        ? $"This service serves {path} only with a key: set {setting} to its SHA-256 and call with 'Authorization: Bearer <key>'."
                        : howToCall,
                },
            });
        }));
        return app;
    }

    /// <summary>
    /// Opts one client out of the standard resilience handler of <see cref="AddServiceDefaults{TBuilder}"/>, for
    /// callers that retry by themselves (a second layer of retries multiplies attempts and hides outcomes).
    /// </summary>
    public static IHttpClientBuilder WithoutResilienceHandlers(this IHttpClientBuilder client)
    {
#pragma warning disable EXTEXP0001 // Evaluation API; the only way to opt one client out of the defaults.
        return client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    private static bool PresentsKey(string? authorization, byte[] expected) =>
        authorization is { Length: > 7 } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())), expected);

    private static bool IsInfrastructurePath(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath) || path.StartsWithSegments(MetricsPath);
}
