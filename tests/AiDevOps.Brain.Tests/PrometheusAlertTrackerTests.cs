using AiDevOps.Brain.Detection;

namespace AiDevOps.Brain.Tests;

public class PrometheusAlertTrackerTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-28T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static PostableAlert Alert(DateTimeOffset? endsAt, string name = "DiskFull") => new(
        new Dictionary<string, string> { ["alertname"] = name, ["instance"] = "db-1" },
        new Dictionary<string, string> { ["summary"] = "Disk almost full." }, T0.AddMinutes(-1), endsAt, null);

    [Fact]
    public void A_new_alert_opens_once_and_re_sends_only_extend_it()
    {
        var tracker = new PrometheusAlertTracker();
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(tracker.Receive("t", [Alert(T0.AddMinutes(1))], T0)));
        Assert.Equal(AnomalyKinds.PrometheusAlert, opened.Anomaly.Kind);
        // The alert's own words are its evidence; the summary is left to Insights, beside them.
        Assert.Equal("Disk almost full.", opened.Anomaly.Evidence);
        Assert.Null(opened.Anomaly.Summary);
        Assert.Equal(T0.AddMinutes(-1), opened.Anomaly.OpenedAt);

        Assert.Empty(tracker.Receive("t", [Alert(T0.AddMinutes(2))], T0.AddSeconds(30)));
        Assert.Empty(tracker.Tick(T0.AddSeconds(90)));
    }

    [Fact]
    public void An_alert_that_is_not_re_sent_resolves_when_its_endsAt_passes()
    {
        var tracker = new PrometheusAlertTracker();
        tracker.Receive("t", [Alert(T0.AddMinutes(1))], T0);
        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(tracker.Tick(T0.AddMinutes(1))));
        Assert.Equal(T0.AddMinutes(1), resolved.Anomaly.ResolvedAt);
    }

    [Fact]
    public void An_endsAt_in_the_past_resolves_at_once_and_tenants_are_apart()
    {
        var tracker = new PrometheusAlertTracker();
        tracker.Receive("a", [Alert(T0.AddMinutes(5))], T0);
        Assert.Single(tracker.Receive("b", [Alert(T0.AddMinutes(5))], T0));
        var changes = tracker.Receive("a", [Alert(T0.AddSeconds(-1))], T0);
        Assert.Equal("a", Assert.IsType<AnomalyResolved>(Assert.Single(changes)).Anomaly.Series.Tenant);
    }
}
