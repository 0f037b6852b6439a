using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiDevOps.Agent.Collection;
using Microsoft.Extensions.Options;
using Quartz;

namespace AiDevOps.Agent.Delivery;

/// <summary>
/// One round: collect every source, buffer, then forward the buffer to the Brain oldest first. A failed send leaves
/// the rest buffered for the next round; nothing here may crash the agent.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class CollectAndForwardJob(
    IEnumerable<ISampleSource> sources,
    SampleBuffer buffer,
    BrainClient brain,
    IOptions<AgentOptions> options,
    TimeProvider clock,
    ILogger<CollectAndForwardJob> logger) : IJob
{
    public const string TelemetryName = "AiDevOps.Agent.Delivery";
    public static readonly JobKey Key = new("collect-and-forward", "agent");
    private static readonly ActivitySource Activities = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> Collected = Meter.CreateCounter<long>("aidevops.agent.samples.collected");
    private static readonly Counter<long> Sent = Meter.CreateCounter<long>("aidevops.agent.samples.sent");
    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("aidevops.agent.sends.failed");
    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>(
        "aidevops.agent.samples.dropped", description: "Oldest samples dropped because the buffer was full.");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        using var activity = Activities.StartActivity("collect and forward");
        var now = clock.GetUtcNow();

        foreach (var source in sources)
        {
            try
            {
                var series = await source.CollectAsync(now, ct);
                Collected.Add(series.Sum(s => s.Samples.Count), new KeyValuePair<string, object?>("source", source.Name));
                var dropped = buffer.Add(series);
                if (dropped > 0)
                {
                    Dropped.Add(dropped);
                    LogDropped(dropped, options.Value.MaxBufferedSamples);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogSourceFailed(e, source.Name);
            }
        }
        await ForwardAsync(ct);
    }

    private async Task ForwardAsync(CancellationToken ct)
    {
        while (buffer.Samples > 0 && !ct.IsCancellationRequested)
        {
            var batch = buffer.Peek(options.Value.MaxSamplesPerRequest);
            try
            {
                var accepted = await brain.SendAsync(batch, ct);
                buffer.Commit(batch);
                Sent.Add(accepted.Samples);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                Failed.Add(1);
                LogSendFailed(e.Message, buffer.Samples);
                return;
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Source {Source} failed this round")]
    private partial void LogSourceFailed(Exception e, string source);

    [LoggerMessage(LogLevel.Warning, "Sending to the Brain failed ({Reason}); {Buffered} samples stay buffered for the next round")]
    private partial void LogSendFailed(string reason, int buffered);

    [LoggerMessage(LogLevel.Warning, "Buffer full (Agent:MaxBufferedSamples = {Max}): dropped the {Dropped} oldest samples")]
    private partial void LogDropped(int dropped, int max);
}
