using System.Diagnostics;
using System.Diagnostics.Metrics;

using AiDevOps.Brain.Anomalies;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// Where every anomaly change goes, whichever detector made it: stored, counted, logged, and handed to its tenant's
/// alerting (<see cref="ITenantAlertingGrain"/>, on whichever Brain owns it), so a state change waits for nothing but
/// its own write. Written first, so the tenant's next alerting owner finds a change this one never got to.
/// </summary>
public sealed partial class AnomalyRecorder(AnomalyStore anomalies, IGrainFactory grains, ILogger<AnomalyRecorder> logger)
{
    public const string TelemetryName = "AiDevOps.Brain.Anomalies";
    private static readonly ActivitySource Activities = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> Changes = Meter.CreateCounter<long>(
        "aidevops.brain.anomaly.changes", description: "Anomalies opened and resolved.");

    public async Task RecordAsync(AnomalyChange change, CancellationToken ct)
    {
        var what = change is AnomalyOpened ? "opened" : "resolved";
        using var activity = Activities.StartActivity("anomaly " + what);
        activity?.SetTag("aidevops.series", change.Anomaly.Series.Selector());
        try
        {
            await (change is AnomalyResolved
                ? anomalies.ResolveAsync(change.Anomaly, ct)
                : anomalies.SaveAsync(change.Anomaly, ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Alerting still goes ahead: a page that is not stored beats a stored page nobody gets.
            LogStoreFailed(e, change.Anomaly.Id);
        }
        Changes.Add(1, new("change", what), new("detector", change.Anomaly.Detector));
        LogChange(what, change.Anomaly.Kind, change.Anomaly.Series.Selector());
        await grains.GetGrain<ITenantAlertingGrain>(change.Anomaly.Series.Tenant).DispatchAsync(change);
    }

    [LoggerMessage(LogLevel.Warning, "Anomaly {Kind} {Change} on {Series}")]
    private partial void LogChange(string change, string kind, string series);

    [LoggerMessage(LogLevel.Error, "Could not store anomaly {AnomalyId}")]
    private partial void LogStoreFailed(Exception e, string anomalyId);
}
