using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Placement;
using StackExchange.Redis;

namespace AiDevOps.Brain.Cluster;

/// <summary>
/// Every Brain is an Orleans silo; the grains hold the state that must live in one place (an agent's detection, a
/// tenant's alerting). One Brain alone (the default) is a cluster of one on a loopback port of its own choosing.
/// Several Brains share a clustering store, configured the way Aspire's Orleans integration sets it:
/// <c>Orleans:Clustering:ProviderType=Redis</c>, <c>Orleans:Clustering:ServiceKey=&lt;name&gt;</c> and
/// <c>ConnectionStrings:&lt;name&gt;</c> (ElastiCache/Valkey on AWS), <c>Orleans:ClusterId</c>, <c>Orleans:ServiceId</c>,
/// and each silo's <c>Orleans:Endpoints:SiloPort</c>/<c>GatewayPort</c> (and <c>AdvertisedIPAddress</c> in a container).
/// </summary>
public static class ClusterExtensions
{
    public static void AddCluster(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var clustered = !string.IsNullOrEmpty(configuration["Orleans:Clustering:ProviderType"]);
        // The Redis provider takes its connection as a keyed service, named by Orleans:Clustering:ServiceKey.
        if (configuration["Orleans:Clustering:ServiceKey"] is { Length: > 0 } redis)
        {
            var connectionString = configuration.GetConnectionString(redis);
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new OptionsValidationException($"ConnectionStrings:{redis}", typeof(string),
                    [$"Orleans:Clustering:ServiceKey '{redis}' needs ConnectionStrings:{redis}, the clustering store's connection string."]);
            builder.Services.AddKeyedSingleton<IConnectionMultiplexer>(redis, (_, _) => ConnectionMultiplexer.Connect(connectionString));
        }
        builder.UseOrleans(silo =>
        {
            // Alone, no gateway: nothing but the Brain itself calls its grains.
            if (!clustered)
                silo.UseLocalhostClustering(siloPort: FreeLoopbackPort(), gatewayPort: 0, serviceId: "aidevops-brain", clusterId: "aidevops-" + Guid.NewGuid().ToString("N")[..8]);
            // Several Brains on one machine (the AppHost's replicas) each take a free silo port unless one is set.
            else if (string.IsNullOrEmpty(configuration["Orleans:Endpoints:SiloPort"]))
                silo.Configure<EndpointOptions>(endpoints => endpoints.SiloPort = FreeLoopbackPort());
            // A dead Brain is declared dead in seconds, not Orleans's default of about a minute: its agents' detection
            // must resume on a survivor within ~10 s. Two missed probes of 2 s each, so a Brain busy for a moment
            // on 2 cores is not declared dead.
            silo.Configure<ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = TimeSpan.FromSeconds(2);
                membership.NumMissedProbesLimit = 2;
                membership.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                membership.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
            });
            silo.Services.AddPlacementDirector<SpreadPlacement, SpreadPlacementDirector>();
            // A call to a grain on a Brain that died fails within this instead of 30 s; ingest answers 503 and the agent retries.
            silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
