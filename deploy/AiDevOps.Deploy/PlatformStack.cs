using AiDevOps.Deploy.AppModel;
using AiDevOps.Deploy.Cloud;
using AiDevOps.Deploy.Services;
using Amazon.CDK;
using Amazon.CDK.AWS.CertificateManager;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace AiDevOps.Deploy;

/// <summary>What a deployment is given besides the app's model.</summary>
public sealed record PlatformSettings
{
    /// <summary>The image tag of every service (a release, e.g. 1.4.0, as the Images workflow pushes it).</summary>
    public string ImageTag { get; init; } = "latest";

    /// <summary>An ACM certificate for the load balancer; with one it serves HTTPS and redirects HTTP.</summary>
    public string? CertificateArn { get; init; }

    public RetentionDays LogRetention { get; init; } = RetentionDays.ONE_MONTH;

    /// <summary>
    /// Tasks per service. Detection and alerting state live in Orleans grains (<see cref="BrainCluster"/>), so any
    /// number of Brains share the work and, when one dies, its grains move to the others within seconds; two at
    /// least, so that losing or replacing one never stops ingest. The Web UI keeps its sign-in keys per task;
    /// Insights is stateless.
    /// </summary>
    public IReadOnlyDictionary<string, ServiceScale> Scale { get; init; } = new Dictionary<string, ServiceScale>
    {
        ["brain"] = new(Min: 2, Max: 6, Cpu: 1024, MemoryMiB: 2048),
        // A sign-in cookie is sealed with the task's own data-protection keys: another task could not read it.
        ["web"] = new(Min: 1, Max: 1, Cpu: 256, MemoryMiB: 512),
    };

    public ServiceScale DefaultScale { get; init; } = new(Min: 1, Max: 4, Cpu: 512, MemoryMiB: 1024);

    /// <summary>
    /// Where the load balancer serves each external service: its HTTPS port (with a certificate) and its HTTP port
    /// (without one, or redirected). Agents keep the standard ports for the Brain; the Web UI has its own.
    /// </summary>
    public IReadOnlyDictionary<string, PublicPorts> PublicPorts { get; init; } = new Dictionary<string, PublicPorts>
    {
        ["brain"] = new(Https: 443, Http: 80),
        ["web"] = new(Https: 8443, Http: 8080),
    };

    public int RequestsPerTarget { get; init; } = 1000;
}

/// <summary>The load balancer's ports for one service.</summary>
public sealed record PublicPorts(int Https, int Http);

/// <summary>
/// The app on AWS, made from the AppHost's manifest: a VPC (public and private subnets, one NAT gateway, flow logs),
/// the cloud resources the services use (tables, bucket, key), an ECS cluster with a private DNS namespace, each
/// service on Fargate, the Brains as one Orleans cluster on a Valkey store (<see cref="BrainCluster"/>), and the
/// services the AppHost marks external behind an internet-facing load balancer.
/// </summary>
public sealed class PlatformStack : Stack
{
    public const string DnsNamespace = "aidevops.internal";

    public PlatformStack(Construct scope, string id, AppManifest manifest, PlatformSettings settings, IStackProps? props = null)
        : base(scope, id, props)
    {
        if (manifest.Services.Count == 0)
            throw new ManifestException("The manifest has no services to deploy.");

        var vpc = new Vpc(this, "Network", new VpcProps
        {
            IpAddresses = IpAddresses.Cidr("10.40.0.0/16"),
            MaxAzs = 2,
            NatGateways = 1,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = "public", SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
                new SubnetConfiguration { Name = "private", SubnetType = SubnetType.PRIVATE_WITH_EGRESS, CidrMask = 22 },
            ],
        });
        vpc.AddFlowLog("FlowLog", new FlowLogOptions
        {
            Destination = FlowLogDestination.ToCloudWatchLogs(new LogGroup(this, "FlowLogs", new LogGroupProps
            {
                Retention = settings.LogRetention,
                RemovalPolicy = RemovalPolicy.DESTROY,
            })),
        });

