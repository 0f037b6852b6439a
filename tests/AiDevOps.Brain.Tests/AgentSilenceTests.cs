using System.Net.Http.Json;
using AiDevOps.Brain.Detection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AiDevOps.Brain.Tests;

/// <summary>The Brain with a two-second silence limit, so a silent agent is noticed within a test.</summary>
public sealed class QuickSilenceBrainFactory : BrainFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Detection:AgentSilence", "00:00:02");
    }
}

public sealed class AgentSilenceTests(QuickSilenceBrainFactory brain) : IClassFixture<QuickSilenceBrainFactory>
{
    [Fact]
    public async Task An_agent_that_stops_delivering_opens_an_agent_silent_anomaly_and_its_return_resolves_it()
    {
        using var client = brain.ClientWithKey(BrainFactory.GlobexKey);
        await GivePaceAsync(client);
        var series = AgentSilenceWatch.SeriesOf(new AgentIdentity("globex-edge", "globex"));

        var silent = await WaitForAsync(open: true, series.Id);
        Assert.Equal(AnomalyKinds.AgentSilent, silent.Kind);
        Assert.Contains("no delivery from agent globex-edge", silent.Evidence, StringComparison.Ordinal);

        await DeliverAsync(client);
        var resolved = await WaitForAsync(open: false, series.Id);
        Assert.Equal(silent.Id, resolved.Id);
        // The other tenant never hears of it.
        Assert.DoesNotContain(await brain.Services.GetRequiredService<AnomalyStore>().ListAsync("acme", open: null, limit: 100, CancellationToken.None),
            a => a.Kind == AnomalyKinds.AgentSilent);
    }

    [Fact]
    public async Task An_agent_that_said_goodbye_is_not_reported_silent()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        await GivePaceAsync(client);
        using var goodbye = await client.PostAsync("/api/agents/goodbye", content: null);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, goodbye.StatusCode);

        // Well past the silence limit (4 usual gaps of ~1 s, at least 2 s) and two clock checks (every 5 s).
        await Task.Delay(TimeSpan.FromSeconds(12));
        Assert.DoesNotContain(await brain.Services.GetRequiredService<AnomalyStore>().ListAsync("acme", open: null, limit: 100, CancellationToken.None),
            a => a.Kind == AnomalyKinds.AgentSilent);
        var agents = await client.GetFromJsonAsync<List<AgentStatus>>("/api/agents");
        Assert.NotNull(Assert.Single(agents!, a => a.Id == "acme-edge").DepartedAt);
    }

    /// <summary>Two deliveries a little apart give the agent a pace; then it falls silent.</summary>
    private static async Task GivePaceAsync(HttpClient client)
    {
        await DeliverAsync(client);
        await Task.Delay(1100);
        await DeliverAsync(client);
    }

    private static async Task DeliverAsync(HttpClient client)
    {
        var labels = new Dictionary<string, string> { ["__name__"] = "up", ["instance"] = "globex-db:9100", ["job"] = "node" };
        using var response = await client.PostAsJsonAsync("/ingest",
            new IngestRequest([new SeriesSamples(labels, [new SamplePoint(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1)])]));
        response.EnsureSuccessStatusCode();
    }

    private async Task<Anomaly> WaitForAsync(bool open, string seriesId)
    {
        var anomalies = brain.Services.GetRequiredService<AnomalyStore>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var found = (await anomalies.ListAsync("globex", open, limit: 100, CancellationToken.None)).FirstOrDefault(a => a.Series.Id == seriesId);
            if (found is not null)
                return found;
            await Task.Delay(200);
        }
        throw new TimeoutException($"No {(open ? "open" : "resolved")} agent_silent anomaly within 20 s.");
    }
}
