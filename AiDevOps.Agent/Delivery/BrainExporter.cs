using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Delivery;

/// <summary>
/// Drains the durable queue into the Brain, oldest first, one batch in flight. Retries with exponential backoff
/// and jitter, honouring Retry-After; a batch leaves the queue only once the Brain has it (or refused it as
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
        while (!stoppingToken.IsCancellationRequested)
        {
            if (queue.Log.Peek() is not { } record)
            {
                await queue.WaitForRecordsAsync(IdleWait, stoppingToken);
                continue;
            }

            var batchId = $"{queue.Log.Id}:{record.Position}";
            var outcome = await brain.SendAsync(record.Payload, batchId, stoppingToken);
            switch (outcome)
            {
                case DeliveryOutcome.Delivered:
                    queue.Log.Acknowledge(record);
                    AgentTelemetry.SamplesSent.Add(record.Samples);
                    Interlocked.Exchange(ref _lastSuccessUnixSeconds, clock.GetUtcNow().ToUnixTimeSeconds());
                    if (failures > 0)
                        LogRecovered(failures);
                    failures = 0;
                    break;
                case DeliveryOutcome.Rejected rejected:
                    queue.Log.Acknowledge(record);
                    AgentTelemetry.SamplesDropped.Add(record.Samples, new KeyValuePair<string, object?>("reason", "rejected"));
                    LogRejected(batchId, record.Samples, rejected.Reason);
                    break;
                case DeliveryOutcome.Retry retry:
                    failures++;
                    AgentTelemetry.SendsFailed.Add(1);
                    var delay = Backoff(failures, retry.After);
                    LogRetrying(retry.Reason, delay, queue.Log.PendingSamples);
                    await Task.Delay(delay, clock, stoppingToken);
                    break;
            }
        }
    }

    /// <summary>Exponential with full jitter, never shorter than what the Brain asked for, never longer than the cap.</summary>
    private TimeSpan Backoff(int failures, TimeSpan? retryAfter)
    {
        var settings = options.Value;
        var exponential = settings.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20));
        var jittered = TimeSpan.FromMilliseconds(Math.Min(exponential, settings.MaxBackoff.TotalMilliseconds) * (0.5 + Random.Shared.NextDouble() / 2));
        return retryAfter is { } after && after > jittered ? TimeSpan.FromTicks(Math.Min(after.Ticks, settings.MaxBackoff.Ticks)) : jittered;
    }

    [LoggerMessage(LogLevel.Warning, "Delivery to the Brain failed ({Reason}); retrying in {Delay}, {Pending} samples queued")]
    private partial void LogRetrying(string reason, TimeSpan delay, long pending);

    [LoggerMessage(LogLevel.Information, "Delivery to the Brain works again after {Failures} failed attempts")]
    private partial void LogRecovered(int failures);

    [LoggerMessage(LogLevel.Error, "The Brain refused batch {BatchId} ({Samples} samples) as invalid and it was dropped: {Reason}")]
    private partial void LogRejected(string batchId, int samples, string reason);
}
