using AiDevOps.Agent.Delivery;
using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Apis;

/// <summary>
/// How many remote_write requests the receiver reads, decodes and queues at once (<c>Agent:Receiver:MaxConcurrentWrites</c>);
/// the rest wait their turn before their body is read. Each write in progress holds its body and what it decodes to,
/// so this, times <c>Agent:Receiver:MaxBodyBytes</c>, bounds the receiver's memory: Prometheus sends from up to 200
/// shards at once, and a fuzzer from as many connections as it likes (unbounded, the receiver grew from 121 to 691 MiB).
/// </summary>
public sealed class ReceiverGate(IOptions<ReceiverOptions> options) : IDisposable
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

    public void Dispose() => _slots.Dispose();

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
