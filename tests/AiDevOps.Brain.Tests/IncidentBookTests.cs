using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Detection;

namespace AiDevOps.Brain.Tests;

/// <summary>Grouping anomalies into incidents, on plain state and a clock the test moves.</summary>
public sealed class IncidentBookTests
{
    private static readonly DateTimeOffset T0 = TestNotifications.OpenedAt;
    private static readonly AlertRoute Route = new(AlertRoute.DefaultId, "{}", ["r1"]);
    private readonly IncidentBook _book = new();

    private static Anomaly Unusual(string instance, string metric, DateTimeOffset at)
    {
        var series = Series.Of("acme", new Dictionary<string, string> { ["__name__"] = metric, ["instance"] = instance, ["job"] = "node" });
        return new Anomaly(Anomaly.IdFor(series, at), series, AnomalyKinds.Unusual, EnsembleWatch.Name, 4.2, at);
    }

    private static Anomaly Down(string instance, DateTimeOffset at)
    {
        var series = Series.Of("acme", new Dictionary<string, string> { ["__name__"] = "up", ["instance"] = instance, ["job"] = "node" });
        return new Anomaly(Anomaly.IdFor(series, at), series, AnomalyKinds.TargetDown, UpDetector.Name, 1, at);
    }

    private IncidentUpdate? Open(Anomaly anomaly, DateTimeOffset? now = null) =>
        _book.Apply(new AnomalyOpened(anomaly), Route, Route.ReceiverIds, now ?? anomaly.OpenedAt);

    private IncidentUpdate? Resolve(Anomaly anomaly, DateTimeOffset at) => _book.Apply(anomaly.Resolve(at), Route, Route.ReceiverIds, at);

    [Fact]
    public void Fifty_series_of_one_host_make_one_incident_opened_once_and_updated_after()
    {
        var updates = Enumerable.Range(0, 50).Select(i => Open(Unusual("web-7:9100", $"node_metric_{i}", T0.AddSeconds(i)))!).ToList();

        Assert.Equal(NotificationKind.Opened, updates[0].Kind);
        Assert.All(updates.Skip(1), u => Assert.Equal(NotificationKind.Updated, u.Kind));
        Assert.Single(updates.Select(u => u.Incident.Id).Distinct());
        var incident = updates[^1].Incident;
        Assert.Equal(50, incident.Members.Count);
        Assert.Equal("Unusual node_metric_0 and 49 more", incident.Title);
        Assert.Equal("{instance=\"web-7:9100\"}", incident.Selector);
        Assert.False(incident.Pages);
        Assert.Equal(50, incident.Version);
    }

    [Fact]
    public void Another_host_is_another_incident_and_the_same_change_twice_is_nothing_new()
    {
        var first = Unusual("web-7:9100", "node_load1", T0);
        Assert.Equal(NotificationKind.Opened, Open(first)!.Kind);
        Assert.Equal(NotificationKind.Opened, Open(Unusual("web-8:9100", "node_load1", T0))!.Kind);
        Assert.Null(Open(first));
        Assert.Equal(2, _book.Open().Count);
    }

    [Fact]
    public void A_paging_member_escalates_a_quiet_incident_and_it_resolves_with_its_last_member()
    {
        var unusual = Unusual("db-1:9100", "node_load1", T0);
        var down = Down("db-1:9100", T0.AddMinutes(1));
        Assert.Equal(NotificationKind.Opened, Open(unusual)!.Kind);

        var escalated = Open(down)!;
        Assert.Equal(NotificationKind.Escalated, escalated.Kind);
        Assert.True(escalated.Incident.Pages);
        Assert.Equal("Target down and 1 more", escalated.Incident.Title);

        Assert.Equal(NotificationKind.Updated, Resolve(unusual, T0.AddMinutes(2))!.Kind);
        var resolved = Resolve(down, T0.AddMinutes(3))!;
        Assert.Equal(NotificationKind.Resolved, resolved.Kind);
        Assert.Equal(IncidentState.Resolved, resolved.Incident.State);
        Assert.Equal(T0.AddMinutes(3), resolved.Incident.ResolvedAt);
        Assert.Contains(resolved.Incident.Timeline, e => e.What == "Incident resolved");
        Assert.Null(Resolve(down, T0.AddMinutes(4)));
    }

