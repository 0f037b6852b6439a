using AiDevOps.Contracts;

namespace AiDevOps.Storage.Tests;

public sealed class SeriesTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["job"] = "node",
        [WellKnownLabels.MetricName] = "node_load1",
        ["instance"] = "db-1:9100",
    };

    [Fact]
    public void A_series_id_is_the_same_in_every_version_so_stored_data_is_found_again()
    {
        // SHA-256 of "__name__\0node_load1\0instance\0db-1:9100\0job\0node\0", first 16 bytes: the id stored data is keyed by.
        Assert.Equal("a6bc331c569e008bd9c55bbc65fed4c0", Series.Of("acme", Labels).Id);
    }

    [Fact]
    public void Labels_are_kept_sorted_by_name_and_looked_up_by_name()
    {
        var series = Series.Of("acme", Labels);

        Assert.Equal([WellKnownLabels.MetricName, "instance", "job"], series.Labels.Keys);
        Assert.Equal("node_load1", series.Metric);
        Assert.Equal("db-1:9100", series.Labels["instance"]);
        Assert.False(series.Labels.ContainsKey("cpu"));
        Assert.Throws<KeyNotFoundException>(() => series.Labels["cpu"]);
        Assert.Equal(3, series.Labels.Count);
    }

    [Fact]
    public void Labels_without_a_metric_name_are_no_series()
    {
        Assert.Throws<KeyNotFoundException>(() => Series.Of("acme", new Dictionary<string, string> { ["job"] = "node" }));
    }
}
