using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Ingest;

namespace AiDevOps.Brain.Tests;

public class AgentSilenceWatchTests
{
    private static readonly AgentIdentity Edge = new("edge-1", "acme");
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void An_agent_silent_past_the_minimum_opens_once_and_the_check_after_its_return_resolves_it()
    {
        var watch = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        for (var s = 0; s <= 60; s += 15)
            watch.Delivered(Edge, At(s));

        Assert.Empty(watch.Check(At(60 + 59)));
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(watch.Check(At(60 + 61))));
        Assert.Equal(AnomalyKinds.AgentSilent, opened.Anomaly.Kind);
        Assert.Equal(At(60), opened.Anomaly.OpenedAt);
        Assert.Equal("edge-1", opened.Anomaly.Series.Labels["agent"]);
        Assert.Equal("acme", opened.Anomaly.Series.Tenant);
        Assert.Empty(watch.Check(At(600)));

        // The gap that ended the outage does not teach it a slower pace.
        Assert.Equal(TimeSpan.FromSeconds(15), watch.Delivered(Edge, At(700)));
        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(watch.Check(At(701))));
        Assert.Equal(opened.Anomaly.Id, resolved.Anomaly.Id);
        Assert.Equal(At(700), resolved.Anomaly.ResolvedAt);
        watch.Delivered(Edge, At(715));
        Assert.IsType<AnomalyOpened>(Assert.Single(watch.Check(At(715 + 61))));
    }

    [Fact]
    public void An_agent_that_delivers_rarely_gets_four_of_its_usual_gaps_and_bursts_do_not_shorten_them()
    {
        var watch = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        for (var s = 0; s <= 600; s += 120)
        {
            // One round in three batches, a few milliseconds apart.
            watch.Delivered(Edge, At(s));
            watch.Delivered(Edge, At(s + 0.01));
            watch.Delivered(Edge, At(s + 0.02));
        }

        Assert.Empty(watch.Check(At(600 + 470)));
        Assert.Single(watch.Check(At(600 + 490)));
    }

    [Fact]
    public void An_agent_seen_before_a_restart_that_never_returns_is_noticed_and_a_restored_silence_resolves_on_return()
    {
        var watch = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        watch.Seen(Edge, At(0), TimeSpan.FromSeconds(15));
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(watch.Check(At(120))));

        var restarted = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        restarted.Restore(opened.Anomaly);
        restarted.Seen(Edge, At(0), TimeSpan.FromSeconds(15));
        Assert.Empty(restarted.Check(At(300)));
        restarted.Delivered(Edge, At(310));
        Assert.Equal(opened.Anomaly.Id, Assert.IsType<AnomalyResolved>(Assert.Single(restarted.Check(At(311)))).Anomaly.Id);
    }

    [Fact]
    public void An_agent_is_not_waited_for_before_its_pace_is_known_and_late_redeliveries_change_nothing()
    {
        var watch = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        Assert.Empty(watch.Check(At(3600)));

        Assert.Null(watch.Delivered(Edge, At(100)));
        Assert.Empty(watch.Check(At(3600)));

        Assert.Equal(TimeSpan.FromSeconds(3600), watch.Delivered(Edge, At(3700)));
        Assert.Equal(TimeSpan.FromSeconds(3600), watch.Delivered(Edge, At(50)));
        Assert.Empty(watch.Check(At(3700 + 4 * 3600 - 1)));
    }
}
