using System.Text.Json;
using System.Text.Json.Nodes;
using AiDevOps.Deploy.Cloud;
using Amazon.CDK.Assertions;

namespace AiDevOps.Deploy.Tests;

/// <summary>
/// The Brains as one Orleans cluster on AWS (<see cref="BrainCluster"/>), checked on the template made from the AppHost's
/// real manifest: two to six Brain tasks, a Valkey membership store only the Brain reaches, and the silo port open
/// between Brains and to nothing else.
/// </summary>
[Collection(DeploymentTests.Name)]
public sealed class BrainClusterTests(DeploymentFixture fixture)
{
    [Fact]
    public void The_membership_store_is_one_serverless_valkey_cache_in_the_private_subnets()
    {
        var json = Synth();
        // A serverless cache has no plaintext endpoint and no unencrypted storage: TLS and encryption at rest are
        // always on. A replication group or cache cluster would have to turn both on, so none may appear instead.
        Assert.Empty(Resources(json, "AWS::ElastiCache::ReplicationGroup"));
        Assert.Empty(Resources(json, "AWS::ElastiCache::CacheCluster"));
        var (_, store) = Assert.Single(Resources(json, "AWS::ElastiCache::ServerlessCache"));
        Assert.Equal("valkey", (string)store["Engine"]!);

        var subnets = Resources(json, "AWS::EC2::Subnet").ToDictionary(s => s.Id, s => s.Properties);
        var storeSubnets = store["SubnetIds"]!.AsArray().Select(s => (string)s!["Ref"]!).ToList();
        Assert.Equal(2, storeSubnets.Count);
        Assert.All(storeSubnets, s => Assert.False((bool)subnets[s]["MapPublicIpOnLaunch"]!, $"{s} is a public subnet"));
        var storeGroup = StoreGroup(json);
        Assert.Contains(Resources(json, "AWS::EC2::SecurityGroup"), g => g.Id == storeGroup);
    }

    [Fact]
    public void Only_the_brain_reaches_the_store_and_only_on_its_port()
    {
        var json = Synth();
        var storeGroup = StoreGroup(json);
        var group = Resources(json, "AWS::EC2::SecurityGroup").Single(g => g.Id == storeGroup).Properties;
        Assert.Null(group["SecurityGroupIngress"]);
        // CDK's placeholder for "no outbound rule": the cache opens no connection of its own.
        Assert.Equal("255.255.255.255/32", (string)Assert.Single(group["SecurityGroupEgress"]!.AsArray())!["CidrIp"]!);

        var ingress = Assert.Single(Resources(json, "AWS::EC2::SecurityGroupIngress").Select(i => i.Properties),
            i => GetAttId(i["GroupId"]!) == storeGroup);
        Assert.Equal(BrainGroup(json), GetAttId(ingress["SourceSecurityGroupId"]!));
        Assert.Equal("tcp", (string)ingress["IpProtocol"]!);
        Assert.Equal(BrainCluster.StorePort, (int)ingress["FromPort"]!);
        Assert.Equal(BrainCluster.StoreReaderPort, (int)ingress["ToPort"]!);
        Assert.Null(ingress["CidrIp"]);
    }

    [Fact]
    public void Brains_admit_each_other_on_the_silo_port_and_nothing_else_opens_it()
    {
        var json = Synth();
        var brainGroup = BrainGroup(json);
        var silo = Assert.Single(Resources(json, "AWS::EC2::SecurityGroupIngress").Select(i => i.Properties), i => Opens(i, BrainCluster.SiloPort));
        Assert.Equal(brainGroup, GetAttId(silo["GroupId"]!));
        Assert.Equal(brainGroup, GetAttId(silo["SourceSecurityGroupId"]!));
        Assert.Equal("tcp", (string)silo["IpProtocol"]!);
        Assert.Equal(11111, (int)silo["FromPort"]!);
        Assert.Equal(11111, (int)silo["ToPort"]!);
    }

    [Fact]
    public void The_brain_runs_two_to_six_tasks_scaling_on_cpu_and_requests_and_replaced_start_first()
    {
        var json = Synth();
        var (serviceId, service) = Resources(json, "AWS::ECS::Service").Single(s => s.Id.StartsWith("brainService", StringComparison.Ordinal));
        Assert.Equal(2, (int)service["DesiredCount"]!);
        Assert.Equal(100, (int)service["DeploymentConfiguration"]!["MinimumHealthyPercent"]!);
        Assert.Equal(200, (int)service["DeploymentConfiguration"]!["MaximumPercent"]!);

        var (targetId, target) = Resources(json, "AWS::ApplicationAutoScaling::ScalableTarget")
            .Single(t => t.Properties["ResourceId"]!.ToJsonString().Contains($"\"{serviceId}\"", StringComparison.Ordinal));
        Assert.Equal(2, (int)target["MinCapacity"]!);
        Assert.Equal(6, (int)target["MaxCapacity"]!);
        var metrics = Resources(json, "AWS::ApplicationAutoScaling::ScalingPolicy")
            .Where(p => (string?)p.Properties["ScalingTargetId"]!["Ref"] == targetId)
            .Select(p => (string)p.Properties["TargetTrackingScalingPolicyConfiguration"]!["PredefinedMetricSpecification"]!["PredefinedMetricType"]!)
            .Order();
        Assert.Equal(["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization"], metrics);
    }

