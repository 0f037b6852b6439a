using System.Text.Json;
using AiDevOps.Contracts;

namespace AiDevOps.Scale.Tests;

/// <summary>
/// Three Brains behind a round-robin balancer, one Agent streaming through it. The Brain running the agent's
/// detection is killed with SIGKILL mid-stream, while a target goes down and comes back, and is started again.
/// </summary>
public sealed class BrainFailoverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private const string DownInstance = "web-1:9100";
    private const int Hosts = 8;
    // The detectors judge a series once it has varied for an hour (and at most every 5 s): 75 minutes of history at
    // Prometheus's 15 s, then live samples every second.
    private const int HistorySamples = 300;
    private static readonly TimeSpan HistoryStep = TimeSpan.FromSeconds(15);
    private const int LiveSeconds = 45;
    private const int KillAt = 15;
    private const int DownUntil = 25;
    private const int RestartAt = 22;
    private const int SpikeAt = 33;
    private const int SpikeSeconds = 8;

    [Fact]
    public async Task A_Brain_killed_mid_stream_loses_no_sample_and_no_state_change_and_pages_once_per_change()
    {
        await using var cluster = await BrainCluster.StartAsync(brains: 3);
        try
        {
            using var http = new HttpClient();
            var random = new Random(19);
            var written = new Dictionary<string, List<SamplePoint>>();
            var start = DateTimeOffset.UtcNow;
            var history = Enumerable.Range(0, HistorySamples).Select(i => (start - (HistorySamples - i) * HistoryStep).ToUnixTimeMilliseconds()).ToList();
            await WriteAsync(cluster, http, written, history, _ => 1, random, spike: false);

            Task? restarted = null;
            var killed = -1;
            for (var second = 0; second < LiveSeconds; second++)
            {
                if (second == KillAt)
                {
                    killed = cluster.BrainRunningDetection();
                    Assert.True(killed >= 0, "no Brain says it runs the agent's detection\n" + cluster.Logs);
                    await cluster.KillBrainAsync(killed);
                }
                if (second == RestartAt)
                    restarted = cluster.StartBrainAsync(killed);
                var upNow = second is >= KillAt and < DownUntil ? 0 : 1;
                await WriteAsync(cluster, http, written, [DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()], _ => upNow, random, spike: second is >= SpikeAt and < SpikeAt + SpikeSeconds);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            await restarted!;

            // Every sample the Agent took is stored, once.
            var stored = await WaitForAsync(async () =>
            {
                var now = await cluster.StoredAsync("node_load1", start - HistorySamples * HistoryStep);
                return written.Where(w => w.Key != DownInstance).All(w => now.GetValueOrDefault(w.Key)?.Count == w.Value.Count) ? now : null;
            });
            foreach (var (instance, samples) in written.Where(w => w.Key != DownInstance))
                Assert.Equal(samples.Select(s => s.Timestamp), stored[instance].Select(s => s.Timestamp));
            var storedUp = (await cluster.StoredAsync("up", start - HistorySamples * HistoryStep))[DownInstance];
            Assert.Equal(written[DownInstance].Select(s => s.Timestamp), storedUp.Select(s => s.Timestamp));

            // The target went down once and came back once: one anomaly, one page, one resolve.
            var targetDown = await WaitForAsync(async () =>
                (await cluster.GetAsync("/api/anomalies?state=all&limit=1000")).EnumerateArray()
                    .Where(a => a.GetProperty("kind").GetString() == "target_down").ToList() is { Count: > 0 } found
                    && found.All(a => a.GetProperty("state").GetString() == "resolved") ? found : null);
            Assert.Single(targetDown);
            var firing = await cluster.Telegram.WaitForMessageAsync(m => m.Text.StartsWith("🔴 <b>Target down", StringComparison.Ordinal), Patience);
            await cluster.Telegram.WaitForMessageAsync(m => m.ReplyTo == firing.MessageId && m.Text.StartsWith("✅ Resolved", StringComparison.Ordinal), Patience);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Single(cluster.Telegram.Messages, m => m.Text.StartsWith("🔴 <b>Target down", StringComparison.Ordinal));
            Assert.Single(cluster.Telegram.Messages, m => m.ReplyTo == firing.MessageId && m.Text.StartsWith("✅ Resolved", StringComparison.Ordinal));

            // Detection went on warm: the spike after the failover is caught (a detector starting cold would wait an hour,
            // and fitting on history comes 30 s after the failover, later than the spike), and nothing else is unusual.
            var unusual = await WaitForAsync(async () =>
                (await cluster.GetAsync("/api/anomalies?state=all&limit=1000")).EnumerateArray()
                    .Where(a => a.GetProperty("kind").GetString() == "unusual_behaviour").ToList() is { Count: > 0 } found ? found : null);
            Assert.All(unusual, a => Assert.Equal("host-0:9100", a.GetProperty("labels").GetProperty("instance").GetString()));
        }
        catch
        {
            Console.WriteLine(cluster.Logs);
            throw;
        }
    }

    /// <summary>One remote_write of every host's load (host-0 spiking when asked) and the down instance's up, at each timestamp.</summary>
    private static async Task WriteAsync(
        BrainCluster cluster, HttpClient http, Dictionary<string, List<SamplePoint>> written, IReadOnlyList<long> timestamps,
        Func<long, double> up, Random random, bool spike)
    {
        var series = new List<SeriesSamples>();
        for (var host = 0; host < Hosts; host++)
        {
            var instance = $"host-{host}:9100";
            var samples = timestamps.Select(t => new SamplePoint(t, spike && host == 0 ? 60 : 5 + random.NextDouble() * 0.2)).ToArray();
            series.Add(new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "node_load1", ["instance"] = instance, ["job"] = "node" }, samples));
            (written.TryGetValue(instance, out var list) ? list : written[instance] = []).AddRange(samples);
        }
        var ups = timestamps.Select(t => new SamplePoint(t, up(t))).ToArray();
        series.Add(new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "up", ["instance"] = DownInstance, ["job"] = "node" }, ups));
        (written.TryGetValue(DownInstance, out var upList) ? upList : written[DownInstance] = []).AddRange(ups);
        Assert.True(await cluster.WriteAsync(http, series), "the Agent refused a write");
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await probe() is { } found)
                return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("not within " + Patience);
            await Task.Delay(500);
        }
    }
}
