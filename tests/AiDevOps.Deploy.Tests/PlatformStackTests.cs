using System.Text.Json;
using System.Text.Json.Nodes;
using AiDevOps.Deploy.AppModel;
using AiDevOps.Deploy.Cloud;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace AiDevOps.Deploy.Tests;

/// <summary>The platform stack made from the AppHost's real manifest, checked on its synthesised template.</summary>
[Collection(DeploymentTests.Name)]
public sealed class PlatformStackTests(DeploymentFixture fixture)
{
    private static readonly string[] PublicAccessBlocks = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"];

    private const string Certificate = "arn:aws:acm:eu-west-1:123456789012:certificate/0d6b5f6c-1111-2222-3333-444455556666";

    private (Template Template, JsonObject Json) Synth(AppManifest? manifest = null, PlatformSettings? settings = null)
    {
        var stack = DeploymentFixture.Platform(manifest ?? fixture.Manifest, settings);
        var template = Template.FromStack(stack);
        return (template, JsonNode.Parse(JsonSerializer.Serialize(template.ToJSON()))!.AsObject());
    }

    private static IEnumerable<(string Id, JsonObject Properties)> Resources(JsonObject template, string type) =>
        template["Resources"]!.AsObject()
            .Where(r => (string?)r.Value!["Type"] == type)
            .Select(r => (r.Key, r.Value!["Properties"]?.AsObject() ?? []));

    [Fact]
    public void Tables_are_the_storage_codes_tables_on_demand_recoverable_expiring_and_protected()
    {
        var (template, json) = Synth();
        template.ResourceCountIs("AWS::DynamoDB::Table", 2);
        foreach (var name in new[] { "aidevops-data", "aidevops-alert-configs" })
        {
            template.HasResource("AWS::DynamoDB::Table", new Dictionary<string, object>
            {
                ["DeletionPolicy"] = "Retain",
                ["Properties"] = Match.ObjectLike(new Dictionary<string, object>
                {
                    ["TableName"] = name,
                    ["BillingMode"] = "PAY_PER_REQUEST",
                    ["PointInTimeRecoverySpecification"] = new Dictionary<string, object> { ["PointInTimeRecoveryEnabled"] = true },
                    ["TimeToLiveSpecification"] = new Dictionary<string, object> { ["AttributeName"] = "ttl", ["Enabled"] = true },
                    ["DeletionProtectionEnabled"] = true,
                    ["KeySchema"] = new object[]
                    {
                        new Dictionary<string, object> { ["AttributeName"] = "pk", ["KeyType"] = "HASH" },
                        new Dictionary<string, object> { ["AttributeName"] = "sk", ["KeyType"] = "RANGE" },
                    },
                }),
            });
        }
        Assert.Equal(2, Resources(json, "AWS::DynamoDB::Table").Count());
    }

    [Fact]
    public void Buckets_are_encrypted_private_and_tls_only_and_the_model_bucket_is_versioned()
    {
        var (template, json) = Synth();
        var buckets = Resources(json, "AWS::S3::Bucket").ToList();
        Assert.Equal(2, buckets.Count); // models and access logs
        foreach (var (_, bucket) in buckets)
        {
            Assert.NotNull(bucket["BucketEncryption"]);
            var block = bucket["PublicAccessBlockConfiguration"]!.AsObject();
            Assert.All(PublicAccessBlocks, k => Assert.True((bool)block[k]!));
        }
        template.HasResourceProperties("AWS::S3::Bucket", Match.ObjectLike(new Dictionary<string, object>
        {
            ["VersioningConfiguration"] = new Dictionary<string, object> { ["Status"] = "Enabled" },
            ["LoggingConfiguration"] = Match.ObjectLike(new Dictionary<string, object> { ["LogFilePrefix"] = "models/" }),
        }));
        foreach (var (_, policy) in Resources(json, "AWS::S3::BucketPolicy"))
            Assert.Contains("\"aws:SecureTransport\":\"false\"", policy.ToJsonString());
        Assert.Equal(2, Resources(json, "AWS::S3::BucketPolicy").Count());
    }

    [Fact]
    public void The_secrets_key_rotates()
    {
        var (template, _) = Synth();
        template.HasResourceProperties("AWS::KMS::Key", Match.ObjectLike(new Dictionary<string, object> { ["EnableKeyRotation"] = true }));
    }

