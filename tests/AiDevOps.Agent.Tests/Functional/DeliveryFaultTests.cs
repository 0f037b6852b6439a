using AiDevOps.Contracts;

namespace AiDevOps.Agent.Tests.Functional;

public sealed class DeliveryFaultTests
{
    private static readonly TimeSpan BrainOutage = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_sample_the_agent_took_is_stored_exactly_once_through_a_brain_outage_and_a_kill_9()
    {
        await using var harness = await AgentBrainHarness.StartAsync();
        var run = Guid.NewGuid().ToString("N")[..12];
        var start = DateTimeOffset.UtcNow;
        var accepted = new List<long>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource();

        // A steady stream into the agent: one sample every 100 ms, each with its own timestamp.
        var producer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var timestamp = start.ToUnixTimeMilliseconds() + i;
                var series = new SeriesSamples(
                    new Dictionary<string, string> { ["__name__"] = "fault_test_samples", ["run"] = run },
                    [new SamplePoint(timestamp, i)]);
                if (await harness.WriteToAgentAsync(http, [series]))
                    accepted.Add(timestamp);
                await Task.Delay(100);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(3));
        await harness.Brain.StopAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(BrainOutage / 2);
        // kill -9 while everything taken during the outage exists only in the agent's queue on disk.
        await harness.Agent.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await harness.StartAgentAsync();
        await Task.Delay(BrainOutage / 2);
        await harness.StartBrainAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await producer;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        IReadOnlyList<SamplePoint> stored = [];
        while (DateTime.UtcNow < deadline)
        {
            stored = await harness.StoredSamplesAsync("fault_test_samples", $"run={run}", start);
            if (stored.Count >= accepted.Count)
                break;
            await Task.Delay(500);
        }

        Assert.True(accepted.Count > 300, $"only {accepted.Count} samples were accepted by the agent");
        var duplicates = stored.GroupBy(s => s.Timestamp).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"stored more than once: {string.Join(", ", duplicates.Take(10))}");
        var missing = accepted.Except(stored.Select(s => s.Timestamp)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {accepted.Count} accepted samples are missing\n{harness.Logs}");
    }
}
