using System.Net.Http.Json;
using AiDevOps.Brain.Detection;
using Microsoft.Extensions.DependencyInjection;

namespace AiDevOps.Brain.Tests;

/// <summary>
/// A Brain whose store holds history its detectors never saw (a first start on an existing table, lost models)
/// learns it before judging new samples.
/// </summary>
public sealed class HistoryFitterTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    private const long Step = 15_000;

    [Fact]
    public async Task Stored_history_warms_a_series_that_has_no_model_so_its_first_live_spike_is_an_anomaly()
    {
        var labels = new Dictionary<string, string> { ["__name__"] = "node_load1", ["instance"] = "fitted:9100", ["job"] = "node" };
        var series = Series.Of("acme", labels);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var random = new Random(5);
        // 400 samples (100 minutes) stored by an earlier Brain; the detectors' warm-up alone is 60.
        var history = Enumerable.Range(0, 400).Select(i => new SamplePoint(now - (400 - i) * Step, 5 + random.NextDouble() * 0.2)).ToList();
        await brain.Services.GetRequiredService<ISampleStore>().AppendAsync([(series, history)], CancellationToken.None);
        var ensemble = brain.Services.GetRequiredService<EnsembleWatch>();
        Assert.Null(ensemble.CoverageOf("acme", series.Id));

        // The scheduled run may get there first; either way the series is fitted once.
        var fitter = brain.Services.GetRequiredService<HistoryFitter>();
        await fitter.FitAsync(CancellationToken.None);
        Assert.Equal(history[0].Timestamp, ensemble.CoverageOf("acme", series.Id)?.LearntSince?.ToUnixTimeMilliseconds());
        Assert.Equal(history[^1].Timestamp, ensemble.CoverageOf("acme", series.Id)?.LastTimestamp);
        Assert.Equal(0, await fitter.FitAsync(CancellationToken.None));

        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        var spike = Enumerable.Range(0, 3).Select(i => new SamplePoint(now + i * Step, 60)).ToArray();
        using var response = await client.PostAsJsonAsync("/ingest", new IngestRequest([new SeriesSamples(labels, spike)]));
        response.EnsureSuccessStatusCode();

        var anomalies = brain.Services.GetRequiredService<AnomalyStore>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        Anomaly? found = null;
        while (found is null && DateTimeOffset.UtcNow < deadline)
        {
            found = (await anomalies.ListAsync("acme", open: true, limit: 100, CancellationToken.None))
                .FirstOrDefault(a => a.Series.Id == series.Id && a.Kind == AnomalyKinds.Unusual);
            await Task.Delay(100);
        }
        Assert.NotNull(found);
        Assert.Equal(now, found.OpenedAt.ToUnixTimeMilliseconds());
    }
}
