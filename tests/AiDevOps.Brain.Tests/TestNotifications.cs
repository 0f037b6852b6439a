using System.Globalization;
using AiDevOps.Brain.Alerting;
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

    public static Notification Firing(Anomaly anomaly) => new(NotificationStatus.Firing, anomaly);

    public static Notification Resolved(Anomaly anomaly, TimeSpan after) =>
        new(NotificationStatus.Resolved, anomaly with { ResolvedAt = anomaly.OpenedAt + after });
}
