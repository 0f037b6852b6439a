using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.UserSecrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>How the platform's services are wired to each other and to what the user configures.</summary>
public static class PlatformExtensions
{
    public const string LocalAgentId = "local";

    /// <summary>
    /// The <c>instance</c> label of everything the local stack collects: this machine, by name, rather than the
    /// ports Aspire allocates afresh at each start, so series (their history and detector models) carry over.
    /// </summary>
    public static string LocalInstance => Environment.MachineName;

    /// <summary>
    /// The project serves plain http only, so it needs no developer certificate. Aspire gives every project a Kestrel
    /// certificate callback, and any resource with one makes it warn "No trusted development certificate" in the
    /// log and in a red banner on every dashboard page, even when no endpoint is https (as here: on a fresh
    /// machine none is trusted). Without the callback, that warning stays for when something does use TLS.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPlainHttp(this IResourceBuilder<ProjectResource> project)
    {
#pragma warning disable ASPIRECERTIFICATES001 // Evaluation API; the one way to say a resource takes no certificate.
        return project.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
    }

    /// <summary>A parameter only when the user has given it a value (user secrets, environment, appsettings).</summary>
    public static IResourceBuilder<ParameterResource>? AddOptionalParameter(
        this IDistributedApplicationBuilder builder, string name, bool secret = false) =>
        string.IsNullOrWhiteSpace(builder.Configuration[$"Parameters:{name}"]) ? null : builder.AddConfiguredParameter(name, secret);

