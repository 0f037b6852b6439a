using AiDevOps.Brain.Detection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tests;

/// <summary>
/// An agent's detection whose store holds history its detectors never saw (a first start on an existing table, lost
/// models, a series new since the last checkpoint before a failover) learns it before judging new samples.
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
        // The agent's first live sample names the series; it is stored like the rest.
        var live = new SamplePoint(now, 5.1);
        var store = brain.Services.GetRequiredService<ISampleStore>();
        await store.AppendAsync([(series, [.. history, live])], CancellationToken.None);
        var ensemble = new EnsembleWatch(AiDevOps.Detection.DetectionSettings.Recommended);
        Assert.Empty(ensemble.Observe(series, [live]));
        Assert.Equal(now, ensemble.CoverageOf("acme", series.Id)?.LearntSince?.ToUnixTimeMilliseconds());

        var fitter = new HistoryFitter(ensemble, store, brain.Services.GetRequiredService<IOptions<DetectionOptions>>(), TimeProvider.System, NullLogger<HistoryFitter>.Instance);
        Assert.Equal(1, await fitter.FitAsync("acme", CancellationToken.None));
        Assert.Equal(history[0].Timestamp, ensemble.CoverageOf("acme", series.Id)?.LearntSince?.ToUnixTimeMilliseconds());
        Assert.Equal(now, ensemble.CoverageOf("acme", series.Id)?.LastTimestamp);
        Assert.Equal(0, await fitter.FitAsync("acme", CancellationToken.None));

        var spike = Enumerable.Range(1, 3).Select(i => new SamplePoint(now + i * Step, 60)).ToArray();
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(ensemble.Observe(series, spike)));
        Assert.Equal(AnomalyKinds.Unusual, opened.Anomaly.Kind);
        Assert.Equal(now + Step, opened.Anomaly.OpenedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_series_no_live_delivery_named_is_not_fitted_it_may_be_another_agents()
    {
        var series = Series.Of("acme", new Dictionary<string, string> { ["__name__"] = "node_load1", ["instance"] = "elsewhere:9100" });
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var store = brain.Services.GetRequiredService<ISampleStore>();
        await store.AppendAsync([(series, [.. Enumerable.Range(0, 100).Select(i => new SamplePoint(now - (100 - i) * Step, 1))])], CancellationToken.None);
        var ensemble = new EnsembleWatch(AiDevOps.Detection.DetectionSettings.Recommended);

        await new HistoryFitter(ensemble, store, brain.Services.GetRequiredService<IOptions<DetectionOptions>>(), TimeProvider.System, NullLogger<HistoryFitter>.Instance)
            .FitAsync("acme", CancellationToken.None);

        Assert.Null(ensemble.CoverageOf("acme", series.Id));
    }
}