    [Fact]
    public void No_policy_grants_a_wildcard_action_and_wildcard_resources_are_only_what_has_no_resource_level_permission()
    {
        var (_, json) = Synth();
        var allowedOnAnyResource = new HashSet<string>
        {
            "ecr:GetAuthorizationToken", "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
        };
        var statements = Resources(json, "AWS::IAM::Policy").SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray()).ToList();
        Assert.NotEmpty(statements);
        foreach (var statement in statements)
        {
            var actions = Strings(statement!["Action"]);
            Assert.DoesNotContain(actions, a => a.EndsWith('*'));
            if (Strings(statement["Resource"]).Contains("*"))
                Assert.All(actions, a => Assert.Contains(a, allowedOnAnyResource));
        }
    }

    [Fact]
    public void The_brain_may_use_exactly_its_tables_model_object_and_key_and_insights_none_of_them()
    {
        var (_, json) = Synth();
        var policies = Resources(json, "AWS::IAM::Policy").ToDictionary(p => p.Id, p => p.Properties.ToJsonString());
        var brain = policies.Single(p => p.Key.StartsWith("brainTaskTaskRoleDefaultPolicy", StringComparison.Ordinal)).Value;
        // Insights reads none of the cloud resources: its role has the collector's policy only.
        var insights = string.Concat(policies.Where(p => p.Key.StartsWith("insights", StringComparison.Ordinal) && !p.Key.Contains("ExecutionRole", StringComparison.Ordinal)).Select(p => p.Value));
        Assert.Contains("xray:PutTraceSegments", insights);
        foreach (var action in DataTables.Actions.Append("s3:GetObject").Append("s3:PutObject").Append("kms:Decrypt").Append("kms:GenerateDataKey"))
        {
            Assert.Contains(action, brain);
            Assert.DoesNotContain(action, insights);
        }
        Assert.Contains("dynamodb:DescribeTable", brain);
        Assert.DoesNotContain("dynamodb:CreateTable", brain);
        Assert.Contains("/" + ModelBucket.ModelPrefix + "*\"", brain);
        // The table statement names the two tables and nothing else (no index wildcards).
        var tableStatement = JsonNode.Parse(brain)!["PolicyDocument"]!["Statement"]!.AsArray()
            .Single(s => Strings(s!["Action"]).Contains("dynamodb:Query"))!;
        Assert.Equal(2, tableStatement["Resource"]!.AsArray().Count);
        Assert.DoesNotContain("/index/", tableStatement.ToJsonString());
    }

    [Fact]
    public void The_model_objects_granted_are_the_ones_the_brain_writes()
    {
        Assert.StartsWith(ModelBucket.ModelPrefix, AiDevOps.Brain.Detection.ModelFile.PathOf("acme/edge"), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_setting_the_apphost_gives_a_service_reaches_its_task_and_secrets_only_as_secrets()
    {
        var (_, json) = Synth();
        var containers = Resources(json, "AWS::ECS::TaskDefinition")
            .SelectMany(t => t.Properties["ContainerDefinitions"]!.AsArray().Select(c => c!.AsObject()))
            .Where(c => !IsCollector(c))
            .ToDictionary(c => (string)c["Name"]!);
        var secretParameters = fixture.Manifest.Parameters.Values.Where(p => p.Secret).Select(p => p.Name).ToHashSet();
        Assert.NotEmpty(fixture.Manifest.Services);
        foreach (var service in fixture.Manifest.Services)
        {
            var container = containers[service.Name];
            var environment = (container["Environment"]?.AsArray() ?? []).ToDictionary(e => (string)e!["Name"]!, e => e!["Value"]!.ToJsonString());
            var secrets = (container["Secrets"]?.AsArray() ?? []).ToDictionary(e => (string)e!["Name"]!, e => e!["ValueFrom"]!.ToJsonString());
            foreach (var (name, value) in service.Environment)
            {
                if (ValueExpression.Parse(value) is [ReferencePart { Property: "value" } reference] && secretParameters.Contains(reference.Resource))
                {
                    Assert.True(secrets.ContainsKey(name), $"{service.Name}: secret setting {name} is not an ECS secret");
                    Assert.False(environment.ContainsKey(name), $"{service.Name}: secret setting {name} is a plain environment variable");
                    Assert.Contains("Secret", secrets[name]);
                }
                else if (!value.Contains("bindings.https.", StringComparison.Ordinal))
                {
                    Assert.True(environment.ContainsKey(name), $"{service.Name}: setting {name} did not reach the task");
                    if (!value.Contains('{', StringComparison.Ordinal))
                        Assert.Equal(JsonSerializer.Serialize(value), environment[name]);
                }
            }
        }
        Assert.Equal("\"aidevops\"", containers["brain"]["Environment"]!.AsArray().Single(e => (string)e!["Name"]! == "Storage__TablePrefix")!["Value"]!.ToJsonString());
        Assert.Contains("aidevops-brain:1.2.3", containers["brain"]["Image"]!.ToJsonString());
    }

    [Fact]
    public void A_setting_added_in_the_manifest_reaches_the_task_definition()
    {
        var manifest = JsonNode.Parse(fixture.ManifestJson)!;
        manifest["resources"]!["brain"]!["env"]!["Detection__Sensitivity"] = "high";
        manifest["resources"]!["insights"]!["env"]!["Insights__Greeting"] = "{telegram-api-url.value}/x";
        var (template, _) = Synth(AppManifest.Parse(manifest.ToJsonString()));
        template.HasResourceProperties("AWS::ECS::TaskDefinition", Match.ObjectLike(new Dictionary<string, object>
        {
            ["ContainerDefinitions"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
            {
                ["Name"] = "brain",
                ["Environment"] = Match.ArrayWith([new Dictionary<string, object> { ["Name"] = "Detection__Sensitivity", ["Value"] = "high" }]),
            })]),
        }));
        template.HasParameter("TelegramApiUrl", new Dictionary<string, object> { ["Default"] = "https://api.telegram.org" });
    }

    [Fact]
    public void Https_with_a_certificate_redirects_http_and_never_serves_metrics_for_the_brain_and_the_web_UI_each_on_its_ports()
    {
        var (template, json) = Synth(settings: new PlatformSettings { CertificateArn = Certificate });
        foreach (var (https, http) in new[] { (8443, 8080) })
        {
            template.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Match.ObjectLike(new Dictionary<string, object> { ["Port"] = https, ["Protocol"] = "HTTPS" }));
            template.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Match.ObjectLike(new Dictionary<string, object>
            {
                ["Port"] = http,
                ["DefaultActions"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object> { ["Type"] = "redirect" })]),
            }));
        }
        template.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Port"] = 443,
            ["Protocol"] = "HTTPS",
            ["Certificates"] = new object[] { new Dictionary<string, object> { ["CertificateArn"] = Certificate } },
        }));
        template.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Port"] = 80,
            ["DefaultActions"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object> { ["Type"] = "redirect" })]),
        }));
        var rules = Resources(json, "AWS::ElasticLoadBalancingV2::ListenerRule").Select(r => r.Properties.ToJsonString()).ToList();
        Assert.Equal(2, rules.Count);
        Assert.All(rules, rule => Assert.Contains("/metrics", rule));
        Assert.All(rules, rule => Assert.Contains("\"StatusCode\":\"404\"", rule));
        template.HasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", Match.ObjectLike(new Dictionary<string, object>
        {
            ["HealthCheckPath"] = "/health",
            ["Port"] = 8080,
        }));
        template.HasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Scheme"] = "internet-facing",
            ["LoadBalancerAttributes"] = Match.ArrayWith([new Dictionary<string, object> { ["Key"] = "access_logs.s3.enabled", ["Value"] = "true" }]),
        }));
    }

    [Fact]
    public void Only_the_load_balancer_and_the_web_UI_reach_the_brain_and_only_the_brain_reaches_insights()
    {
        var (_, json) = Synth();
        var all = Resources(json, "AWS::EC2::SecurityGroupIngress").Select(i => i.Properties).ToList();
        // Besides the services' port, only the Brain's cluster: Brain to Brain and Brain to its store (BrainClusterTests).
        Assert.Equal(6, all.Count);
        Assert.Equal(2, all.Count(i => (int)i["FromPort"]! is BrainCluster.SiloPort or BrainCluster.StorePort));
        var ingress = all.Where(i => (int)i["FromPort"]! == 8080).ToList();
        Assert.Equal(4, ingress.Count);
        Assert.Contains(ingress, i => i["SourceSecurityGroupId"]!.ToJsonString().Contains("LoadBalancer", StringComparison.Ordinal)
            && i["GroupId"]!.ToJsonString().Contains("web", StringComparison.Ordinal));
        Assert.Contains(ingress, i => i["SourceSecurityGroupId"]!.ToJsonString().Contains("web", StringComparison.Ordinal)
            && i["GroupId"]!.ToJsonString().Contains("brain", StringComparison.Ordinal));
        Assert.All(ingress, i => Assert.Equal(8080, (int)i["ToPort"]!));
        Assert.All(all, i => Assert.Null(i["CidrIp"]));
        Assert.Contains(ingress, i => i["SourceSecurityGroupId"]!.ToJsonString().Contains("LoadBalancer", StringComparison.Ordinal)
            && i["GroupId"]!.ToJsonString().Contains("brain", StringComparison.Ordinal));
        Assert.Contains(ingress, i => i["SourceSecurityGroupId"]!.ToJsonString().Contains("brain", StringComparison.Ordinal)
            && i["GroupId"]!.ToJsonString().Contains("insights", StringComparison.Ordinal));
    }

    [Fact]
    public void Services_scale_on_cpu_and_the_public_ones_on_requests_the_web_UI_as_one_task()
    {
        var (template, json) = Synth();
        var targets = Resources(json, "AWS::ApplicationAutoScaling::ScalableTarget").Select(t => t.Properties).ToList();
        Assert.Contains(targets, t => (int)t["MinCapacity"]! == 1 && (int)t["MaxCapacity"]! == 1);
        Assert.Contains(targets, t => (int)t["MaxCapacity"]! > 1);
        var metrics = Resources(json, "AWS::ApplicationAutoScaling::ScalingPolicy")
            .Select(p => (string)p.Properties["TargetTrackingScalingPolicyConfiguration"]!["PredefinedMetricSpecification"]!["PredefinedMetricType"]!).ToList();
        Assert.Equal(3, metrics.Count(m => m == "ECSServiceAverageCPUUtilization"));
        Assert.Equal(2, metrics.Count(m => m == "ALBRequestCountPerTarget"));
        template.HasResourceProperties("AWS::ECS::Cluster", Match.ObjectLike(new Dictionary<string, object>
        {
            ["ClusterSettings"] = new object[] { new Dictionary<string, object> { ["Name"] = "containerInsights", ["Value"] = "enabled" } },
        }));
    }

    [Fact]
    public void Every_task_ships_traces_through_a_collector_and_every_log_group_expires()
    {
        var (_, json) = Synth();
        foreach (var (_, task) in Resources(json, "AWS::ECS::TaskDefinition"))
        {
            var containers = task["ContainerDefinitions"]!.AsArray().Select(c => c!.AsObject()).ToList();
            Assert.Single(containers, IsCollector);
            var service = containers.Single(c => !IsCollector(c));
            Assert.Contains("\"OTEL_EXPORTER_OTLP_ENDPOINT\"", service["Environment"]!.ToJsonString());
            Assert.All(containers, c => Assert.Equal("awslogs", (string)c["LogConfiguration"]!["LogDriver"]!));
        }
        var logGroups = Resources(json, "AWS::Logs::LogGroup").ToList();
        Assert.True(logGroups.Count >= 4);
        Assert.All(logGroups, g => Assert.Equal(30, (int)g.Properties["RetentionInDays"]!));
    }

    [Fact]
    public void The_network_has_public_and_private_subnets_one_nat_and_flow_logs()
    {
        var (template, json) = Synth();
        template.ResourceCountIs("AWS::EC2::NatGateway", 1);
        template.ResourceCountIs("AWS::EC2::FlowLog", 1);
        var subnets = Resources(json, "AWS::EC2::Subnet").Select(s => s.Properties).ToList();
        Assert.Equal(2, subnets.Count(s => (bool?)s["MapPublicIpOnLaunch"] == true));
        Assert.Equal(2, subnets.Count(s => (bool?)s["MapPublicIpOnLaunch"] == false));
        foreach (var (_, service) in Resources(json, "AWS::ECS::Service"))
            Assert.Equal("DISABLED", (string)service["NetworkConfiguration"]!["AwsvpcConfiguration"]!["AssignPublicIp"]!);
    }

    private static bool IsCollector(JsonObject container) =>
        container["Image"]!.ToJsonString() == JsonSerializer.Serialize(Services.ServiceDeployment.CollectorImage);

    private static List<string> Strings(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.Select(a => a is JsonValue v && v.TryGetValue<string>(out var s) ? s : a!.ToJsonString()).ToList(),
        JsonValue value when value.TryGetValue<string>(out var s) => [s],
        _ => [node.ToJsonString()],
    };
}
