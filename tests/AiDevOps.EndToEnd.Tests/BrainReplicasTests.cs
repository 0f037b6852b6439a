using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace AiDevOps.EndToEnd.Tests;

/// <summary>How the AppHost runs several Brains (AiDevOps:Brain:Replicas), read from its own model (nothing is started).</summary>
public sealed class BrainReplicasTests
{
    private static Task<IDistributedApplicationTestingBuilder> BuilderAsync(params string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.AiDevOps_AppHost>(
            ["--AiDevOps:DynamoDb:DataPath=", "--Parameters:agent-api-key=replicas-test-key-0123456789", .. args]);

    [Fact]
    public async Task One_Brain_by_default_needs_no_cluster_store()
    {
        var builder = await BuilderAsync();

        var brain = builder.Resources.Single(r => r.Name == "brain");
        Assert.DoesNotContain(brain.Annotations, a => a is ReplicaAnnotation { Replicas: > 1 });
        Assert.DoesNotContain(builder.Resources, r => r is LocalRedisResource);
    }

    [Fact]
    public async Task Three_Brains_form_one_cluster_on_a_local_redis()
    {
        var builder = await BuilderAsync("--AiDevOps:Brain:Replicas=3");

        var brain = builder.Resources.Single(r => r.Name == "brain");
        Assert.Equal(3, Assert.Single(brain.Annotations.OfType<ReplicaAnnotation>()).Replicas);
        var redis = Assert.IsType<LocalRedisResource>(builder.Resources.Single(r => r.Name == "brain-cluster"));
        Assert.Equal("redis-server", redis.Command);
        Assert.Contains(brain.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == redis);
    }

    [Fact]
    public async Task A_replica_count_out_of_range_names_the_setting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => BuilderAsync("--AiDevOps:Brain:Replicas=many"));
        Assert.Contains("AiDevOps:Brain:Replicas 'many' must be a whole number from 1 to 9", error.Message, StringComparison.Ordinal);
    }
}
