using AiDevOps.Agent.Collection;
using AiDevOps.Detection;

namespace AiDevOps.Agent.Tests;

/// <summary>
/// Free memory and free disk get exhaustion forecasts under whatever name the Agent stores them, in each topology the
/// README documents: the Brain's forecast families must match what actually arrives.
/// </summary>
public class ForecastFamilyTests
{
    /// <summary>The Agent queries Prometheus (the default local topology) and stores its default queries' results.</summary>
    [Theory]
    [InlineData("node_memory_available_ratio")]
    [InlineData("node_filesystem_available_ratio")]
    public void PromQL_polling_stores_the_ratios_and_they_are_forecast(string metric)
    {
        Assert.Contains(PrometheusSourceOptions.DefaultQueries, q => q.Name == metric);
        Assert.Equal(0, DetectionSettings.Recommended.For(metric).Exhaustion?.Limit);
    }

    /// <summary>The Agent scrapes node_exporter itself, or Prometheus remote-writes into it: node_exporter's own names.</summary>
    [Theory]
    [InlineData("node_memory_MemAvailable_bytes")]
    [InlineData("node_filesystem_avail_bytes")]
    public void Scraping_and_remote_write_store_node_exporter_gauges_and_they_are_forecast(string metric) =>
        Assert.Equal(0, DetectionSettings.Recommended.For(metric).Exhaustion?.Limit);

    [Theory]
    [InlineData("node_memory_MemTotal_bytes")]
    [InlineData("node_cpu_busy_ratio")]
    public void Totals_and_usage_are_not_resources_that_run_out(string metric) =>
        Assert.Null(DetectionSettings.Recommended.For(metric).Exhaustion);
}
