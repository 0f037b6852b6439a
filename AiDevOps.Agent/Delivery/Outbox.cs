using System.Threading.Channels;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;

namespace AiDevOps.Agent.Delivery;

/// <summary>
/// The one way into delivery for every source (the OpenTelemetry Collector's exporter helper): samples are cut into
/// batches, encoded as remote_write once, made durable, and the exporter is woken at once, so a state change never
/// waits for a timer.
/// </summary>
public sealed partial class Outbox(SegmentedLog log, int maxSamplesPerBatch, ILogger<Outbox> logger)
{
    // One pending wake-up is enough: the exporter drains everything queued when it wakes.
    private readonly Channel<bool> _appended = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public SegmentedLog Log => log;

    public void Enqueue(IReadOnlyList<SeriesSamples> series, string source)
    {
        foreach (var batch in Batches(series, maxSamplesPerBatch))
        {
            var samples = batch.Sum(s => s.Samples.Count);
            var dropped = log.Append(RemoteWriteCodec.Encode(batch), samples);
            AgentTelemetry.SamplesCollected.Add(samples, new KeyValuePair<string, object?>("source", source));
            if (dropped > 0)
            {
                AgentTelemetry.SamplesDropped.Add(dropped, new KeyValuePair<string, object?>("reason", "queue_full"));
                LogDropped(dropped);
            }
        }
        _appended.Writer.TryWrite(true);
    }

    /// <summary>Waits until something is enqueued (or the timeout passes).</summary>
    public async Task WaitForRecordsAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            await _appended.Reader.WaitToReadAsync(wait.Token);
            _appended.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Timed out: the caller looks at the queue anyway.
        }
    }

    /// <summary>Cuts series into batches of at most <paramref name="maxSamples"/> samples, splitting a long series if need be.</summary>
    public static IEnumerable<IReadOnlyList<SeriesSamples>> Batches(IReadOnlyList<SeriesSamples> series, int maxSamples)
    {
        var batch = new List<SeriesSamples>();
        var count = 0;
        foreach (var s in series)
        {
            for (var start = 0; start < s.Samples.Count;)
            {
                var take = Math.Min(maxSamples - count, s.Samples.Count - start);
                batch.Add(take == s.Samples.Count ? s : s with { Samples = s.Samples.Skip(start).Take(take).ToList() });
                count += take;
                start += take;
                if (count == maxSamples)
                {
                    yield return batch;
                    batch = [];
                    count = 0;
                }
            }
        }
        if (batch.Count > 0)
            yield return batch;
    }

    [LoggerMessage(LogLevel.Warning, "The delivery queue is full: dropped the {Dropped} oldest samples (Agent:Delivery:MaxQueueBytes)")]
    private partial void LogDropped(long dropped);
}
