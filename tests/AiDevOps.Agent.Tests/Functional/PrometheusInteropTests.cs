using System.Net;
using System.Net.Http.Headers;
using AiDevOps.Contracts.RemoteWrite;
using AiDevOps.Testing;

namespace AiDevOps.Agent.Tests.Functional;

/// <summary>
/// A real Prometheus remote_writes node_exporter's series into the Agent, and the Agent scrapes the same
/// node_exporter itself; both reach the Brain. The receiver also faces bad input.
/// </summary>
public sealed class PrometheusInteropTests : IAsyncLifetime
{
    private readonly string _prometheusFolder = Path.Combine(Path.GetTempPath(), "aidevops-prom-" + Guid.NewGuid().ToString("N"));
    private readonly int _nodeExporterPort = ServiceProcess.FreePort();
    private readonly int _prometheusPort = ServiceProcess.FreePort();
    private ServiceProcess _nodeExporter = null!;
    private ServiceProcess _prometheus = null!;
    private AgentBrainHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var nodeExporter = File.Exists("/usr/bin/prometheus-node-exporter") ? "/usr/bin/prometheus-node-exporter" : "node_exporter";
        _nodeExporter = await ServiceProcess.StartAsync(nodeExporter, [$"--web.listen-address=127.0.0.1:{_nodeExporterPort}"], _nodeExporterPort, "/metrics");
        _harness = await AgentBrainHarness.StartAsync(new Dictionary<string, string>
        {
            ["Agent__Interval"] = "00:00:02",
            ["Agent__Scrape__Targets__0__Url"] = $"http://127.0.0.1:{_nodeExporterPort}/metrics",
            ["Agent__Scrape__Targets__0__Job"] = "node-direct",
            ["Agent__Receiver__MaxBodyBytes"] = "65536",
            ["Agent__Prometheus__Url"] = $"http://127.0.0.1:{_prometheusPort}",
        });

        Directory.CreateDirectory(_prometheusFolder);
        var config = Path.Combine(_prometheusFolder, "prometheus.yml");
        var rules = Path.Combine(_prometheusFolder, "rules.yml");
        await File.WriteAllTextAsync(rules, """
            groups:
              - name: functional
                interval: 1s
                rules:
                  - alert: AlwaysFiring
                    expr: vector(1)
                    labels:
                      severity: page
                    annotations:
                      summary: Fires for the functional test.
            """);
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 2s
            rule_files: ['{rules}']
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['127.0.0.1:{_nodeExporterPort}']
            remote_write:
              - url: http://127.0.0.1:{_harness.AgentPort}/api/v1/write
                authorization:
                  credentials: {AgentBrainHarness.ReceiverKey}
                queue_config:
                  batch_send_deadline: 1s
            """);
        _prometheus = await ServiceProcess.StartAsync("prometheus",
        [
            "--config.file=" + config,
            "--storage.tsdb.path=" + Path.Combine(_prometheusFolder, "data"),
            $"--web.listen-address=127.0.0.1:{_prometheusPort}",
            "--storage.remote.flush-deadline=5s",
        ], _prometheusPort, "/-/ready");
    }

    public async Task DisposeAsync()
    {
        await _prometheus.DisposeAsync();
        await _harness.DisposeAsync();
        await _nodeExporter.DisposeAsync();
        Directory.Delete(_prometheusFolder, recursive: true);
    }

    [Fact]
    public async Task Prometheus_remote_write_and_a_direct_scrape_both_reach_the_brain()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        IReadOnlyList<Dictionary<string, string>> up = [];
        while (DateTime.UtcNow < deadline)
        {
            up = await _harness.StoredSeriesAsync("up");
            if (up.Any(l => l["job"] == "node") && up.Any(l => l["job"] == "node-direct"))
                break;
            await Task.Delay(500);
        }
        Assert.True(up.Any(l => l["job"] == "node"), "no up{job=\"node\"} from Prometheus' remote_write\n" + _harness.Logs);
        Assert.Contains(up, l => l["job"] == "node-direct" && l["instance"] == $"127.0.0.1:{_nodeExporterPort}");

        var cpu = await _harness.StoredSeriesAsync("node_cpu_seconds_total");
        Assert.Contains(cpu, l => l["job"] == "node");
        Assert.Contains(cpu, l => l["job"] == "node-direct");

        // The agent's own telemetry, where a Prometheus would scrape it.
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{_harness.AgentPort}/metrics");
        foreach (var name in new[] { "aidevops_agent_samples_collected", "aidevops_agent_samples_sent", "aidevops_agent_queue_bytes", "aidevops_agent_last_success" })
            Assert.Contains(name, metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_firing_alerts_are_forwarded_to_the_brain_as_anomalies()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var anomalies = await _harness.BrainGetAsync("/api/anomalies?state=open");
            if (anomalies.EnumerateArray().FirstOrDefault(a => a.GetProperty("kind").GetString() == "prometheus_alert") is { ValueKind: System.Text.Json.JsonValueKind.Object } alert)
            {
                Assert.Equal("AlwaysFiring", alert.GetProperty("labels").GetProperty("alertname").GetString());
                Assert.Equal("page", alert.GetProperty("labels").GetProperty("severity").GetString());
                // The rule's own annotation is the alert's evidence; a summary from Insights would stand beside it.
                Assert.Contains("Fires for the functional test.", alert.GetProperty("evidence").GetString(), StringComparison.Ordinal);
                return;
            }
            await Task.Delay(500);
        }
        Assert.Fail("No forwarded Prometheus alert reached the Brain\n" + _harness.Logs);
    }

    [Fact]
    public async Task Bad_writes_get_a_4xx_and_the_agent_keeps_running()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_harness.AgentPort}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AgentBrainHarness.ReceiverKey);

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(http, [1, 2, 3, 4, 5, 6, 7], RemoteWriteCodec.ContentType));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(http, Snappier.Snappy.CompressToArray([0xFF, 0xFF, 0xFF]), RemoteWriteCodec.ContentType));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostAsync(http, "up 1"u8.ToArray(), "text/plain"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(http, new byte[200_000], RemoteWriteCodec.ContentType));
        var noMetricName = RemoteWriteCodec.Encode([new(new Dictionary<string, string> { ["job"] = "x" }, [new(1, 1)])]);
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(http, noMetricName, RemoteWriteCodec.ContentType));

        using var alive = await http.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.False(_harness.Agent.HasExited);
        var good = RemoteWriteCodec.Encode([new(new Dictionary<string, string> { ["__name__"] = "after_bad_input" }, [new(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1)])]);
        Assert.Equal(HttpStatusCode.NoContent, await PostAsync(http, good, RemoteWriteCodec.ContentType));
    }

    [Fact]
    public async Task The_receiver_takes_writes_only_with_its_key_as_bearer_token_or_basic_auth_password()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_harness.AgentPort}") };
        var write = RemoteWriteCodec.Encode([new(new Dictionary<string, string> { ["__name__"] = "keyed_write" }, [new(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1)])]);

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, write, RemoteWriteCodec.ContentType));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, write, RemoteWriteCodec.ContentType));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("prometheus:" + AgentBrainHarness.ReceiverKey)));
        Assert.Equal(HttpStatusCode.NoContent, await PostAsync(http, write, RemoteWriteCodec.ContentType));
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await http.PostAsync("/api/v1/write", content);
        if ((int)response.StatusCode >= 400)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return response.StatusCode;
    }
}
