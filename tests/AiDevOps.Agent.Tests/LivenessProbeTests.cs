using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using AiDevOps.Agent.Collection;

namespace AiDevOps.Agent.Tests;

public class LivenessProbeTests
{
    [Fact]
    public void Reads_Prometheus_active_targets_with_the_labels_of_their_up_series()
    {
        using var json = JsonDocument.Parse("""
            {"status":"success","data":{"activeTargets":[
              {"discoveredLabels":{"__address__":"127.0.0.1:9100"},"labels":{"instance":"web-01","job":"node"},
               "scrapePool":"node","scrapeUrl":"http://127.0.0.1:9100/metrics","health":"up"},
              {"labels":{"instance":"broken","job":"node"},"scrapeUrl":"not a url","health":"unknown"}],"droppedTargets":[]}}
            """);
        var target = Assert.Single(LivenessProbe.ActiveTargets(json.RootElement));

        Assert.Equal(new Uri("http://127.0.0.1:9100/metrics"), target.ScrapeUrl);
        Assert.Equal(new Dictionary<string, string> { ["instance"] = "web-01", ["job"] = "node" }, target.Labels);
        Assert.Null(target.ScrapeJob);
    }

    [Theory]
    [InlineData("00:00:00", "00:00:01", null)]
    [InlineData("00:00:00.050", "00:00:01", "Agent:Liveness:Interval '00:00:00.0500000' must be 00:00:00 (off) or between")]
    [InlineData("00:02:00", "00:00:01", "Agent:Liveness:Interval '00:02:00' must be")]
    [InlineData("00:00:01", "00:00:00.010", "Agent:Liveness:Timeout '00:00:00.0100000' must be between")]
    public void Options_name_the_bad_value(string interval, string timeout, string? error)
    {
        var options = new LivenessOptions
        {
            Interval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture),
            Timeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture),
        };
        var errors = options.Validate(new ValidationContext(options)).Select(e => e.ErrorMessage!).ToList();

        if (error is null)
            Assert.Empty(errors);
        else
            Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }
}
