using AiDevOps.Brain.Detection;
using AiDevOps.Detection;

namespace AiDevOps.Brain.Tests;

public class EnsembleWatchTests
{
    private const long Step = 15_000;

    private static Series Of(string metric) =>
        Series.Of("default", new Dictionary<string, string> { ["__name__"] = metric, ["instance"] = "db-1:9100", ["job"] = "node" });

    private static List<AnomalyChange> Feed(EnsembleWatch watch, Series series, IEnumerable<double> values, long start = 0)
    {
        var changes = new List<AnomalyChange>();
        var t = start;
        foreach (var value in values)
            changes.AddRange(watch.Observe(series, [new SamplePoint(t += Step, value)]));
        return changes;
    }

    [Fact]
    public void A_spike_on_a_steady_series_opens_an_unusual_anomaly_with_evidence_and_it_resolves()
    {
        var watch = new EnsembleWatch(DetectionSettings.Recommended);
        var cpu = Of("node_cpu_busy_ratio");
        var random = new Random(7);
        var steady = Enumerable.Range(0, 2000).Select(_ => 0.2 + random.NextDouble() * 0.02).ToList();
        Assert.Empty(Feed(watch, cpu, steady));

        var changes = Feed(watch, cpu, [0.2, 0.95, 0.96, 0.95, .. Enumerable.Range(0, 200).Select(_ => 0.2 + random.NextDouble() * 0.02)], 2000 * Step);

        var opened = Assert.IsType<AnomalyOpened>(changes.First());
        Assert.Equal(AnomalyKinds.Unusual, opened.Anomaly.Kind);
        Assert.StartsWith(EnsembleWatch.Name + "/", opened.Anomaly.Detector, StringComparison.Ordinal);
        Assert.Contains("expected", opened.Anomaly.Evidence, StringComparison.Ordinal);
        Assert.Contains(changes, c => c is AnomalyResolved r && r.Anomaly.Id == opened.Anomaly.Id);
    }

