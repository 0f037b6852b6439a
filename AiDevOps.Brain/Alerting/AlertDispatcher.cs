using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Storage;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// Turns anomaly changes into notifications: adds a summary from Insights (within one time budget; the alert goes
/// out without it), then writes one entry per receiver of the tenant into the durable outbox and hands them to
/// <see cref="NotificationDelivery"/>. Changes are handled in order, so a resolve never overtakes its firing.
/// </summary>
public sealed partial class AlertDispatcher(
    ChannelReader<AnomalyChange> changes,
    IEnumerable<INotifier> notifiers,
    AlertConfigStore receivers,
    AnomalyStore anomalies,
    ISampleStore samples,
    InsightsClient insights,
    NotificationOutbox outbox,
    SilenceStore silences,
    Inhibition inhibition,
    AgentDirectory directory,
    TableInitializer tables,
    NotificationDelivery delivery,
    IOptions<AlertingOptions> options,
    TimeProvider clock,
    ILogger<AlertDispatcher> logger) : BackgroundService
{
    public const string TelemetryName = "AiDevOps.Brain.Alerting";
    private static readonly ActivitySource Activities = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> Silenced = Meter.CreateCounter<long>(
        "aidevops.brain.notifications.silenced", description: "Notifications held back by a silence or maintenance window.");

    private readonly HashSet<string> _channels = notifiers.Select(n => n.Channel).ToHashSet(StringComparer.OrdinalIgnoreCase);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await tables.Ready.WaitAsync(stoppingToken);
        foreach (var tenant in directory.Tenants)
            inhibition.Restore(await anomalies.ListAsync(tenant, open: true, limit: 100_000, stoppingToken));
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
        if (inhibition.Inhibits(change))
        {
            LogInhibited(status, anomaly.Series.Selector());
            return;
        }
        if (status == NotificationStatus.Firing)
        {
            anomaly = await WithSummaryAsync(anomaly, ct);
            await anomalies.SetSummaryAsync(anomaly, ct);
        }

        var notification = new Notification(status, anomaly);
        var targets = Routing.ReceiversFor(anomaly.Series.Labels,
            await receivers.ListRoutesAsync(anomaly.Series.Tenant, ct),
            await receivers.ListReceiversAsync(anomaly.Series.Tenant, ct));
        var now = clock.GetUtcNow();
        if ((await silences.ListAsync(anomaly.Series.Tenant, ct)).FirstOrDefault(s => s.IsActiveAt(now) && s.Matches(anomaly.Series.Labels)) is { } silence)
        {
            Silenced.Add(1);
            LogSilenced(status, anomaly.Series.Selector(), silence.Id, silence.CreatedBy);
            return;
        }
        var entries = targets.Where(r => _channels.Contains(r.Channel)).Select(r => OutboxEntry.For(r, notification, now)).ToList();
        if (entries.Count == 0)
        {
            LogRecordedOnly(status, anomaly.Series.Selector(), targets.Count);
            return;
        }
        // Stored before the first attempt: from here on a stop or a slow channel cannot lose it.
        await outbox.AddAsync(entries, ct);
        await delivery.EnqueueAsync(entries, ct);
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

    [LoggerMessage(LogLevel.Information, "Alert {Status} for {Series} is held back: its target is down")]
    private partial void LogInhibited(NotificationStatus status, string series);

    [LoggerMessage(LogLevel.Information, "Alert {Status} for {Series} is silenced by {SilenceId} ({CreatedBy})")]
    private partial void LogSilenced(NotificationStatus status, string series, string silenceId, string createdBy);

    [LoggerMessage(LogLevel.Warning, "Alert {Status} for {Series} is recorded only: no receiver with a configured channel ({Receivers} receivers). See GET /api/anomalies.")]
    private partial void LogRecordedOnly(NotificationStatus status, string series, int receivers);

    [LoggerMessage(LogLevel.Warning, "Alert for {AnomalyId} goes out without a summary ({Reason}; limit {Timeout})")]
    private partial void LogNoSummary(string anomalyId, string reason, TimeSpan timeout);

    [LoggerMessage(LogLevel.Error, "Could not dispatch anomaly {AnomalyId}")]
    private partial void LogDispatchFailed(Exception e, string anomalyId);
}
