using Aspire.Hosting;

namespace AiDevOps.EndToEnd.Tests;

/// <summary>The order Ctrl+C stops the platform in, read from the AppHost's own model (nothing is started).</summary>
public sealed class StopOrderTests
{
    [Fact]
    public async Task The_platform_stops_dependents_first_the_agent_then_the_brain_then_what_they_use()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AiDevOps_AppHost>(
            ["--AiDevOps:DynamoDb:DataPath=", "--Parameters:agent-api-key=order-test-key-0123456789"]);
        string[] running = ["agent", "brain", "insights", "dynamodb", "prometheus", "node-exporter"];

        var order = DependencyOrderedShutdown.StopOrder(builder.Resources, resource => running.Contains(resource.Name));

        Assert.Equal(
            [["agent"], ["brain", "prometheus"], ["dynamodb", "insights", "node-exporter"]],
            order.Select(group => group.Select(resource => resource.Name).ToArray()).ToArray());
    }

    [Fact]
    public void A_reference_cycle_is_cut_and_what_is_not_running_is_passed_through()
    {
        var builder = DistributedApplication.CreateBuilder();
        var store = builder.AddExecutable("store", "true", ".");
        var cache = builder.AddExecutable("cache", "true", ".").WaitFor(store);
        var api = builder.AddExecutable("api", "true", ".").WithReferenceRelationship(cache);
        var worker = builder.AddExecutable("worker", "true", ".").WithReferenceRelationship(api);
        api.WithReferenceRelationship(worker);

        // cache is not running: store still waits for api, which used it.
        var order = DependencyOrderedShutdown.StopOrder(builder.Resources, resource => resource.Name != "cache");

        var names = order.Select(group => group.Select(resource => resource.Name).ToArray()).ToArray();
        Assert.Equal(3, names.Length);
        Assert.Equal(["store"], names[2]);
        Assert.Equal(["api", "worker"], names[0].Concat(names[1]).Order());
    }
}
