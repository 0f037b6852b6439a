using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Ingest;

namespace AiDevOps.Brain.Tests;

public class AgentSilenceWatchTests
{
    private static readonly AgentIdentity Edge = new("edge-1", "acme");
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void An_agent_silent_past_the_minimum_opens_once_and_its_next_delivery_resolves_it()
    {
        var watch = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        for (var s = 0; s <= 60; s += 15)
            Assert.Null(watch.Delivered(Edge, At(s)));

        Assert.Empty(watch.Check(At(60 + 59)));
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(watch.Check(At(60 + 61))));
        Assert.Equal(AnomalyKinds.AgentSilent, opened.Anomaly.Kind);
        Assert.Equal(At(60), opened.Anomaly.OpenedAt);
        Assert.Equal("edge-1", opened.Anomaly.Series.Labels["agent"]);
        Assert.Equal("acme", opened.Anomaly.Series.Tenant);
        Assert.Empty(watch.Check(At(600)));

        var resolved = Assert.IsType<AnomalyResolved>(watch.Delivered(Edge, At(700)));
        Assert.Equal(opened.Anomaly.Id, resolved.Anomaly.Id);
        Assert.Equal(At(700), resolved.Anomaly.ResolvedAt);
        // The outage did not teach it a slower pace: the next silence is judged by 15 s deliveries again.
        Assert.Null(watch.Delivered(Edge, At(715)));
        Assert.Single(watch.Check(At(715 + 61)));
    }

    [Fact]
    public void An_agent_that_delivers_rarely_gets_four_of_its_usual_gaps()
    {
        var watch = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        for (var s = 0; s <= 600; s += 120)
            watch.Delivered(Edge, At(s));

        Assert.Empty(watch.Check(At(600 + 470)));
        Assert.Single(watch.Check(At(600 + 490)));
    }

    [Fact]
    public void An_agent_seen_before_a_restart_that_never_returns_is_noticed_and_a_restored_silence_resolves_on_return()
    {
        var watch = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        watch.Seen(Edge, At(0));
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(watch.Check(At(120))));

        var restarted = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        restarted.Restore(opened.Anomaly);
        restarted.Seen(Edge, At(0));
        Assert.Empty(restarted.Check(At(300)));
        Assert.Equal(opened.Anomaly.Id, Assert.IsType<AnomalyResolved>(restarted.Delivered(Edge, At(310))).Anomaly.Id);
    }

    [Fact]
    public void Agents_that_never_delivered_are_not_waited_for_and_late_redeliveries_change_nothing()
    {
        var watch = new AgentSilenceWatch(TimeSpan.FromMinutes(1));
        Assert.Empty(watch.Check(At(3600)));

        watch.Delivered(Edge, At(100));
        Assert.Null(watch.Delivered(Edge, At(50)));
        Assert.Empty(watch.Check(At(159)));
    }
}
