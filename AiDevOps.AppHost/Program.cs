var builder = DistributedApplication.CreateBuilder(args);

var interval = builder.Configuration.CollectInterval();
var dynamodb = builder.AddDynamoDbLocal("dynamodb");
var prometheus = builder.AddPrometheusStack(interval);
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
    .WithReference(dynamodb).WaitFor(dynamodb)
    .WithReference(insights)
    .WithEnvironment("Alerting__InsightsApiKey", insightsKey)
    .WithAgentKeyHash(PlatformExtensions.LocalAgentId, agentKey)
    .WithKeyHash("Management__MetricsKeySha256", metricsKey)
    .WithTelegram(builder)
    .WithEnvironment("Detection__ModelPath", builder.Configuration.LocalPath("AiDevOps:Brain:ModelPath", builder.AppHostDirectory))
    // Receiver secrets are sealed with this local key (on AWS: a KMS key, Secrets:KmsKeyId).
    .WithEnvironment("Secrets__LocalKeyPath", builder.Configuration.LocalPath("AiDevOps:Brain:SecretsKeyPath", builder.AppHostDirectory))
    .WithHttpHealthCheck("/health")
    .LogUrlAndKeyWhenReady(agentKey);
// Insights' tools read this Brain back, with a read-only token of the incident's tenant.
brain.WithEnvironment("Alerting__BrainUrl", brain.GetEndpoint("http"));

builder.AddProject<Projects.AiDevOps_Agent>("agent")
    .WithPlainHttp()
    .WithReference(brain).WaitFor(brain)
    .WithEnvironment("Agent__Id", PlatformExtensions.LocalAgentId)
    .WithEnvironment("Agent__ApiKey", agentKey)
    .WithEnvironment("Agent__Interval", interval.ToString())
    .WithEnvironment("Agent__Delivery__QueuePath", builder.Configuration.LocalPath("AiDevOps:Agent:QueuePath", builder.AppHostDirectory))
    .WithSources(prometheus, metricsKey, brain, insights)
    .WithHttpHealthCheck("/health");

builder.StopInDependencyOrderOnShutdown();

builder.Build().Run();
