using AiDevOps.Agent.Delivery;
using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Apis;

/// <summary>
/// How many remote_write requests the receiver reads, decodes and queues at once (<c>Agent:Receiver:MaxConcurrentWrites</c>);
/// the rest wait their turn before their body is read. Each write in progress holds its body (up to
/// <c>Agent:Receiver:MaxBodyBytes</c>), its decompressed form (up to 16 times that) and what it decodes to, so the
/// receiver's memory grows with this number instead of with the senders: Prometheus sends from up to 200 shards at
/// once, and a fuzzer from as many connections as it likes.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "A SemaphoreSlim holds nothing to free until its AvailableWaitHandle is asked for, which this never does; not disposing it lets a request that outlives the host's shutdown still free its slot.")]
public sealed class ReceiverGate(IOptions<ReceiverOptions> options)
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentWrites, options.Value.MaxConcurrentWrites);

    /// <summary>Waits for a free slot; disposing what it returns frees it.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        AgentTelemetry.ReceiverWritesWaiting.Add(1);
        try
        {
            await _slots.WaitAsync(ct);
        }
        finally
        {
            AgentTelemetry.ReceiverWritesWaiting.Add(-1);
        }
        AgentTelemetry.ReceiverWritesInProgress.Add(1);
        return new Slot(this);
    }

    private sealed class Slot(ReceiverGate gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
                return;
            AgentTelemetry.ReceiverWritesInProgress.Add(-1);
            gate._slots.Release();
        }
    }
}
