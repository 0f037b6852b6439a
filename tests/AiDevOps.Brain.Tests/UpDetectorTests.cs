using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Storage;
using AiDevOps.Contracts;

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
        Assert.Null(detector.Evaluate(Node, Values(0, 1, 1)));

        var opened = Assert.IsType<AnomalyOpened>(detector.Evaluate(Node, Values(30_000, 1, 0, 0)));
        Assert.Equal(AnomalyKinds.TargetDown, opened.Anomaly.Kind);
        Assert.Equal(45_000, opened.Anomaly.OpenedAt.ToUnixTimeMilliseconds());

        Assert.Null(detector.Evaluate(Node, Values(75_000, 0)));
        var resolved = Assert.IsType<AnomalyResolved>(detector.Evaluate(Node, Values(90_000, 1)));
        Assert.Equal(opened.Anomaly.Id, resolved.Anomaly.Id);
        Assert.Equal(90_000, resolved.Anomaly.ResolvedAt!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void A_flap_within_one_evaluation_opens_nothing()
    {
        var detector = new UpDetector();
        detector.Evaluate(Node, Values(0, 1));
        Assert.Null(detector.Evaluate(Node, Values(15_000, 0, 1, 0, 1)));
    }

    [Fact]
    public void Redelivered_samples_and_stale_markers_decide_nothing()
    {
        var detector = new UpDetector();
        detector.Evaluate(Node, Values(0, 1, 1));
        Assert.Null(detector.Evaluate(Node, Values(0, 0, 0)));
        Assert.Null(detector.Evaluate(Node, [new SamplePoint(60_000, double.NaN)]));
    }

    [Fact]
    public void A_target_first_seen_down_is_down()
    {
        Assert.IsType<AnomalyOpened>(new UpDetector().Evaluate(Node, Values(0, 0)));
    }

    [Fact]
    public void Ignores_other_metrics()
    {
        var cpu = Series.Of("default", new Dictionary<string, string> { ["__name__"] = "node_cpu_busy_ratio" });
        Assert.Null(new UpDetector().Evaluate(cpu, Values(0, 0, 0)));
    }

    [Fact]
    public void An_anomaly_restored_after_a_restart_is_resolved_by_the_recovery()
    {
        var before = new UpDetector();
        var opened = Assert.IsType<AnomalyOpened>(before.Evaluate(Node, Values(0, 1, 0)));

        var after = new UpDetector();
        after.Restore(opened.Anomaly);
        Assert.Null(after.Evaluate(Node, Values(30_000, 0)));
        var resolved = Assert.IsType<AnomalyResolved>(after.Evaluate(Node, Values(45_000, 1)));
        Assert.Equal(opened.Anomaly.Id, resolved.Anomaly.Id);
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
