using System.Text.Json;
using AiDevOps.Testing;

namespace AiDevOps.Agent.Tests.Functional;

/// <summary>
/// A real node_exporter that the Agent scrapes itself and a real Prometheus scrapes too, both only once an hour:
/// when node_exporter is killed and started again, nothing but the liveness probe can tell the Brain in between, so
/// the target_down anomalies that open and resolve are the probe's, for the Agent's own target and for Prometheus's.
/// </summary>
public sealed class LivenessProbeTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _prometheusFolder = Path.Combine(Path.GetTempPath(), "aidevops-prom-" + Guid.NewGuid().ToString("N"));
    private readonly int _nodeExporterPort = ServiceProcess.FreePort();
    private readonly int _prometheusPort = ServiceProcess.FreePort();
    private ServiceProcess _nodeExporter = null!;
    private ServiceProcess _prometheus = null!;
    private AgentBrainHarness _harness = null!;

    private static string NodeExporter => File.Exists("/usr/bin/prometheus-node-exporter") ? "/usr/bin/prometheus-node-exporter" : "node_exporter";

    public async Task InitializeAsync()
    {
        _nodeExporter = await StartNodeExporterAsync();
        Directory.CreateDirectory(_prometheusFolder);
        var config = Path.Combine(_prometheusFolder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1h
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['127.0.0.1:{_nodeExporterPort}']
                    labels: {"{"}instance: probed-through-prometheus{"}"}
            """);
        _prometheus = await ServiceProcess.StartAsync("prometheus",
        [
            "--config.file=" + config,
            "--storage.tsdb.path=" + Path.Combine(_prometheusFolder, "data"),
            $"--web.listen-address=127.0.0.1:{_prometheusPort}",
        ], _prometheusPort, "/-/ready");
        // Prometheus lists a static target a few seconds after it is ready; the Agent asks for them once an hour here.
        using (var http = new HttpClient())
            await WaitForAsync("Prometheus's target", async () =>
                (await http.GetStringAsync($"http://127.0.0.1:{_prometheusPort}/api/v1/targets?state=active")).Contains(
                    "probed-through-prometheus", StringComparison.Ordinal));
        _harness = await AgentBrainHarness.StartAsync(new Dictionary<string, string>
        {
            ["Agent__Interval"] = "01:00:00",
            ["Agent__Scrape__Targets__0__Url"] = $"http://127.0.0.1:{_nodeExporterPort}/metrics",
            ["Agent__Scrape__Targets__0__Job"] = "node-direct",
            ["Agent__Scrape__Targets__0__Instance"] = "probed-by-the-agent",
            ["Agent__Prometheus__Url"] = $"http://127.0.0.1:{_prometheusPort}",
            ["Agent__Prometheus__ForwardAlerts"] = "false",
        });
    }

    private Task<ServiceProcess> StartNodeExporterAsync() =>
        ServiceProcess.StartAsync(NodeExporter, [$"--web.listen-address=127.0.0.1:{_nodeExporterPort}"], _nodeExporterPort, "/metrics");

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _prometheus.DisposeAsync();
        await _nodeExporter.DisposeAsync();
        Directory.Delete(_prometheusFolder, recursive: true);
    }

    [Fact]
    public async Task A_target_that_stops_answering_is_down_between_scrapes_and_up_again_when_it_answers()
    {
        // The Agent's first scrape (at start) is all it scrapes this hour; the probe has seen the target answer by then.
        await WaitForAsync("the Agent's first scrape", async () => (await _harness.StoredSeriesAsync("up")).Any(l => l["job"] == "node-direct"));

        await _nodeExporter.KillAsync();
        foreach (var instance in new[] { "probed-by-the-agent", "probed-through-prometheus" })
            await WaitForAsync($"target_down of {instance}", async () => await TargetDownAsync(instance, "open") is not null);

        _nodeExporter = await StartNodeExporterAsync();
        foreach (var instance in new[] { "probed-by-the-agent", "probed-through-prometheus" })
            await WaitForAsync($"the resolve of {instance}", async () => await TargetDownAsync(instance, "resolved") is not null);
        Assert.Null(await TargetDownAsync("probed-by-the-agent", "open"));
        Assert.Null(await TargetDownAsync("probed-through-prometheus", "open"));
    }

    private async Task<JsonElement?> TargetDownAsync(string instance, string state)
    {
        var anomalies = await _harness.BrainGetAsync("/api/anomalies?state=" + state);
        return anomalies.EnumerateArray()
            .Where(a => a.GetProperty("kind").GetString() == "target_down"
                        && a.GetProperty("labels").TryGetProperty("instance", out var i) && i.GetString() == instance)
            .Select(a => (JsonElement?)a)
            .FirstOrDefault();
    }

    private async Task WaitForAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return;
            await Task.Delay(250);
        }
        Assert.Fail($"No {what} within {Patience.TotalSeconds} s\n{_harness?.Logs}");
    }
}