    [Fact]
    public void The_brain_joins_the_cluster_through_the_store_over_tls_and_no_other_service_is_a_silo()
    {
        var json = Synth();
        var containers = Resources(json, "AWS::ECS::TaskDefinition")
            .SelectMany(t => t.Properties["ContainerDefinitions"]!.AsArray().Select(c => c!.AsObject()))
            .ToList();
        var environment = EnvironmentOf(Assert.Single(containers, c => (string?)c["Name"] == "brain"));
        var expected = new Dictionary<string, string>
        {
            ["Orleans__Clustering__ProviderType"] = "Redis",
            ["Orleans__Clustering__ServiceKey"] = "orleans-redis",
            ["Orleans__ClusterId"] = "aidevops",
            ["Orleans__ServiceId"] = "aidevops-brain",
            ["Orleans__Endpoints__SiloPort"] = "11111",
            ["Orleans__Endpoints__GatewayPort"] = "0",
        };
        foreach (var (name, value) in expected)
        {
            Assert.True(environment.ContainsKey(name), $"the brain has no {name}");
            Assert.Equal(JsonSerializer.Serialize(value), environment[name].ToJsonString());
        }
        // On Fargate the silo advertises the task's own address; a fixed one would be wrong for every task but one.
        Assert.False(environment.ContainsKey("Orleans__Endpoints__AdvertisedIPAddress"));

        // The connection string the service key names: the store's endpoint, over TLS, in StackExchange.Redis's form.
        var store = Assert.Single(Resources(json, "AWS::ElastiCache::ServerlessCache")).Id;
        var connectionString = environment["ConnectionStrings__" + (string)environment["Orleans__Clustering__ServiceKey"]!];
        var endpoint = JsonNode.Parse($$"""
            {"Fn::Join": ["", [
                {"Fn::GetAtt": ["{{store}}", "Endpoint.Address"]}, ":", {"Fn::GetAtt": ["{{store}}", "Endpoint.Port"]},
                ",ssl=true,abortConnect=false"]]}
            """);
        Assert.True(JsonNode.DeepEquals(endpoint, connectionString), connectionString.ToJsonString());

        foreach (var other in containers.Where(c => (string?)c["Name"] != "brain"))
            Assert.DoesNotContain(EnvironmentOf(other).Keys, k => k.StartsWith("Orleans__", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
    }

    private JsonObject Synth() =>
        JsonNode.Parse(JsonSerializer.Serialize(Template.FromStack(DeploymentFixture.Platform(fixture.Manifest)).ToJSON()))!.AsObject();

    private static IEnumerable<(string Id, JsonObject Properties)> Resources(JsonObject template, string type) =>
        template["Resources"]!.AsObject()
            .Where(r => (string?)r.Value!["Type"] == type)
            .Select(r => (r.Key, r.Value!["Properties"]?.AsObject() ?? []));

    /// <summary>The logical id of the Brain service's security group (the one its tasks run in).</summary>
    private static string BrainGroup(JsonObject template)
    {
        var service = Resources(template, "AWS::ECS::Service").Single(s => s.Id.StartsWith("brainService", StringComparison.Ordinal)).Properties;
        var id = GetAttId(Assert.Single(service["NetworkConfiguration"]!["AwsvpcConfiguration"]!["SecurityGroups"]!.AsArray())!);
        Assert.NotNull(id);
        return id;
    }

    /// <summary>The logical id of the store's security group.</summary>
    private static string StoreGroup(JsonObject template)
    {
        var store = Assert.Single(Resources(template, "AWS::ElastiCache::ServerlessCache")).Properties;
        var id = GetAttId(Assert.Single(store["SecurityGroupIds"]!.AsArray())!);
        Assert.NotNull(id);
        Assert.NotEqual(BrainGroup(template), id);
        return id;
    }

    /// <summary>The logical id a <c>Fn::GetAtt</c> names; null for any other value.</summary>
    private static string? GetAttId(JsonNode reference) =>
        reference is JsonObject value && value["Fn::GetAtt"] is JsonArray getAtt ? (string?)getAtt[0] : null;

    /// <summary>Whether an ingress rule admits TCP on the port (all protocols do).</summary>
    private static bool Opens(JsonObject rule, int port) =>
        (string?)rule["IpProtocol"] == "-1" || ((int?)rule["FromPort"] <= port && port <= (int?)rule["ToPort"]);

    private static Dictionary<string, JsonNode> EnvironmentOf(JsonObject container) =>
        (container["Environment"]?.AsArray() ?? []).ToDictionary(e => (string)e!["Name"]!, e => e!["Value"]!);
}
