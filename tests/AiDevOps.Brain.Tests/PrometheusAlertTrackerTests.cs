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

    // Alertmanager's webhook clears a firing alert's endsAt to the zero time.
    private static readonly DateTimeOffset ZeroTime = new(1, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static NotifiedAlert Notified(string status, DateTimeOffset? endsAt = null, string name = "DiskFull") => new(
        status, new Dictionary<string, string> { ["alertname"] = name, ["instance"] = "db-1" },
        new Dictionary<string, string> { ["summary"] = "Disk almost full.", ["description"] = "3% left." }, T0.AddMinutes(-1),
        endsAt ?? ZeroTime, "http://prometheus:9090/graph", "c0ffee");

    [Fact]
    public void A_notified_firing_alert_opens_once_and_outlives_the_five_minutes_of_an_API_v2_alert()
    {
        var tracker = new PrometheusAlertTracker();
        var opened = Assert.IsType<AnomalyOpened>(Assert.Single(tracker.Notify("t", [Notified("firing")], T0)));
        Assert.Equal(AnomalyKinds.PrometheusAlert, opened.Anomaly.Kind);
        Assert.Equal(PrometheusAlertTracker.AlertmanagerDetector, opened.Anomaly.Detector);
        Assert.Equal("Disk almost full. 3% left.", opened.Anomaly.Evidence);
        Assert.Equal(T0.AddMinutes(-1), opened.Anomaly.OpenedAt);

        // Alertmanager re-sends it only every repeat_interval: hours pass with no word, and it stays open.
        Assert.Empty(tracker.Tick(T0 + PrometheusAlertTracker.DefaultLifetime + TimeSpan.FromSeconds(1)));
        Assert.Empty(tracker.Tick(T0 + PrometheusAlertTracker.DefaultRepeatInterval + TimeSpan.FromMinutes(5)));
        // The repeat itself changes nothing.
        Assert.Empty(tracker.Notify("t", [Notified("firing")], T0 + PrometheusAlertTracker.DefaultRepeatInterval + TimeSpan.FromMinutes(5)));
        Assert.Equal(TimeSpan.FromHours(12), tracker.NotifiedLifetime);
    }

    [Fact]
    public void A_resolved_notification_resolves_at_its_endsAt_and_tenants_are_apart()
    {
        var tracker = new PrometheusAlertTracker();
        tracker.Notify("a", [Notified("firing")], T0);
        Assert.Single(tracker.Notify("b", [Notified("firing")], T0));

        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(tracker.Notify("a", [Notified("resolved", T0.AddMinutes(2))], T0.AddMinutes(3))));
        Assert.Equal("a", resolved.Anomaly.Series.Tenant);
        Assert.Equal(T0.AddMinutes(2), resolved.Anomaly.ResolvedAt);
        // Resolved again (Alertmanager retrying a notification it thinks failed): nothing is open, nothing changes.
        Assert.Empty(tracker.Notify("a", [Notified("resolved", T0.AddMinutes(2))], T0.AddMinutes(4)));
    }

    [Fact]
    public void A_resolved_notification_without_a_usable_endsAt_resolves_now()
    {
        var tracker = new PrometheusAlertTracker();
        tracker.Notify("t", [Notified("firing", name: "A"), Notified("firing", name: "B")], T0);
        // No endsAt, and one ahead of the Brain's clock (Alertmanager's clock runs fast): neither resolves in the future.
        var changes = tracker.Notify("t", [Notified("resolved", ZeroTime, "A"), Notified("resolved", T0.AddHours(1), "B")], T0.AddMinutes(1));
        Assert.Equal(2, changes.Count);
        Assert.All(changes, c => Assert.Equal(T0.AddMinutes(1), Assert.IsType<AnomalyResolved>(c).Anomaly.ResolvedAt));
    }

    [Fact]
    public void A_resolved_alert_never_seen_firing_opens_nothing()
    {
        var tracker = new PrometheusAlertTracker();
        Assert.Empty(tracker.Notify("t", [Notified("resolved", T0.AddMinutes(-1))], T0));
        Assert.Empty(tracker.Tick(T0.AddDays(1)));
    }

    [Fact]
    public void A_webhook_alert_never_notified_again_resolves_when_its_lease_of_three_repeat_intervals_runs_out()
    {
        var tracker = new PrometheusAlertTracker(TimeSpan.FromHours(1));
        tracker.Notify("t", [Notified("firing")], T0);
        tracker.Notify("t", [Notified("firing")], T0.AddHours(1)); // a repeat renews the lease
        Assert.Empty(tracker.Tick(T0.AddHours(3.9)));
        var resolved = Assert.IsType<AnomalyResolved>(Assert.Single(tracker.Tick(T0.AddHours(4))));
        Assert.Equal(T0.AddHours(4), resolved.Anomaly.ResolvedAt);
    }

    [Fact]
    public void After_a_restart_each_alert_gets_the_lifetime_of_its_way_in()
    {
        var before = new PrometheusAlertTracker();
        var webhook = Assert.IsType<AnomalyOpened>(Assert.Single(before.Notify("t", [Notified("firing", name: "FromWebhook")], T0))).Anomaly;
        var apiV2 = Assert.IsType<AnomalyOpened>(Assert.Single(before.Receive("t", [Alert(T0.AddMinutes(1), "FromApiV2")], T0))).Anomaly;

        var after = new PrometheusAlertTracker();
        Assert.Empty(after.Restore(webhook, T0.AddMinutes(10)));
        Assert.Empty(after.Restore(apiV2, T0.AddMinutes(10)));
        var ended = Assert.Single(after.Tick(T0.AddMinutes(15)));
        Assert.Equal(apiV2.Id, ended.Anomaly.Id);
        Assert.Empty(after.Tick(T0.AddMinutes(10) + after.NotifiedLifetime - TimeSpan.FromSeconds(1)));
        Assert.Equal(webhook.Id, Assert.Single(after.Tick(T0.AddMinutes(10) + after.NotifiedLifetime)).Anomaly.Id);
        // A firing repeat after the restart is the same incident: nothing opens.
        var again = new PrometheusAlertTracker();
        again.Restore(webhook, T0.AddMinutes(10));
        Assert.Empty(again.Notify("t", [Notified("firing", name: "FromWebhook")], T0.AddMinutes(11)));
    }
}
