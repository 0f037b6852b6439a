using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;
using Polly;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// Turns anomaly changes into notifications: adds a summary from Insights (bounded in time; the alert goes out
/// without it), then sends to every receiver of the tenant through the notifier of its channel, retrying failures
/// that are worth retrying. Changes are handled in order, so a resolve never overtakes its firing.
/// </summary>
public sealed partial class AlertDispatcher(
    ChannelReader<AnomalyChange> changes,
    IEnumerable<INotifier> notifiers,
    AlertConfigStore receivers,
    AnomalyStore anomalies,
    ISampleStore samples,
    InsightsClient insights,
    IOptions<AlertingOptions> options,
    ILogger<AlertDispatcher> logger) : BackgroundService
{
    public const string TelemetryName = "AiDevOps.Brain.Alerting";
    private static readonly ActivitySource Activities = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> Sent = Meter.CreateCounter<long>(
        "aidevops.brain.notifications", description: "Notifications by channel and outcome.");

    private readonly Dictionary<string, INotifier> _notifiers = notifiers.ToDictionary(n => n.Channel, StringComparer.OrdinalIgnoreCase);

    private readonly ResiliencePipeline<NotifyResult> _retries = Backoff.Retry<NotifyResult>(
        outcome => outcome.Result is { Delivered: false, Retryable: true },
        first: TimeSpan.FromMilliseconds(500), max: TimeSpan.FromSeconds(30), maxRetries: options.Value.MaxAttempts - 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in changes.ReadAllAsync(stoppingToken))
        {
            try
            {
                await DispatchAsync(change, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogDispatchFailed(e, change.Anomaly.Id);
            }
        }
    }

    private async Task DispatchAsync(AnomalyChange change, CancellationToken ct)
    {
        using var activity = Activities.StartActivity("dispatch " + change.GetType().Name);
        var anomaly = change.Anomaly;
        var status = change is AnomalyOpened ? NotificationStatus.Firing : NotificationStatus.Resolved;
        if (status == NotificationStatus.Firing)
        {
            anomaly = await WithSummaryAsync(anomaly, ct);
            await anomalies.SetSummaryAsync(anomaly, ct);
        }

        var notification = new Notification(status, anomaly);
        var targets = Routing.ReceiversFor(anomaly.Series.Labels,
            await receivers.ListRoutesAsync(anomaly.Series.Tenant, ct),
            await receivers.ListReceiversAsync(anomaly.Series.Tenant, ct));
        var deliverable = targets.Where(r => _notifiers.ContainsKey(r.Channel)).ToList();
        if (deliverable.Count == 0)
        {
            LogRecordedOnly(status, anomaly.Series.Selector(), targets.Count);
            return;
        }
        await Task.WhenAll(deliverable.Select(r => DeliverAsync(_notifiers[r.Channel], r, notification, ct)));
    }

    /// <summary>
    /// The summary within <c>Alerting:SummaryTimeout</c>, all of it: what reading the evidence left of it goes to
    /// Insights as its budget, so Insights answers (with its deterministic summary if its model is slower) in time.
    /// </summary>
    private async Task<Anomaly> WithSummaryAsync(Anomaly anomaly, CancellationToken ct)
    {
        var budget = options.Value.SummaryTimeout;
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(budget);
        try
        {
            var recent = await samples.LatestAsync(anomaly.Series.Tenant, anomaly.Series.Id, options.Value.EvidenceSamples, timeout.Token);
            var left = budget - Stopwatch.GetElapsedTime(started);
            var facts = new AnomalyFacts(anomaly.Series.Metric, anomaly.Series.Labels, anomaly.Kind, anomaly.Detector, anomaly.OpenedAt, recent,
                anomaly.Evidence, anomaly.Score, (int)Math.Max(1, left.TotalMilliseconds));
            var summary = await insights.SummarizeAsync(facts, timeout.Token);
            return anomaly with { Summary = summary.Summary, SummarySource = summary.Source };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogNoSummary(anomaly.Id, e.GetType().Name, options.Value.SummaryTimeout);
            return anomaly;
        }
    }

    private async Task DeliverAsync(INotifier notifier, Receiver receiver, Notification notification, CancellationToken ct)
    {
        var attempts = 0;
        var result = await _retries.ExecuteAsync(async token =>
        {
            attempts++;
            try
            {
                return await notifier.NotifyAsync(receiver, notification, token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                return NotifyResult.Retry(e.GetType().Name + ": " + e.Message);
            }
        }, ct);
        if (result.Delivered)
        {
            Sent.Add(1, new("channel", notifier.Channel), new("outcome", "delivered"));
            LogDelivered(notification.Status, notifier.Channel, notification.Anomaly.Series.Selector());
            return;
        }
        Sent.Add(1, new("channel", notifier.Channel), new("outcome", "failed"));
        LogDeliveryFailed(notifier.Channel, attempts, result.Error);
    }

    [LoggerMessage(LogLevel.Warning, "Alert {Status} for {Series} is recorded only: no receiver with a configured channel ({Receivers} receivers). See GET /api/anomalies.")]
    private partial void LogRecordedOnly(NotificationStatus status, string series, int receivers);

    [LoggerMessage(LogLevel.Information, "Alert {Status} for {Series} delivered via {Channel}")]
    private partial void LogDelivered(NotificationStatus status, string channel, string series);

    [LoggerMessage(LogLevel.Error, "Alert delivery via {Channel} failed after {Attempts} attempts: {Error}")]
    private partial void LogDeliveryFailed(string channel, int attempts, string? error);

    [LoggerMessage(LogLevel.Warning, "Alert for {AnomalyId} goes out without a summary ({Reason}; limit {Timeout})")]
    private partial void LogNoSummary(string anomalyId, string reason, TimeSpan timeout);

    [LoggerMessage(LogLevel.Error, "Could not dispatch anomaly {AnomalyId}")]
    private partial void LogDispatchFailed(Exception e, string anomalyId);
}
