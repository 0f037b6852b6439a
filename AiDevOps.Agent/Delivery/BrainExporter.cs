using AiDevOps.Contracts;
using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Delivery;

/// <summary>
/// Drains the durable queue into the Brain, oldest first, one batch in flight. Retries with the platform's
/// <see cref="Backoff"/>, honouring Retry-After; a batch leaves the queue only once the Brain has it (or refused it as
/// invalid), and its id is the same on every attempt, so the Brain stores it exactly once.
/// </summary>
public sealed partial class BrainExporter(
    Outbox queue,
    BrainClient brain,
    IOptions<DeliveryOptions> options,
    TimeProvider clock,
    ILogger<BrainExporter> logger) : BackgroundService
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(5);
    private long _lastSuccessUnixSeconds;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        AgentTelemetry.Meter.CreateObservableGauge("aidevops.agent.queue.bytes", () => queue.Log.PendingBytes, "By",
            "Bytes waiting in the durable queue.");
        AgentTelemetry.Meter.CreateObservableGauge("aidevops.agent.queue.samples", () => queue.Log.PendingSamples, "{sample}",
            "Samples waiting in the durable queue.");
        AgentTelemetry.Meter.CreateObservableGauge("aidevops.agent.last_success", () => Interlocked.Read(ref _lastSuccessUnixSeconds), "s",
            "Unix time of the last delivery the Brain acknowledged.");

        var failures = 0;
        var settings = options.Value;
        var untilAccepted = Backoff.Retry<DeliveryOutcome>(
            outcome => outcome.Result is DeliveryOutcome.Retry,
            settings.MinBackoff, settings.MaxBackoff,
            requestedDelay: outcome => (outcome.Result as DeliveryOutcome.Retry)?.After,
            onRetry: args =>
            {
                failures++;
                AgentTelemetry.SendsFailed.Add(1);
                LogRetrying(((DeliveryOutcome.Retry)args.Outcome.Result!).Reason, args.RetryDelay, queue.Log.PendingSamples);
                return ValueTask.CompletedTask;
            },
            time: clock);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (queue.Log.Peek() is not { } record)
            {
                await queue.WaitForRecordsAsync(IdleWait, stoppingToken);
                continue;
            }

            var batchId = $"{queue.Log.Id}:{record.Position}";
            var outcome = await untilAccepted.ExecuteAsync(async token => await brain.SendAsync(record.Payload, batchId, queue.Log.PendingSamples - record.Samples, token), stoppingToken);
            queue.Log.Acknowledge(record);
            if (outcome is DeliveryOutcome.Rejected rejected)
            {
                AgentTelemetry.SamplesDropped.Add(record.Samples, new KeyValuePair<string, object?>("reason", "rejected"));
                LogRejected(batchId, record.Samples, rejected.Reason);
                continue;
            }
            AgentTelemetry.SamplesSent.Add(record.Samples);
            Interlocked.Exchange(ref _lastSuccessUnixSeconds, clock.GetUtcNow().ToUnixTimeSeconds());
            if (failures > 0)
                LogRecovered(failures);
            failures = 0;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Delivery to the Brain failed ({Reason}); retrying in {Delay}, {Pending} samples queued")]
    private partial void LogRetrying(string reason, TimeSpan delay, long pending);

    [LoggerMessage(LogLevel.Information, "Delivery to the Brain works again after {Failures} failed attempts")]
    private partial void LogRecovered(int failures);

    [LoggerMessage(LogLevel.Error, "The Brain refused batch {BatchId} ({Samples} samples) as invalid and it was dropped: {Reason}")]
    private partial void LogRejected(string batchId, int samples, string reason);
}
