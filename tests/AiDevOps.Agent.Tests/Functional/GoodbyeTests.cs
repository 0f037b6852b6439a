using AiDevOps.Contracts;

namespace AiDevOps.Agent.Tests.Functional;

/// <summary>A planned stop of the Agent is not an outage: the Brain hears a goodbye after the Agent's last delivery.</summary>
public sealed class GoodbyeTests
{
    [Fact]
    public async Task An_agent_stopped_on_purpose_says_goodbye_after_its_last_delivery()
    {
        await using var harness = await AgentBrainHarness.StartAsync();
        using var http = new HttpClient();
        var labels = new Dictionary<string, string> { ["__name__"] = "goodbye_probe", ["job"] = "functional" };
        Assert.True(await harness.WriteToAgentAsync(http, [new SeriesSamples(labels, [new SamplePoint(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1)])]));
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while ((await harness.StoredSamplesAsync("goodbye_probe", "job=functional", DateTimeOffset.UtcNow.AddMinutes(-5))).Count == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The Agent's delivery never reached the Brain.\n" + harness.Logs);
            await Task.Delay(200);
        }

        await harness.Agent.StopAsync(TimeSpan.FromSeconds(20));

        var agent = Assert.Single((await harness.BrainGetAsync("/api/agents")).EnumerateArray(), a => a.GetProperty("id").GetString() == "functional");
        Assert.True(agent.TryGetProperty("departedAt", out var departed) && departed.ValueKind == System.Text.Json.JsonValueKind.String,
            "No goodbye recorded: " + agent + "\n" + harness.Logs);
        Assert.True(departed.GetDateTimeOffset() >= agent.GetProperty("lastSeen").GetDateTimeOffset());
        // What it said of itself with its deliveries: its version, and nothing left queued behind the last one.
        Assert.Matches(@"^\d+\.\d+\.\d+", agent.GetProperty("version").GetString());
        Assert.Equal(0, agent.GetProperty("queuedSamples").GetInt64());
    }
}
