using AiDevOps.Deploy.Services;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ElastiCache;
using Constructs;

namespace AiDevOps.Deploy.Cloud;

/// <summary>
/// The Brains as one Orleans cluster. Detection and alerting state live in grains, so any number of Brains share the
/// work, and when one dies the others take its grains over within seconds. The silos keep their membership table in
/// an ElastiCache Serverless (Valkey) cache in the private subnets (a serverless cache always encrypts at rest and
/// speaks TLS only), which admits the Brain alone; the Brains admit each other on the silo port. The Brain's task is
/// configured the way Aspire's Orleans integration configures a silo (AiDevOps.Brain's ClusterExtensions reads it).
/// </summary>
public sealed class BrainCluster : Construct
{
    /// <summary>The service that runs as the cluster's silos.</summary>
    public const string Service = "brain";

    public const int SiloPort = 11111;

    public const int StorePort = 6379;

    /// <summary>A serverless cache's reader endpoint, which the Redis client may learn from the cache and use.</summary>
    public const int StoreReaderPort = 6380;

    public const string ClusterId = "aidevops";

    public const string ServiceId = "aidevops-brain";

    /// <summary>Aspire's name for the clustering store: the Brain reads ConnectionStrings:orleans-redis.</summary>
    public const string StoreKey = "orleans-redis";

    public BrainCluster(Construct scope, string id, IVpc vpc, ServiceDeployment brain)
        : base(scope, id)
    {
        var brainGroup = brain.Service.Connections.SecurityGroups[0];
        StoreSecurityGroup = new SecurityGroup(this, "StoreSecurityGroup", new SecurityGroupProps
        {
            Vpc = vpc,
            Description = "The Brain cluster membership store: Valkey, reached by the Brain only",
            // The cache answers; it opens no connection of its own.
            AllowAllOutbound = false,
        });
        StoreSecurityGroup.AddIngressRule(brainGroup, Port.TcpRange(StorePort, StoreReaderPort), "brain keeps its cluster membership");
        brainGroup.AddIngressRule(brainGroup, Port.Tcp(SiloPort), "brain silos call each other");

        var cacheName = Stack.Of(this).StackName.ToLowerInvariant() + "-brain-cluster";
        if (cacheName.Length > 40)
            throw new ArgumentException($"The stack name makes the cache name '{cacheName}', longer than ElastiCache's 40 characters.");
        Store = new CfnServerlessCache(this, "Store", new CfnServerlessCacheProps
        {
            ServerlessCacheName = cacheName,
            Description = "Orleans cluster membership of the AiDevOps Brains",
            Engine = "valkey",
            MajorEngineVersion = "8",
            SubnetIds = vpc.SelectSubnets(new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS }).SubnetIds,
            SecurityGroupIds = [StoreSecurityGroup.SecurityGroupId],
            // The membership table is a few kilobytes; the cap bounds the bill should anything else ever write there.
            CacheUsageLimits = new CfnServerlessCache.CacheUsageLimitsProperty
            {
                DataStorage = new CfnServerlessCache.DataStorageProperty { Maximum = 1, Unit = "GB" },
            },
        });

        // StackExchange.Redis's form; the serverless endpoint takes TLS only.
        ConnectionString = $"{Store.AttrEndpointAddress}:{Store.AttrEndpointPort},ssl=true,abortConnect=false";
        brain.Container.AddPortMappings(new PortMapping { ContainerPort = SiloPort, Name = "silo" });
        // No AdvertisedIPAddress: on Fargate the silo advertises the task's own private address.
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["Orleans__Clustering__ProviderType"] = "Redis",
            ["Orleans__Clustering__ServiceKey"] = StoreKey,
            ["ConnectionStrings__" + StoreKey] = ConnectionString,
            ["Orleans__ClusterId"] = ClusterId,
            ["Orleans__ServiceId"] = ServiceId,
            ["Orleans__Endpoints__SiloPort"] = SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Nothing outside the Brain calls its grains.
            ["Orleans__Endpoints__GatewayPort"] = "0",
        })
        {
            brain.Container.AddEnvironment(name, value);
        }
    }

    public CfnServerlessCache Store { get; }

    public SecurityGroup StoreSecurityGroup { get; }

    /// <summary>The store's connection string as the Brain gets it (CloudFormation references to its endpoint).</summary>
    public string ConnectionString { get; }
}
