using AiDevOps.Brain.Detection;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tests;

public class AgentSilenceWatchTests
{
    private static readonly AgentIdentity Edge = new("edge-1", "acme");
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    private static AgentDirectory Configured(params AgentIdentity[] agents) => new(Options.Create(new AgentKeysOptions
    {
        Agents = [.. agents.Select(a => new AgentKeyOptions { Id = a.AgentId, Tenant = a.Tenant, KeySha256 = new string('0', 64) })],
    }));

    private static (AgentPace Pace, AgentSilenceWatch Watch) NewWatch()
    {
        var pace = new AgentPace();
        return (pace, new AgentSilenceWatch(pace, Configured(Edge), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void An_agent_silent_past_the_minimum_opens_once_and_the_check_after_its_return_resolves_it()
    {
        var (pace, watch) = NewWatch();
        for (var s = 0; s <= 60; s += 15)
            pace.Delivered(Edge, At(s));

        Assert.Empty(watch.Tick(At(60 + 59)));
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(watch.Tick(At(60 + 61))));
        Assert.Equal(AnomalyKinds.AgentSilent, opened.Anomaly.Kind);
        Assert.Equal(At(60), opened.Anomaly.OpenedAt);
        Assert.Equal("edge-1", opened.Anomaly.Series.Labels["agent"]);
        Assert.Equal("acme", opened.Anomaly.Series.Tenant);
        Assert.Empty(watch.Tick(At(600)));

        // The gap that ended the outage does not teach it a slower pace.
        Assert.Equal(TimeSpan.FromSeconds(15), pace.Delivered(Edge, At(700)));
        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(watch.Tick(At(701))));
        Assert.Equal(opened.Anomaly.Id, resolved.Anomaly.Id);
        Assert.Equal(At(700), resolved.Anomaly.ResolvedAt);
        pace.Delivered(Edge, At(715));
        Assert.IsType<AnomalyOpened>(Assert.Single(watch.Tick(At(715 + 61))));
    }

    [Fact]
    public void An_agent_that_delivers_rarely_gets_four_of_its_usual_gaps_and_bursts_do_not_shorten_them()
    {
        var (pace, watch) = NewWatch();
        for (var s = 0; s <= 600; s += 120)
        {
            // One round in three batches, a few milliseconds apart.
            pace.Delivered(Edge, At(s));
            pace.Delivered(Edge, At(s + 0.01));
            pace.Delivered(Edge, At(s + 0.02));
        }

        Assert.Empty(watch.Tick(At(600 + 470)));
        Assert.Single(watch.Tick(At(600 + 490)));
    }

    [Fact]
    public void An_agent_seen_before_a_restart_that_never_returns_is_noticed_and_a_restored_silence_resolves_on_return()
    {
        var (pace, watch) = NewWatch();
        pace.Seen(new AgentActivity(Edge, At(0), TimeSpan.FromSeconds(15), null));
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(watch.Tick(At(120))));

        var (restartedPace, restarted) = NewWatch();
        Assert.Empty(restarted.Restore(opened.Anomaly, At(300)));
        restartedPace.Seen(new AgentActivity(Edge, At(0), TimeSpan.FromSeconds(15), null));
        Assert.Empty(restarted.Tick(At(300)));
        restartedPace.Delivered(Edge, At(310));
        Assert.Equal(opened.Anomaly.Id, Assert.IsType<AnomalyResolved>(Assert.Single(restarted.Tick(At(311)))).Anomaly.Id);
    }

    [Fact]
    public void An_agent_is_not_waited_for_before_its_pace_is_known_and_late_redeliveries_change_nothing()
    {
        var (pace, watch) = NewWatch();
        Assert.Empty(watch.Tick(At(3600)));

        Assert.Null(pace.Delivered(Edge, At(100)));
        Assert.Empty(watch.Tick(At(3600)));

        Assert.Equal(TimeSpan.FromSeconds(3600), pace.Delivered(Edge, At(3700)));
        Assert.Equal(TimeSpan.FromSeconds(3600), pace.Delivered(Edge, At(50)));
        Assert.Empty(watch.Tick(At(3700 + 4 * 3600 - 1)));
    }

    [Fact]
    public void An_agent_that_said_goodbye_is_not_waited_for_until_it_delivers_again()
    {
        var (pace, watch) = NewWatch();
        for (var s = 0; s <= 60; s += 15)
            pace.Delivered(Edge, At(s));
        pace.Departed(Edge, At(61));

        Assert.Empty(watch.Tick(At(3600)));

        // Back from a planned stop: the long gap teaches no pace, and a later silence pages again.
        Assert.Equal(TimeSpan.FromSeconds(15), pace.Delivered(Edge, At(3700)));
        Assert.Empty(watch.Tick(At(3700 + 59)));
        Assert.IsType<AnomalyOpened>(Assert.Single(watch.Tick(At(3700 + 61))));
    }

    [Fact]
    public void A_silence_of_an_agent_no_longer_configured_resolves_when_it_is_taken_back()
    {
        var (pace, watch) = NewWatch();
        pace.Seen(new AgentActivity(Edge, At(0), TimeSpan.FromSeconds(15), null));
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(watch.Tick(At(120))));

        var removed = new AgentSilenceWatch(new AgentPace(), Configured(), TimeSpan.FromMinutes(1));
        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(removed.Restore(opened.Anomaly, At(300))));
        Assert.Equal(At(300), resolved.Anomaly.ResolvedAt);
    }
}