    /// <summary>
    /// A parameter read from configuration. Published, a plain one carries the value configured here as its default,
    /// so a deployment starts from what runs locally; a secret's value is never published.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddConfiguredParameter(
        this IDistributedApplicationBuilder builder, string name, bool secret = false) =>
        builder.ExecutionContext.IsPublishMode && !secret && builder.Configuration[$"Parameters:{name}"] is { Length: > 0 } value
            ? builder.AddParameter(name, value, publishValueAsDefault: true)
            : builder.AddParameter(name, secret);

    /// <summary>
    /// The agent gets its key; the Brain gets only the key's SHA-256, computed here when the Brain starts, so the
    /// plain key never reaches the Brain's configuration.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAgentKeyHash(
        this IResourceBuilder<ProjectResource> brain, string agentId, IResourceBuilder<ParameterResource> key)
    {
        var builder = brain.ApplicationBuilder;
        // Published, the agent's id is the deployment's to choose (a parameter, "edge" unless given).
        if (builder.ExecutionContext.IsPublishMode)
            brain.WithEnvironment("Ingest__Agents__0__Id", builder.AddParameter("agent-id", "edge", publishValueAsDefault: true));
        else
            brain.WithEnvironment("Ingest__Agents__0__Id", agentId);
        return brain
            .WithEnvironment("Ingest__Agents__0__Tenant", "default")
            .WithKeyHash("Ingest__Agents__0__KeySha256", key);
    }

    /// <summary>
    /// A setting that holds a key's SHA-256, computed here when the service starts; the plain key stays here.
    /// Published, the hash is a secret of its own (<c>&lt;key&gt;-sha256</c>), set in the cloud beside the key.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithKeyHash(
        this IResourceBuilder<ProjectResource> project, string setting, IResourceBuilder<ParameterResource> key) =>
        project.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? project.WithEnvironment(setting, project.ApplicationBuilder.AddParameter(key.Resource.Name + "-sha256", secret: true))
            : project.WithEnvironment(async context =>
            {
                var value = await key.Resource.GetValueAsync(context.CancellationToken) ?? "";
                context.EnvironmentVariables[setting] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
            });

    /// <summary>
    /// Once the Brain is ready, the AppHost's log says where it listens and how to call it, beside the dashboard's
    /// URL: a new user's first question. The key shows only its first 4 characters; the log says where the rest is.
    /// </summary>
    public static IResourceBuilder<ProjectResource> LogUrlAndKeyWhenReady(
        this IResourceBuilder<ProjectResource> brain, IResourceBuilder<ParameterResource> key) =>
        brain.OnResourceReady(async (resource, e, ct) =>
        {
            var url = resource.GetEndpoint("http").Url;
            var value = await key.Resource.GetValueAsync(ct) ?? "";
            var masked = value.Length > 4 ? value[..4] + "…" : "…";
            var secret = "Parameters:" + key.Resource.Name;
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AiDevOps.AppHost");
            if (UserSecretsIdHolding(secret, value) is { } secretsId)
            {
                // By id rather than --project: dotnet run starts the AppHost in its own folder, not where the user is.
                var listSecrets = "dotnet user-secrets list --id " + secretsId;
                logger.LogInformation(
                    "Brain: {Url}, agent key {Key} (in full: `{ListSecrets}` shows it as {Secret}). Try:\n"
                    + "  KEY=$({ListSecrets} | sed -n 's/^{Secret} = //p')\n"
                    + "  curl -H \"Authorization: Bearer $KEY\" {Url}/api/anomalies",
                    url, masked, listSecrets, secret, listSecrets, secret, url);
            }
            else
            {
                logger.LogInformation(
                    "Brain: {Url}, agent key {Key} (the {Secret} you configured). Try, with KEY set to it:\n"
                    + "  curl -H \"Authorization: Bearer $KEY\" {Url}/api/anomalies",
                    url, masked, secret, url);
            }
        });

    /// <summary>Once the Web UI is ready, the AppHost's log says where to open it and what to sign in with.</summary>
    public static IResourceBuilder<ProjectResource> LogWebUrlWhenReady(this IResourceBuilder<ProjectResource> web) =>
        web.OnResourceReady((resource, e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AiDevOps.AppHost").LogInformation(
                "Web UI: {Url}; sign in with the agent key (Parameters:agent-api-key).", resource.GetEndpoint("http").Url);
            return Task.CompletedTask;
        });

    /// <summary>The AppHost's user secrets id when they hold this value under this name (a generated key is kept there).</summary>
    private static string? UserSecretsIdHolding(string name, string value)
    {
        if (typeof(PlatformExtensions).Assembly.GetCustomAttribute<UserSecretsIdAttribute>() is not { } id)
            return null;
        var secrets = new ConfigurationBuilder()
            .AddJsonFile(PathHelper.GetSecretsPathFromSecretsId(id.UserSecretsId), optional: true, reloadOnChange: false)
            .Build();
        return secrets[name] == value ? id.UserSecretsId : null;
    }

    public static IResourceBuilder<ProjectResource> WithTelegram(
        this IResourceBuilder<ProjectResource> brain, IDistributedApplicationBuilder builder)
    {
        brain.WithEnvironment("Telegram__ApiBaseUrl", builder.AddConfiguredParameter("telegram-api-url"));
        if (builder.AddOptionalParameter("telegram-chat-id") is { } chat)
            brain.WithEnvironment("Telegram__ChatIds__0", chat);
        if (builder.AddOptionalParameter("telegram-bot-token", secret: true) is { } token)
            return brain.WithEnvironment("Telegram__BotToken", token);

        if (builder.ExecutionContext.IsPublishMode)
            return brain;
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AiDevOps.AppHost").LogWarning(
                "Telegram is off: alerts are recorded in the Brain (GET /api/anomalies) but not sent. To send them, run "
                + "`dotnet user-secrets set Parameters:telegram-bot-token <token> --project AiDevOps.AppHost` and "
                + "`dotnet user-secrets set Parameters:telegram-chat-id <chat id> --project AiDevOps.AppHost`, then restart.");
            return Task.CompletedTask;
        });
        return brain;
    }

    /// <summary>An OpenAI-compatible model for Insights, when configured; otherwise Insights writes deterministic summaries.</summary>
    public static IResourceBuilder<ProjectResource> WithModel(
        this IResourceBuilder<ProjectResource> insights, IDistributedApplicationBuilder builder)
    {
        if (builder.AddOptionalParameter("llm-endpoint") is not { } endpoint)
            return insights;
        insights.WithEnvironment("Insights__Model__Endpoint", endpoint);
        if (builder.AddOptionalParameter("llm-model") is { } model)
            insights.WithEnvironment("Insights__Model__ModelId", model);
        if (builder.AddOptionalParameter("llm-api-key", secret: true) is { } key)
            insights.WithEnvironment("Insights__Model__ApiKey", key);
        return insights;
    }

    /// <summary>
    /// What the agent collects: Prometheus's query API when the stack is installed, else the platform's own
    /// services' /metrics, so a fresh machine still has live data. Either way the series are this machine's
    /// (<see cref="LocalInstance"/>); the job names the service.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSources(
        this IResourceBuilder<ProjectResource> agent,
        IResourceBuilder<ExecutableResource>? prometheus,
        IResourceBuilder<ParameterResource> metricsKey,
        params IResourceBuilder<ProjectResource>[] services)
    {
        if (prometheus is not null)
            return agent.WithEnvironment("Agent__Prometheus__Url", prometheus.GetEndpoint("http")).WaitFor(prometheus);

        // The platform's own services need no probe between scrapes (a Brain that is down hears nothing anyway), and
        // they would trace every probe of their root as a request.
        agent.WithEnvironment("Agent__Liveness__Interval", "00:00:00");
        for (var i = 0; i < services.Length; i++)
        {
            agent.WithEnvironment($"Agent__Scrape__Targets__{i}__Url", ReferenceExpression.Create($"{services[i].GetEndpoint("http")}/metrics"));
            agent.WithEnvironment($"Agent__Scrape__Targets__{i}__Job", services[i].Resource.Name);
            agent.WithEnvironment($"Agent__Scrape__Targets__{i}__Instance", LocalInstance);
            // The Brain's metrics need their key; the others ignore it.
            agent.WithEnvironment($"Agent__Scrape__Targets__{i}__BearerToken", metricsKey);
        }
        return agent;
    }

    /// <summary>A folder from the AppHost's configuration, relative to the AppHost project.</summary>
    public static string LocalPath(this IConfiguration configuration, string key, string appHostDirectory) =>
        configuration[key] is { Length: > 0 } path
            ? Path.GetFullPath(path, appHostDirectory)
            : throw new InvalidOperationException($"{key} must name a folder.");

    public static TimeSpan CollectInterval(this IConfiguration configuration) =>
        TimeSpan.TryParse(configuration["AiDevOps:CollectInterval"], System.Globalization.CultureInfo.InvariantCulture, out var interval)
            && interval >= TimeSpan.FromSeconds(1)
            ? interval
            : throw new InvalidOperationException(
                $"AiDevOps:CollectInterval '{configuration["AiDevOps:CollectInterval"]}' must be a time span of at least 00:00:01.");
}
