namespace Aspire.Hosting;

/// <summary>A local Redis (Debian's redis-server), in memory: where several local Brains keep their cluster's membership.</summary>
public sealed class LocalRedisResource(string name, string workingDirectory)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    public EndpointReference Endpoint => new(this, "tcp");

    /// <summary>As StackExchange.Redis takes it.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.Host)}:{Endpoint.Property(EndpointProperty.Port)}");
}

public static class BrainClusterExtensions
{
    /// <summary>
    /// Runs <c>AiDevOps:Brain:Replicas</c> Brains (default 1). One Brain is a cluster of its own, as ever; several form
    /// one Orleans cluster on a local Redis, each on a silo port of its own, and the Brain endpoint spreads requests
    /// over them. Redis comes from apt (<c>apt-get install redis-server</c>); the AppHost says so when it is missing.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReplicasFromConfiguration(this IResourceBuilder<ProjectResource> brain)
    {
        var builder = brain.ApplicationBuilder;
        var configured = builder.Configuration["AiDevOps:Brain:Replicas"];
        var replicas = string.IsNullOrEmpty(configured) ? 1 : int.TryParse(configured, out var n) && n is >= 1 and <= 9 ? n
            : throw new InvalidOperationException($"AiDevOps:Brain:Replicas '{configured}' must be a whole number from 1 to 9.");
        if (replicas == 1)
            return brain;
        if (!File.Exists("/usr/bin/redis-server") && !File.Exists("/usr/local/bin/redis-server"))
            throw new InvalidOperationException($"AiDevOps:Brain:Replicas {replicas} needs redis-server for the Brains' cluster: apt-get install redis-server.");

        var redis = builder.AddResource(new LocalRedisResource("brain-cluster", builder.AppHostDirectory))
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                var endpoint = ((LocalRedisResource)context.Resource).Endpoint;
                context.Args.Add("--port");
                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            });
        // Each replica picks a free silo port itself (the Brain does when none is configured).
        return brain
            .WithReplicas(replicas)
            .WithReference(redis).WaitFor(redis)
            .WithEnvironment("Orleans__Clustering__ProviderType", "Redis")
            .WithEnvironment("Orleans__Clustering__ServiceKey", redis.Resource.Name)
            .WithEnvironment("Orleans__ClusterId", "aidevops-local")
            .WithEnvironment("Orleans__ServiceId", "aidevops-brain")
            .WithEnvironment("Orleans__Endpoints__GatewayPort", "0")
            .WithEnvironment("Orleans__Endpoints__AdvertisedIPAddress", "127.0.0.1");
    }
}