        AccessLogs = new Bucket(this, "AccessLogs", new BucketProps
        {
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            // Load balancer access logs support S3-managed keys only.
            Encryption = BucketEncryption.S3_MANAGED,
            EnforceSSL = true,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_PREFERRED,
            LifecycleRules = [new LifecycleRule { Expiration = Duration.Days(90) }],
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        Nag.Suppress(AccessLogs, "S1", "This is the access log bucket itself; logging it to itself would loop.");

        Cloud = manifest.CloudResources.Values.ToDictionary(r => r.Name, r => CloudResources.Create(this, r, AccessLogs), StringComparer.Ordinal);

        var cluster = new Cluster(this, "Cluster", new ClusterProps
        {
            Vpc = vpc,
            ContainerInsights = true,
            DefaultCloudMapNamespace = new CloudMapNamespaceOptions { Name = DnsNamespace, Vpc = vpc },
        });
        // Where the collectors put metrics (the ADOT config's EMF log group).
        var metricsLogs = new LogGroup(this, "ApplicationMetrics", new LogGroupProps
        {
            LogGroupName = "/aws/ecs/application/metrics",
            Retention = settings.LogRetention,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });

        var resolver = new SettingResolver(this, manifest, Cloud, DnsNamespace);
        var deployments = new List<(ServiceDeployment Deployment, ResolvedSettings Settings)>();
        foreach (var service in manifest.Services)
        {
            var resolved = resolver.Resolve(service);
            var scale = settings.Scale.GetValueOrDefault(service.Name, settings.DefaultScale);
            deployments.Add((new ServiceDeployment(this, service, resolved, scale, cluster, settings.ImageTag, settings.LogRetention, metricsLogs), resolved));
        }
        Services = deployments.Select(d => d.Deployment).ToList();
        // What the README's commands need: where to force a new deployment after a secret changes.
        new CfnOutput(this, "ClusterName", new CfnOutputProps { Value = cluster.ClusterName });
        foreach (var deployment in Services)
            new CfnOutput(this, "Service-" + deployment.Name, new CfnOutputProps { Value = deployment.Service.ServiceName, Description = $"The ECS service of {deployment.Name}." });
        Secrets = resolver.Secrets.ToDictionary(s => s.Key, s => s.Value.SecretName);

        // A service lets in only the services that call it.
        foreach (var (caller, resolved) in deployments)
        {
            foreach (var callee in resolved.Calls)
                Services.Single(s => s.Name == callee).Service.Connections.AllowFrom(caller.Service, Port.Tcp(SettingResolver.ContainerPort), $"{caller.Name} calls {callee}");
        }

        if (Services.SingleOrDefault(s => s.Name == BrainCluster.Service) is { } brain)
            Brains = new BrainCluster(this, "BrainCluster", vpc, brain);

        var external = deployments.Where(d => manifest.Services.Single(s => s.Name == d.Deployment.Name).IsExternal).Select(d => d.Deployment).ToList();
        if (external.Count > 0)
            LoadBalancer = ServePublicly(vpc, external, settings);
    }

    public IBucket AccessLogs { get; }

    public IReadOnlyDictionary<string, ICloudResource> Cloud { get; }

    public IReadOnlyList<ServiceDeployment> Services { get; }

    /// <summary>The Brains' Orleans cluster; none when the app has no Brain.</summary>
    public BrainCluster? Brains { get; }

    /// <summary>The Secrets Manager secret names, by the AppHost's parameter names.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; }

    public ApplicationLoadBalancer? LoadBalancer { get; }

    /// <summary>One internet-facing load balancer; each external service on its own ports (<see cref="PlatformSettings.PublicPorts"/>).</summary>
    private ApplicationLoadBalancer ServePublicly(Vpc vpc, List<ServiceDeployment> services, PlatformSettings settings)
    {
        var unplaced = services.Where(s => !settings.PublicPorts.ContainsKey(s.Name)).Select(s => s.Name).ToList();
        if (unplaced.Count > 0)
            throw new ManifestException($"{string.Join(", ", unplaced)} is external, but PlatformSettings.PublicPorts gives it no port on the load balancer.");
        var alb = new ApplicationLoadBalancer(this, "LoadBalancer", new ApplicationLoadBalancerProps
        {
            Vpc = vpc,
            InternetFacing = true,
            DropInvalidHeaderFields = true,
        });
        alb.LogAccessLogs(AccessLogs, "load-balancer");
        Nag.Suppress(alb.Connections.SecurityGroups[0], "EC23",
            "The load balancer serves agents and users on the internet; the services behind it admit only the load balancer.");

        foreach (var service in services)
        {
            var ports = settings.PublicPorts[service.Name];
            var secure = settings.CertificateArn is { Length: > 0 };
            // The first service keeps the construct ids a one-service stack had, so an existing deployment updates in place.
            var suffix = service == services[0] ? "" : "-" + service.Name;
            ApplicationListener listener;
            if (secure)
            {
                listener = alb.AddListener("Https" + suffix, new BaseApplicationListenerProps
                {
                    Port = ports.Https,
                    Protocol = ApplicationProtocol.HTTPS,
                    Certificates = [ListenerCertificate.FromArn(settings.CertificateArn!)],
                    SslPolicy = SslPolicy.RECOMMENDED_TLS,
                });
                alb.AddRedirect(new ApplicationLoadBalancerRedirectConfig { SourcePort = ports.Http, TargetPort = ports.Https });
            }
            else
            {
                listener = alb.AddListener("Http" + suffix, new BaseApplicationListenerProps { Port = ports.Http, Protocol = ApplicationProtocol.HTTP });
            }
            service.ServeBehind(listener, settings.RequestsPerTarget);
            // /metrics names every agent: it is read inside the task (the collector), never through the load balancer.
            listener.AddAction("NoMetrics", new AddApplicationActionProps
            {
                Priority = 1,
                Conditions = [ListenerCondition.PathPatterns(["/metrics", "/metrics/*"])],
                Action = ListenerAction.FixedResponse(404, new FixedResponseOptions { ContentType = "text/plain", MessageBody = "Not Found" }),
            });
            var port = secure ? (ports.Https == 443 ? "" : $":{ports.Https}") : (ports.Http == 80 ? "" : $":{ports.Http}");
            new CfnOutput(this, "Url" + suffix, new CfnOutputProps
            {
                Value = (secure ? "https://" : "http://") + alb.LoadBalancerDnsName + port,
                Description = $"Where the {service.Name} is reached from the internet.",
            });
        }
        return alb;
    }
}
