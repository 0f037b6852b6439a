using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace AiDevOps.Brain.Tests;

/// <summary>A Brain whose /metrics has a key.</summary>
public sealed class MetricsKeyBrainFactory : BrainFactory
{
    public const string MetricsKey = "metrics-scrape-key";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Management:MetricsKeySha256", ApiKeyHash.HexOf(MetricsKey));
    }
}

/// <summary>The Brain's metrics name every agent: they are served only with their own key.</summary>
public sealed class MetricsEndpointTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    [Fact]
    public async Task Without_a_key_configured_the_metrics_are_not_served_and_the_answer_says_what_to_set()
    {
        using var anonymous = brain.ClientWithKey(null);
        using var response = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Management:MetricsKeySha256", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // An agent's key is for data, not for the Brain's own metrics.
        using var agent = brain.ClientWithKey(BrainFactory.AcmeKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/alive")).StatusCode);
    }
}

public sealed class KeyedMetricsEndpointTests(MetricsKeyBrainFactory brain) : IClassFixture<MetricsKeyBrainFactory>
{
    [Fact]
    public async Task With_a_key_configured_only_that_key_reads_the_metrics()
    {
        using var scraper = brain.ClientWithKey(MetricsKeyBrainFactory.MetricsKey);
        using var ok = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("# TYPE", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var wrong = brain.ClientWithKey("not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/metrics")).StatusCode);
    }
}
