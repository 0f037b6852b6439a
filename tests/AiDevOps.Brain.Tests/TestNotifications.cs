using System.Globalization;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Detection;
using Microsoft.Extensions.DependencyInjection;

namespace AiDevOps.Brain.Tests;

/// <summary>Anomalies and notifications the channel tests send, and plain HTTP clients to send them with.</summary>
internal static class TestNotifications
{
    public static readonly DateTimeOffset OpenedAt = DateTimeOffset.Parse("2026-11-28T10:00:00Z", CultureInfo.InvariantCulture);

    public static IHttpClientFactory Clients { get; } =
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

    public static Anomaly TargetDown(string instance = "db-1:9100", string job = "node")
    {
        var series = Series.Of("acme", new Dictionary<string, string> { ["__name__"] = "up", ["job"] = job, ["instance"] = instance });
        return new Anomaly(Anomaly.IdFor(series, OpenedAt), series, AnomalyKinds.TargetDown, UpDetector.Name, 1, OpenedAt,
            Summary: "db-1 stopped answering its scrapes; check the exporter.", Evidence: "up went from 1 to 0.");
    }

    public static Anomaly PrometheusAlert(params (string Name, string Value)[] labels)
    {
        var series = Series.Of("acme", new Dictionary<string, string>(labels.ToDictionary(l => l.Name, l => l.Value)) { ["__name__"] = "ALERTS" });
        return new Anomaly(Anomaly.IdFor(series, OpenedAt), series, AnomalyKinds.PrometheusAlert, PrometheusAlertTracker.Detector, 1, OpenedAt);
    }

    /// <summary>The incident one anomaly makes on its own, as the default route groups it.</summary>
    public static Incident IncidentOf(Anomaly anomaly) => new(
        anomaly.Series.Tenant, Incident.IdFor(anomaly.Series.Tenant, AlertRoute.DefaultId, anomaly.Id, anomaly.OpenedAt), AlertRoute.DefaultId,
        new Dictionary<string, string> { ["instance"] = anomaly.Series.Labels.GetValueOrDefault("instance", "") }, [], RouteSettings.Defaults,
        anomaly.IsOpen ? IncidentState.Open : IncidentState.Resolved, anomaly.OpenedAt, [anomaly], [], anomaly.OpenedAt, ResolvedAt: anomaly.ResolvedAt);

    public static Notification Firing(Anomaly anomaly) => new(NotificationKind.Opened, IncidentOf(anomaly));

    /// <summary>The resolve of the incident of <paramref name="anomaly"/>, which carries its <see cref="Anomaly.ResolvedAt"/>.</summary>
    public static Notification AsResolved(Anomaly anomaly) => new(NotificationKind.Resolved, IncidentOf(anomaly));

    public static Notification Resolved(Anomaly anomaly, TimeSpan after) => AsResolved(anomaly with { ResolvedAt = anomaly.OpenedAt + after });
}
