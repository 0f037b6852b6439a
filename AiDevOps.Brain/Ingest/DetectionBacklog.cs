using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Ingest;

/// <summary>
/// Stored batches on their way to the detectors, bounded by samples (<c>Ingest:DetectionBacklogSamples</c>), not by
/// batches: a batch may hold one sample or a hundred thousand. When the detectors fall behind, ingest waits for room
/// before it acknowledges, so the agents slow down and buffer (durably, on their side) instead of the Brain's memory
/// growing. Nothing stored is dropped: a batch larger than the bound is taken when the queue is empty.
/// </summary>
public sealed class DetectionBacklog
{
    private static readonly Meter Meter = new(IngestService.TelemetryName);

    private readonly Channel<IngestedBatch> _batches = Channel.CreateUnbounded<IngestedBatch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly long _maxSamples;
    private long _queued;
    private TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DetectionBacklog(IOptions<IngestOptions> options)
    {
        _maxSamples = options.Value.DetectionBacklogSamples;
        Meter.CreateObservableGauge("aidevops.brain.detection.queued_samples", () => QueuedSamples,
            description: "Stored samples waiting for the detectors; ingest waits while this is at Ingest:DetectionBacklogSamples.");
    }

    public long QueuedSamples
    {
        get { lock (_gate) return _queued; }
    }

    /// <summary>Queues a stored batch, once there is room for it.</summary>
    public async Task EnqueueAsync(IngestedBatch batch, CancellationToken ct)
    {
        while (true)
        {
            Task drained;
            lock (_gate)
            {
                if (_queued == 0 || _queued + batch.SampleCount <= _maxSamples)
                {
                    _queued += batch.SampleCount;
                    break;
                }
                drained = _drained.Task;
            }
            await drained.WaitAsync(ct);
        }
        _batches.Writer.TryWrite(batch);
    }

    public IAsyncEnumerable<IngestedBatch> ReadAllAsync(CancellationToken ct) => _batches.Reader.ReadAllAsync(ct);

    /// <summary>The detectors are done with a batch: its room is free for the next.</summary>
    public void Done(IngestedBatch batch)
    {
        TaskCompletionSource drained;
        lock (_gate)
        {
            _queued -= batch.SampleCount;
            drained = _drained;
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        drained.SetResult();
    }
}
