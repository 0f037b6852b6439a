using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AiDevOps.Brain.Tests;

/// <summary>
/// A real Alertmanager 0.25 (Debian's prometheus-alertmanager, which eng/test.sh installs) notifies the Brain through
/// a webhook_configs receiver with the agent key: what it sends is what the Brain reads, firing and resolved.
/// </summary>
public sealed class AlertmanagerInteropTests(BrainFactory brain) : IClassFixture<BrainFactory>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    // Debian names the binary prometheus-alertmanager; upstream's release archive, alertmanager.
    private static readonly string[] Binaries = ["/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager", "/usr/bin/alertmanager"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aidevops-alertmanager-" + Guid.NewGuid().ToString("N"));
    private readonly int _port = ServiceProcess.FreePort();
    private ServiceProcess _alertmanager = null!;

    private string BrainUrl => brain.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public async Task InitializeAsync()
    {
        var binary = Binaries.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Alertmanager is not installed: apt-get install prometheus-alertmanager (eng/test.sh does).");
        Directory.CreateDirectory(_folder);
        var config = Path.Combine(_folder, "alertmanager.yml");
        // Notify at once and on every change a second later, so a test needs no more than an alert's own life.
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: aidevops
              group_by: [alertname]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: aidevops
                webhook_configs:
                  - url: {BrainUrl.TrimEnd('/')}/api/alertmanager/webhook
                    send_resolved: true
                    http_config:
                      authorization:
                        credentials: {BrainFactory.AcmeKey}
            """);
        _alertmanager = await ServiceProcess.StartAsync(binary,
        [
            "--config.file=" + config,
            "--storage.path=" + Path.Combine(_folder, "data"),
            "--cluster.listen-address=", // no gossip port: a single instance
            $"--web.listen-address=127.0.0.1:{_port}",
        ], _port, "/-/ready", timeout: TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        await _alertmanager.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task An_alert_posted_to_Alertmanager_opens_an_anomaly_in_the_Brain_and_resolves_with_it()
    {
        var name = "AlertmanagerInterop" + Guid.NewGuid().ToString("N")[..8];
        var endsAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddSeconds(5).ToUnixTimeMilliseconds());
        using (var http = new HttpClient { BaseAddress = _alertmanager.BaseUrl, Timeout = TimeSpan.FromSeconds(5) })
        {
            using var posted = await http.PostAsJsonAsync("/api/v2/alerts", new[]
            {
                new
                {
                    labels = new Dictionary<string, string> { ["alertname"] = name, ["instance"] = "db-1", ["severity"] = "page" },
                    annotations = new Dictionary<string, string> { ["summary"] = "Disk of db-1 is 97% full." },
                    startsAt = DateTimeOffset.UtcNow,
                    endsAt,
                },
            });
            Assert.True(posted.IsSuccessStatusCode, $"Alertmanager refused the alert: {posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
        }

        var opened = await WaitForAsync(name, a => true, "open", DateTimeOffset.UtcNow + Patience);
        Assert.Equal("open", opened.GetProperty("state").GetString());
        Assert.Equal("prometheus_alert", opened.GetProperty("kind").GetString());
        Assert.Equal("alertmanager", opened.GetProperty("detector").GetString());
        Assert.Equal("Disk of db-1 is 97% full.", opened.GetProperty("evidence").GetString());
        Assert.Equal("page", opened.GetProperty("labels").GetProperty("severity").GetString());

        // After endsAt Alertmanager sends the resolved notification (send_resolved), at its next group_interval.
        var resolved = await WaitForAsync(name, a => a.GetProperty("state").GetString() == "resolved", "resolved", endsAt + Patience);
        Assert.Equal(opened.GetProperty("id").GetString(), resolved.GetProperty("id").GetString());
        var resolvedAt = resolved.GetProperty("resolvedAt").GetDateTimeOffset();
        Assert.InRange(resolvedAt, endsAt - TimeSpan.FromSeconds(1), endsAt + TimeSpan.FromSeconds(1));
    }

    /// <summary>The anomaly of alert <paramref name="name"/> once it satisfies <paramref name="done"/>, polled until <paramref name="deadline"/>.</summary>
    private async Task<JsonElement> WaitForAsync(string name, Func<JsonElement, bool> done, string what, DateTimeOffset deadline)
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        while (true)
        {
            var all = await client.GetFromJsonAsync<JsonElement>("/api/anomalies?state=all&limit=100");
            var found = all.EnumerateArray().Where(a => a.GetProperty("labels").TryGetProperty("alertname", out var n) && n.GetString() == name).ToList();
            Assert.True(found.Count <= 1, $"one alert opened {found.Count} anomalies");
            if (found.Count == 1 && done(found[0]))
                return found[0];
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"No {what} anomaly for {name} by {deadline:O} (found: {string.Join(", ", found)}). Alertmanager said:\n{_alertmanager.Output}");
            await Task.Delay(200);
        }
    }
}
