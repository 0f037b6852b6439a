using AiDevOps.Brain.Detection;

namespace AiDevOps.Brain.Tests;

public class UpDetectorTests
{
    private static readonly Series Node = Series.Of("default", new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "node", ["instance"] = "a:9100" });

    private static SamplePoint[] Values(long start, params double[] values) =>
        values.Select((v, i) => new SamplePoint(start + i * 15_000L, v)).ToArray();

    [Fact]
    public void Opens_when_up_goes_to_zero_and_resolves_when_it_comes_back()
    {
        var detector = new UpDetector();
        Assert.Empty(detector.Observe(Node, Values(0, 1, 1)));

        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(detector.Observe(Node, Values(30_000, 1, 0, 0))));
        Assert.Equal(AnomalyKinds.TargetDown, opened.Anomaly.Kind);
        Assert.Equal(45_000, opened.Anomaly.OpenedAt.ToUnixTimeMilliseconds());

        Assert.Empty(detector.Observe(Node, Values(75_000, 0)));
        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(detector.Observe(Node, Values(90_000, 1))));
        Assert.Equal(opened.Anomaly.Id, resolved.Anomaly.Id);
        Assert.Equal(90_000, resolved.Anomaly.ResolvedAt!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void A_flap_within_one_evaluation_opens_nothing()
    {
        var detector = new UpDetector();
        detector.Observe(Node, Values(0, 1));
        Assert.Empty(detector.Observe(Node, Values(15_000, 0, 1, 0, 1)));
    }

    [Fact]
    public void Redelivered_samples_and_stale_markers_decide_nothing()
    {
        var detector = new UpDetector();
        detector.Observe(Node, Values(0, 1, 1));
        Assert.Empty(detector.Observe(Node, Values(0, 0, 0)));
        Assert.Empty(detector.Observe(Node, [new SamplePoint(60_000, double.NaN)]));
    }

    [Fact]
    public void A_target_first_seen_down_is_down()
    {
        Assert.IsType<AnomalyOpened>(Assert.Single(new UpDetector().Observe(Node, Values(0, 0))));
    }

    [Fact]
    public void Ignores_other_metrics()
    {
        var cpu = Series.Of("default", new Dictionary<string, string> { ["__name__"] = "node_cpu_busy_ratio" });
        Assert.Empty(new UpDetector().Observe(cpu, Values(0, 0, 0)));
    }

    [Fact]
    public void An_anomaly_restored_after_a_restart_is_resolved_by_the_recovery()
    {
        var before = new UpDetector();
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(before.Observe(Node, Values(0, 1, 0))));

        var after = new UpDetector();
        after.Restore(opened.Anomaly, DateTimeOffset.UnixEpoch);
        Assert.Empty(after.Observe(Node, Values(30_000, 0)));
        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(after.Observe(Node, Values(45_000, 1))));
        Assert.Equal(opened.Anomaly.Id, resolved.Anomaly.Id);
    }

    [Fact]
    public void A_target_idle_past_the_cutoff_is_forgotten_and_its_open_anomaly_resolves()
    {
        var detector = new UpDetector();
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(detector.Observe(Node, Values(0, 1, 0))));
        var healthy = Node with { Id = "healthy" };
        detector.Observe(healthy, Values(600_000, 1));
        var now = DateTimeOffset.FromUnixTimeMilliseconds(700_000);

        Assert.Empty(detector.Forget(DateTimeOffset.FromUnixTimeMilliseconds(15_000), now));
        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(detector.Forget(DateTimeOffset.FromUnixTimeMilliseconds(600_000), now)));
        Assert.Equal(opened.Anomaly.Id, resolved.Anomaly.Id);
        Assert.Equal(now, resolved.Anomaly.ResolvedAt);
        Assert.Equal(1, detector.TrackedSeries);
    }

    [Fact]
    public void Series_ids_do_not_depend_on_label_order_and_tenants_are_apart()
    {
        var a = Series.Of("t1", new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "x", ["instance"] = "i" });
        var b = Series.Of("t1", new Dictionary<string, string> { ["instance"] = "i", ["job"] = "x", ["__name__"] = "up" });
        Assert.Equal(a.Id, b.Id);
        Assert.Equal("up{instance=\"i\",job=\"x\"}", a.Selector());
        Assert.NotEqual(DataKeys.Chunks("t1", a.Id), DataKeys.Chunks("t2", a.Id));
    }
}
