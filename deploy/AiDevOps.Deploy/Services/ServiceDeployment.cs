using AiDevOps.Deploy.AppModel;
using Amazon.CDK;
using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Constructs;

namespace AiDevOps.Deploy.Services;

/// <summary>How many tasks a service may run, and each task's size; a service of one task (Max 1) is replaced stop-first.</summary>
public sealed record ServiceScale(int Min, int Max, int Cpu, int MemoryMiB);

/// <summary>
/// One service of the app on Fargate: its image from ECR (<c>aidevops-&lt;name&gt;</c>), its resolved settings, its logs
/// in CloudWatch, an OpenTelemetry collector beside it (ADOT: traces to X-Ray, metrics to CloudWatch), a name in the
/// private DNS namespace, and scaling on CPU (and on requests when it is behind the load balancer).
/// </summary>
public sealed class ServiceDeployment : Construct
{
    /// <summary>The AWS Distro for OpenTelemetry collector, with its bundled config for OTLP to X-Ray and CloudWatch EMF.</summary>
    public const string CollectorImage = "public.ecr.aws/aws-observability/aws-otel-collector:v0.41.1";
    public const string CollectorConfig = "--config=/etc/ecs/ecs-cloudwatch-xray.yaml";

    public ServiceDeployment(Construct scope, ServiceModel service, ResolvedSettings settings, ServiceScale scale,
        ICluster cluster, string imageTag, RetentionDays logRetention, ILogGroup metricsLogGroup)
        : base(scope, service.Name)
    {
        Name = service.Name;
        var logs = new LogGroup(this, "Logs", new LogGroupProps
        {
            LogGroupName = $"/aidevops/{Stack.Of(this).StackName}/{service.Name}",
            Retention = logRetention,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        TaskDefinition = new FargateTaskDefinition(this, "Task", new FargateTaskDefinitionProps
        {
            Cpu = scale.Cpu,
            MemoryLimitMiB = scale.MemoryMiB,
            RuntimePlatform = new RuntimePlatform { CpuArchitecture = CpuArchitecture.X86_64, OperatingSystemFamily = OperatingSystemFamily.LINUX },
        });

        var environment = new Dictionary<string, string>(settings.Environment)
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://localhost:4317",
            ["OTEL_SERVICE_NAME"] = service.Name,
        };
        var repository = Repository.FromRepositoryName(this, "Repository", "aidevops-" + service.Name);
        Container = TaskDefinition.AddContainer(service.Name, new ContainerDefinitionOptions
        {
            Image = ContainerImage.FromEcrRepository(repository, imageTag),
            Environment = environment,
            Secrets = settings.Secrets,
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = logs, StreamPrefix = service.Name }),
            PortMappings = [new PortMapping { ContainerPort = SettingResolver.ContainerPort, Name = "http" }],
            Essential = true,
        });
        var collector = TaskDefinition.AddContainer("otel-collector", new ContainerDefinitionOptions
        {
            Image = ContainerImage.FromRegistry(CollectorImage),
            Command = [CollectorConfig],
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = logs, StreamPrefix = "otel-collector" }),
            Essential = false,
            MemoryReservationMiB = 64,
        });
        Container.AddContainerDependencies(new ContainerDependency { Container = collector, Condition = ContainerDependencyCondition.START });
        // The collector's rights, in a policy of their own: its justified wildcards must not cover what the service is granted.
        var telemetry = new Policy(this, "TelemetryPolicy", new PolicyProps
        {
            Roles = [TaskDefinition.TaskRole],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
                    Resources = ["*"],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    Resources = [metricsLogGroup.LogGroupArn],
                }),
            ],
        });
        Nag.Suppress(telemetry, "IAM5",
            "X-Ray's trace and sampling actions support no resource-level permissions; the collector creates its log streams in the one metrics log group.",
            "Resource::*", $"Resource::<{Nag.LogicalIdOf(metricsLogGroup)}.Arn>");
        foreach (var resource in settings.Uses)
            resource.GrantTo(TaskDefinition.TaskRole);

        Service = new FargateService(this, "Service", new FargateServiceProps
        {
            Cluster = cluster,
            TaskDefinition = TaskDefinition,
            DesiredCount = scale.Min,
            AssignPublicIp = false,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            CloudMapOptions = new CloudMapOptions { Name = service.Name, ContainerPort = SettingResolver.ContainerPort },
            CircuitBreaker = new DeploymentCircuitBreaker { Rollback = true },
            // A service that must run as one task (the Web UI, see PlatformSettings.Scale): the old task stops before the new one starts.
            MinHealthyPercent = scale.Max == 1 ? 0 : 100,
            MaxHealthyPercent = scale.Max == 1 ? 100 : 200,
        });
        Scaling = Service.AutoScaleTaskCount(new EnableScalingProps { MinCapacity = scale.Min, MaxCapacity = scale.Max });
        Scaling.ScaleOnCpuUtilization("Cpu", new CpuUtilizationScalingProps { TargetUtilizationPercent = 60 });

        Nag.Suppress(TaskDefinition, "ECS2",
            "Only plain settings are environment variables; every secret parameter is an ECS secret from Secrets Manager (asserted by the deployment tests).");
        var executionPolicy = TaskDefinition.ExecutionRole?.Node.TryFindChild("DefaultPolicy") ?? throw new InvalidOperationException("The execution role has no policy.");
        Nag.Suppress(executionPolicy, "IAM5", "ecr:GetAuthorizationToken has no resource-level permissions; image pulls are granted on the service's repository.",
            "Resource::*");
    }

    public string Name { get; }

    public FargateTaskDefinition TaskDefinition { get; }

    /// <summary>The service's own container (beside it runs the collector).</summary>
    public ContainerDefinition Container { get; }

    public FargateService Service { get; }

    public ScalableTaskCount Scaling { get; }

    /// <summary>Behind the public load balancer: its health check is /health, and it scales on requests too.</summary>
    public void ServeBehind(ApplicationListener listener, int requestsPerTarget)
    {
        var targets = listener.AddTargets(Name, new AddApplicationTargetsProps
        {
            Port = SettingResolver.ContainerPort,
            Protocol = ApplicationProtocol.HTTP,
            Targets = [Service.LoadBalancerTarget(new LoadBalancerTargetOptions { ContainerName = Name, ContainerPort = SettingResolver.ContainerPort })],
            HealthCheck = new Amazon.CDK.AWS.ElasticLoadBalancingV2.HealthCheck
            {
                Path = "/health",
                Interval = Duration.Seconds(15),
                HealthyThresholdCount = 2,
                UnhealthyThresholdCount = 3,
            },
            DeregistrationDelay = Duration.Seconds(30),
        });
        Scaling.ScaleOnRequestCount("Requests", new RequestCountScalingProps { RequestsPerTarget = requestsPerTarget, TargetGroup = targets });
    }
}