    [Fact]
    public void A_filling_disk_is_predicted_before_it_is_full()
    {
        var watch = new EnsembleWatch(DetectionSettings.Recommended);
        var disk = Of("node_filesystem_avail_bytes");
        // 30 GB free, losing 15 GB an hour: full in 2 hours, within the 4 h horizon.
        var changes = Feed(watch, disk, Enumerable.Range(0, 200).Select(i => 30e9 - i * (15e9 / 240)));

        var predicted = Assert.IsType<AnomalyOpened>(Assert.Single(changes, c => c.Anomaly.Kind == AnomalyKinds.PredictedExhaustion));
        Assert.Contains("reaches 0 in", predicted.Anomaly.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restarted_watch_loaded_from_its_models_continues_exactly_where_it_was()
    {
        var folder = Path.Combine(Path.GetTempPath(), "aidevops-models-" + Guid.NewGuid().ToString("N"));
        try
        {
            var random = new Random(11);
            var history = Enumerable.Range(0, 1500).Select(i => 50 + 10 * Math.Sin(i / 40.0) + random.NextDouble()).ToList();
            var future = Enumerable.Range(1500, 500).Select(i => 50 + 10 * Math.Sin(i / 40.0) + random.NextDouble()).Concat([400.0, 50, 50]).ToList();
            var load = Of("node_load1");

            var running = new EnsembleWatch(DetectionSettings.Recommended);
            Feed(running, load, history);
            var store = new FolderModelStore(folder);
            await store.SaveAsync(running.Models(), CancellationToken.None);

            var restarted = new EnsembleWatch(DetectionSettings.Recommended);
            Assert.Equal(1, restarted.Load(await store.LoadAsync(CancellationToken.None)));

            var expected = Feed(running, load, future, 1500 * Step).Select(c => (c.GetType(), c.Anomaly.Id)).ToList();
            var actual = Feed(restarted, load, future, 1500 * Step).Select(c => (c.GetType(), c.Anomaly.Id)).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, actual);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_anomaly_open_before_a_restart_resolves_once_the_series_is_normal()
    {
        var watch = new EnsembleWatch(DetectionSettings.Recommended);
        var cpu = Of("node_cpu_busy_ratio");
        var open = new Anomaly("id", cpu, AnomalyKinds.Unusual, EnsembleWatch.Name + "/Range", 0.9, DateTimeOffset.UnixEpoch);
        watch.Restore(open, DateTimeOffset.UnixEpoch);

        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(Feed(watch, cpu, [0.2])));
        Assert.Equal("id", resolved.Anomaly.Id);
    }

    [Fact]
    public void Up_is_left_to_its_own_detector_and_redelivered_samples_are_ignored()
    {
        var watch = new EnsembleWatch(DetectionSettings.Recommended);
        Assert.Empty(Feed(watch, Of("up"), Enumerable.Repeat(1.0, 500).Append(0).Append(1)));
        Assert.Equal(0, watch.WatchedSeries);

        var cpu = Of("node_cpu_busy_ratio");
        Feed(watch, cpu, Enumerable.Repeat(0.2, 100));
        Assert.Empty(watch.Observe(cpu, [new SamplePoint(Step, 99)]));
    }

    [Fact]
    public void A_detector_fitted_on_longer_history_takes_over_once_no_anomaly_is_open_and_it_has_caught_up()
    {
        var watch = new EnsembleWatch(DetectionSettings.Recommended);
        var cpu = Of("node_cpu_busy_ratio");
        Feed(watch, cpu, Enumerable.Repeat(0.2, 10), start: 1000 * Step);
        var young = watch.CoverageOf(cpu.Tenant, cpu.Id);
        Assert.Equal(new Coverage(DateTimeOffset.FromUnixTimeMilliseconds(1001 * Step), 1010 * Step), young);
        var fitted = watch.NewDetector(cpu.Metric);
        fitted.Fit(Samples(1, 1010));

        // Its gate is shut: taking over now would end the open incident.
        watch.Restore(new Anomaly("id", cpu, AnomalyKinds.Unusual, EnsembleWatch.Name + "/Range", 0.9, DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch);
        Assert.Equal(Adoption.Busy, watch.Adopt(cpu, fitted, 1010 * Step));
        Assert.Equal(young, watch.CoverageOf(cpu.Tenant, cpu.Id));
        Assert.IsType<AnomalyResolved>(Assert.Single(Feed(watch, cpu, [0.2], start: 1010 * Step)));

        Assert.Equal(Adoption.Behind(1011 * Step), watch.Adopt(cpu, fitted, 1010 * Step));
        fitted.Fit(Samples(1011, 1011));
        Assert.Equal(Adoption.Adopted, watch.Adopt(cpu, fitted, 1011 * Step));
        Assert.Equal(new Coverage(DateTimeOffset.FromUnixTimeMilliseconds(Step), 1011 * Step), watch.CoverageOf(cpu.Tenant, cpu.Id));

        var shorter = watch.NewDetector(cpu.Metric);
        shorter.Fit(Samples(500, 500));
        Assert.Equal(Adoption.NotLonger, watch.Adopt(cpu, shorter, 2000 * Step));
    }

    private static IEnumerable<Sample> Samples(int first, int last) =>
        Enumerable.Range(first, last - first + 1).Select(i => new Sample(DateTimeOffset.FromUnixTimeMilliseconds(i * Step), 0.2));

    [Fact]
    public void Series_idle_since_the_cutoff_are_forgotten_and_their_open_anomalies_resolve()
    {
        var watch = new EnsembleWatch(DetectionSettings.Recommended);
        var gone = Of("node_cpu_busy_ratio");
        var alive = Of("node_load1");
        var awaited = Of("node_memory_Active_bytes");
        Feed(watch, gone, Enumerable.Repeat(0.2, 10));
        Feed(watch, alive, Enumerable.Repeat(1.0, 10), start: 1000 * Step);
        var open = new Anomaly("gone", gone, AnomalyKinds.Unusual, EnsembleWatch.Name + "/Range", 0.9, DateTimeOffset.FromUnixTimeMilliseconds(5 * Step));
        watch.Restore(open, DateTimeOffset.UnixEpoch);
        // Taken back after a restart, not seen since: idle from its opening.
        watch.Restore(new Anomaly("awaited", awaited, AnomalyKinds.Unusual, EnsembleWatch.Name + "/Range", 0.9, DateTimeOffset.FromUnixTimeMilliseconds(900 * Step)), DateTimeOffset.UnixEpoch);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(2000 * Step);

        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(watch.Forget(DateTimeOffset.FromUnixTimeMilliseconds(500 * Step), now)));
        Assert.Equal("gone", resolved.Anomaly.Id);
        Assert.Equal(now, resolved.Anomaly.ResolvedAt);
        Assert.Null(watch.CoverageOf(gone.Tenant, gone.Id));
        Assert.Equal(2, watch.WatchedSeries);

        Assert.Equal("awaited", Assert.Single(watch.Forget(DateTimeOffset.FromUnixTimeMilliseconds(950 * Step), now)).Anomaly.Id);
        Assert.NotNull(watch.CoverageOf(alive.Tenant, alive.Id));
    }
}
