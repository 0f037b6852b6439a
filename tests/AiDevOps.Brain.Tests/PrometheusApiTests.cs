using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AiDevOps.Brain.Tests;

/// <summary>The Prometheus read API, driven by Prometheus's own client where one runs here (promtool).</summary>
public sealed class PrometheusApiTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 15_000 * 15_000;

    private readonly string _host = "p" + Guid.NewGuid().ToString("N")[..8] + ":9100";

    /// <summary>Ten scrapes of a load gauge and a CPU counter (1.5 s of CPU every 15 s) of a fresh host.</summary>
    private async Task IngestAsync(string key = BrainFactory.AcmeKey)
    {
        var scrapes = Enumerable.Range(0, 10).Select(i => Now - (9 - i) * 15_000L).ToList();
        using var client = brain.ClientWithKey(key);
        using var response = await client.PostAsJsonAsync("/ingest", new IngestRequest(
        [
            new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "node_load1", ["instance"] = _host, ["job"] = "node" },
                scrapes.Select((t, i) => new SamplePoint(t, i / 10.0)).ToList()),
            new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "node_cpu_seconds_total", ["instance"] = _host, ["job"] = "node", ["mode"] = "user" },
                scrapes.Select((t, i) => new SamplePoint(t, 100 + i * 1.5)).ToList()),
        ]));
        response.EnsureSuccessStatusCode();
    }

    private string BrainUrl => brain.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>Runs <c>promtool query range</c> against the Brain with the acme key; returns the one series it printed.</summary>
    private async Task<JsonElement> PromtoolRangeAsync(string expression, long start, long end, string step)
    {
        using var process = Process.Start(new ProcessStartInfo("promtool",
            ["query", "range", "-o", "json", "--header", $"Authorization=Bearer {BrainFactory.AcmeKey}",
             "--start", Seconds(start), "--end", Seconds(end), "--step", step, BrainUrl, expression])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, await errors);
        return Assert.Single(JsonDocument.Parse(await output).RootElement.EnumerateArray());
    }

    private static string Seconds(long ms) => (ms / 1000.0).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Promtool_reads_a_range_with_the_agent_key_as_bearer_token()
    {
        await IngestAsync();

        var series = await PromtoolRangeAsync(
            $"node_load1{{job=\"node\",instance=~\"{_host.Replace(".", "\\\\.", StringComparison.Ordinal)}\"}}", Now - 135_000, Now, "15s");

        Assert.Equal(_host, series.GetProperty("metric").GetProperty("instance").GetString());
        var values = series.GetProperty("values").EnumerateArray().Select(v => v[1].GetString()).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (i / 10.0).ToString(CultureInfo.InvariantCulture)), values);
    }

    [Fact]
    public async Task Promtool_computes_a_rate_like_Prometheus()
    {
        await IngestAsync();

        var series = await PromtoolRangeAsync($"rate(node_cpu_seconds_total{{instance=\"{_host}\"}}[1m])", Now - 60_000, Now, "30s");

        Assert.False(series.GetProperty("metric").TryGetProperty("__name__", out _));
        Assert.All(series.GetProperty("values").EnumerateArray(),
            v => Assert.Equal(0.1, double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture), 9));
    }

    [Fact]
    public async Task Another_tenants_key_sees_none_of_the_series()
    {
        await IngestAsync();
        using var client = brain.ClientWithKey(BrainFactory.GlobexKey);

        var range = await client.GetFromJsonAsync<JsonElement>(
            $"/api/v1/query_range?query=node_load1{{instance=\"{_host}\"}}&start={Seconds(Now - 60_000)}&end={Seconds(Now)}&step=15");
        Assert.Equal("success", range.GetProperty("status").GetString());
        Assert.Empty(range.GetProperty("data").GetProperty("result").EnumerateArray());
        var values = await client.GetFromJsonAsync<JsonElement>("/api/v1/label/instance/values");
        Assert.DoesNotContain(_host, values.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Series_labels_and_label_values_answer_as_Prometheus_does()
    {
        await IngestAsync();
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);

        var series = await client.GetFromJsonAsync<JsonElement>($"/api/v1/series?match[]={{instance=\"{_host}\",__name__=~\"node_.*\"}}");
        Assert.Equal(["node_cpu_seconds_total", "node_load1"],
            series.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("__name__").GetString()).Order());
        var labels = await client.GetFromJsonAsync<JsonElement>("/api/v1/labels");
        Assert.Superset(new HashSet<string?> { "__name__", "instance", "job", "mode" }, labels.GetProperty("data").EnumerateArray().Select(l => l.GetString()).ToHashSet());
        var names = await client.GetFromJsonAsync<JsonElement>("/api/v1/label/__name__/values");
        Assert.Contains("node_load1", names.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
        var instant = await client.GetFromJsonAsync<JsonElement>($"/api/v1/query?query=node_load1{{instance=\"{_host}\"}}&time={Seconds(Now + 60_000)}");
        var value = Assert.Single(instant.GetProperty("data").GetProperty("result").EnumerateArray()).GetProperty("value");
        Assert.Equal("0.9", value[1].GetString());
    }

    [Fact]
    public async Task Grafanas_data_source_test_query_1_plus_1_is_the_scalar_2()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        var answer = await client.GetFromJsonAsync<JsonElement>("/api/v1/query?query=1%2B1&time=1764324000");
        Assert.Equal("scalar", answer.GetProperty("data").GetProperty("resultType").GetString());
        Assert.Equal(1764324000, answer.GetProperty("data").GetProperty("result")[0].GetDouble());
        Assert.Equal("2", answer.GetProperty("data").GetProperty("result")[1].GetString());
    }

    [Fact]
    public async Task A_query_the_Brain_cannot_answer_is_a_Prometheus_bad_data_error()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.GetAsync("/api/v1/query?query=sum(up)");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error", error.GetProperty("status").GetString());
        Assert.Equal("bad_data", error.GetProperty("errorType").GetString());
        Assert.Contains("parse error", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_api_needs_an_agent_key()
    {
        using var client = brain.ClientWithKey(null);
        using var response = await client.GetAsync("/api/v1/labels");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
