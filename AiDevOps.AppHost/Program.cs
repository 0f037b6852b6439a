var builder = DistributedApplication.CreateBuilder(args);

var interval = builder.Configuration.CollectInterval();
var agentKey = builder.AddParameter("agent-api-key", new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);
var metricsKey = builder.AddParameter("metrics-key", new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);
var insightsKey = builder.AddParameter("insights-key", new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);

var insights = builder.AddProject<Projects.AiDevOps_Insights>("insights")
    .WithPlainHttp()
    .WithModel(builder)
    .WithKeyHash("Insights__ApiKeySha256", insightsKey)
    .WithHttpHealthCheck("/health");

var brain = builder.AddProject<Projects.AiDevOps_Brain>("brain")
    .WithPlainHttp()
    .WithExternalHttpEndpoints()
    .WithStorage(tablePrefix: "aidevops")
    .WithReference(insights)
    .WithEnvironment("Alerting__InsightsApiKey", insightsKey)
    .WithAgentKeyHash(PlatformExtensions.LocalAgentId, agentKey)
    .WithKeyHash("Management__MetricsKeySha256", metricsKey)
    .WithTelegram(builder)
    .WithModelStore()
    .WithSecretsKey()
    .WithHttpHealthCheck("/health")
    .WithReplicasFromConfiguration()
    .LogUrlAndKeyWhenReady(agentKey);
// Insights' tools read this Brain back, with a read-only token of the incident's tenant.
brain.WithEnvironment("Alerting__BrainUrl", brain.GetEndpoint("http"));

// The product's own UI: people sign in with a key the Brain accepts, and it reads and acts through the Brain's API.
builder.AddProject<Projects.AiDevOps_Web>("web")
    .WithPlainHttp()
    .WithExternalHttpEndpoints()
    .WithReference(brain).WaitFor(brain)
    .WithHttpHealthCheck("/health")
    .LogWebUrlWhenReady();

// The Agent runs beside the user's Prometheus, not in the cloud: it is part of a local run only.
if (builder.ExecutionContext.IsRunMode)
{
    var prometheus = builder.AddPrometheusStack(interval);
    builder.AddProject<Projects.AiDevOps_Agent>("agent")
        .WithPlainHttp()
        .WithReference(brain).WaitFor(brain)
        .WithEnvironment("Agent__Id", PlatformExtensions.LocalAgentId)
        .WithEnvironment("Agent__ApiKey", agentKey)
        .WithEnvironment("Agent__Interval", interval.ToString())
        .WithEnvironment("Agent__Delivery__QueuePath", builder.Configuration.LocalPath("AiDevOps:Agent:QueuePath", builder.AppHostDirectory))
        .WithSources(prometheus, metricsKey, brain, insights)
        .WithHttpHealthCheck("/health");
}

builder.StopInDependencyOrderOnShutdown();

builder.Build().Run();