    [Fact]
    public void A_flapping_host_fires_again_in_the_same_incident_within_the_group_interval_and_opens_a_new_one_after()
    {
        var first = Down("db-1:9100", T0);
        var opened = Open(first)!.Incident;
        Resolve(first, T0.AddMinutes(1));

        var again = Open(Down("db-1:9100", T0.AddMinutes(3)))!;
        Assert.Equal((NotificationKind.Reopened, opened.Id, IncidentState.Open), (again.Kind, again.Incident.Id, again.Incident.State));

        Resolve(Down("db-1:9100", T0.AddMinutes(3)), T0.AddMinutes(4));
        var later = Open(Down("db-1:9100", T0.AddMinutes(10)))!;
        Assert.Equal(NotificationKind.Opened, later.Kind);
        Assert.NotEqual(opened.Id, later.Incident.Id);
    }

    [Fact]
    public void An_open_incident_is_sent_again_after_its_repeat_interval_until_someone_acknowledges_it()
    {
        var incident = Open(Down("db-1:9100", T0))!.Incident;
        Assert.Empty(_book.DueForRepeat(T0.AddHours(3)));

        var repeated = Assert.Single(_book.DueForRepeat(T0.AddHours(4)));
        Assert.Equal((NotificationKind.Repeated, incident.Id), (repeated.Kind, repeated.Incident.Id));
        Assert.Empty(_book.DueForRepeat(T0.AddHours(5)));

        var acknowledged = _book.Acknowledge(incident.Id, "alice", T0.AddHours(5))!;
        Assert.Equal((NotificationKind.Acknowledged, IncidentState.Acknowledged, "alice"),
            (acknowledged.Kind, acknowledged.Incident.State, acknowledged.Incident.AcknowledgedBy));
        Assert.Empty(_book.DueForRepeat(T0.AddHours(12)));
        Assert.Null(_book.Acknowledge(incident.Id, "bob", T0.AddHours(12)));
    }

    [Fact]
    public void Routes_group_by_their_own_labels()
    {
        var byJob = new AlertRoute("by-job", "{job=\"node\"}", ["r1"], Settings: RouteSettings.Defaults with { GroupBy = ["job"] });
        var a = _book.Apply(new AnomalyOpened(Unusual("web-1:9100", "node_load1", T0)), byJob, ["r1"], T0)!;
        var b = _book.Apply(new AnomalyOpened(Unusual("web-2:9100", "node_load1", T0)), byJob, ["r1"], T0)!;
        Assert.Equal((NotificationKind.Opened, NotificationKind.Updated), (a.Kind, b.Kind));
        Assert.Equal("{job=\"node\"}", b.Incident.Selector);
    }

    [Fact]
    public void Resolved_by_hand_it_is_one_resolve_its_members_recoveries_say_nothing_more_and_a_new_anomaly_opens_it_again()
    {
        var down = Down("web-9:9100", T0);
        var incident = Open(down)!.Incident;

        var closed = _book.Close(incident.Id, "carol", T0.AddMinutes(2))!;
        Assert.Equal((NotificationKind.Resolved, IncidentState.Resolved), (closed.Kind, closed.Incident.State));
        Assert.All(closed.Incident.Members, m => Assert.Equal(T0.AddMinutes(2), m.ResolvedAt));
        Assert.Equal("Resolved by carol", closed.Incident.Timeline[^1].What);
        Assert.Null(_book.Close(incident.Id, "dave", T0.AddMinutes(3)));
        Assert.Null(Resolve(down, T0.AddMinutes(4)));
        Assert.Empty(_book.Open());

        var again = Open(Unusual("web-9:9100", "node_load1", T0.AddMinutes(5)))!;
        Assert.Equal((NotificationKind.Reopened, incident.Id), (again.Kind, again.Incident.Id));
    }
}
