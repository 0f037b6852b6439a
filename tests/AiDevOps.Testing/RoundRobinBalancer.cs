using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace AiDevOps.Testing;

/// <summary>
/// The load balancer in front of the Brains, as a team runs one: YARP sending each request to the next Brain in turn,
/// with no health checks, so a dead Brain's share of requests fails (502) and the agent retries them.
/// </summary>
public sealed class RoundRobinBalancer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RoundRobinBalancer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<RoundRobinBalancer> StartAsync(IReadOnlyList<Uri> backends)
    {
        var port = ServiceProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "brains", Match = new RouteMatch { Path = "{**path}" } }],
            [new ClusterConfig
            {
                ClusterId = "brains",
                LoadBalancingPolicy = "RoundRobin",
                Destinations = backends.Select((b, i) => (i, b)).ToDictionary(d => $"brain-{d.i}", d => new DestinationConfig { Address = d.b.ToString() }),
            }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        return new RoundRobinBalancer(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
