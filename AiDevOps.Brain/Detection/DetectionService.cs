using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Runs every stored batch through the detectors, records anomalies and hands their changes to alerting at once:
/// a state change never waits for anything but its own write.
/// </summary>
public sealed partial class DetectionService(
    ChannelReader<IngestedBatch> batches,
    ChannelWriter<AnomalyChange> changes,
    AnomalyStore anomalies,
    TableInitializer tables,
    ApiKeyAuthenticator agents,
    ILogger<DetectionService> logger) : BackgroundService
{
    public const string TelemetryName = "AiDevOps.Brain.Detection";
    private static readonly ActivitySource Activities = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> Changes = Meter.CreateCounter<long>(
        "aidevops.brain.anomaly.changes", description: "Anomalies opened and resolved.");

    private readonly UpDetector _up = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await tables.Ready.WaitAsync(stoppingToken);
        await RestoreOpenAnomaliesAsync(stoppingToken);

        await foreach (var batch in batches.ReadAllAsync(stoppingToken))
        {
            foreach (var (series, samples) in batch.Series)
            {
                if (_up.Evaluate(series, samples) is not { } change)
                    continue;
                using var activity = Activities.StartActivity("anomaly " + (change is AnomalyOpened ? "opened" : "resolved"));
                activity?.SetTag("aidevops.series", series.Selector());
                try
                {
                    await (change is AnomalyResolved
                        ? anomalies.ResolveAsync(change.Anomaly, stoppingToken)
                        : anomalies.SaveAsync(change.Anomaly, stoppingToken));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Alerting still goes ahead: a page that is not stored beats a stored page nobody gets.
                    LogStoreFailed(e, change.Anomaly.Id);
                }
                Changes.Add(1, new KeyValuePair<string, object?>("change", change is AnomalyOpened ? "opened" : "resolved"));
                LogChange(change is AnomalyOpened ? "opened" : "resolved", change.Anomaly.Kind, series.Selector());
                await changes.WriteAsync(change, stoppingToken);
            }
        }
    }

    private async Task RestoreOpenAnomaliesAsync(CancellationToken ct)
    {
        foreach (var tenant in agents.Agents.Select(a => a.Tenant).Distinct())
        {
            foreach (var open in await anomalies.ListAsync(tenant, open: true, limit: 100_000, ct))
                _up.Restore(open);
        }
        LogRestored(_up.TrackedSeries);
    }

    [LoggerMessage(LogLevel.Warning, "Anomaly {Kind} {Change} on {Series}")]
    private partial void LogChange(string change, string kind, string series);

    [LoggerMessage(LogLevel.Error, "Could not store anomaly {AnomalyId}")]
    private partial void LogStoreFailed(Exception e, string anomalyId);

    [LoggerMessage(LogLevel.Information, "Detection resumed with {Open} open anomalies")]
    private partial void LogRestored(int open);
}
