using System.Diagnostics.Metrics;
using AiDevOps.Agent.Apis;
using AiDevOps.Agent.Delivery;
using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Tests;

public sealed class ReceiverGateTests
{
    [Fact]
    public async Task Writes_beyond_the_limit_wait_for_a_free_slot_and_the_gauges_show_both()
    {
        var gate = new ReceiverGate(Options.Create(new ReceiverOptions { MaxConcurrentWrites = 2 }));
        using var gauges = new Gauges();

        var first = await gate.EnterAsync(CancellationToken.None);
        var second = await gate.EnterAsync(CancellationToken.None);
        var third = gate.EnterAsync(CancellationToken.None);
        await Task.Delay(100);

        Assert.False(third.IsCompleted);
        Assert.Equal((2, 1), (gauges.InProgress, gauges.Waiting));

        first.Dispose();
        first.Dispose(); // a slot is freed once, however often it is disposed
        using var admitted = await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((2, 0), (gauges.InProgress, gauges.Waiting));
        second.Dispose();
        Assert.Equal((1, 0), (gauges.InProgress, gauges.Waiting));
    }

    [Fact]
    public async Task A_write_whose_sender_leaves_while_waiting_gives_up_its_place()
    {
        var gate = new ReceiverGate(Options.Create(new ReceiverOptions { MaxConcurrentWrites = 1 }));
        using var gauges = new Gauges();
        using var held = await gate.EnterAsync(CancellationToken.None);
        using var leaving = new CancellationTokenSource();

        var waiting = gate.EnterAsync(leaving.Token);
        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal((1, 0), (gauges.InProgress, gauges.Waiting));
    }

    /// <summary>The receiver's two gauges as this test changed them (other tests may run beside it).</summary>
    private sealed class Gauges : IDisposable
    {
        private const string InProgressName = "aidevops.agent.receiver.writes_in_progress";
        private const string WaitingName = "aidevops.agent.receiver.writes_waiting";
        private readonly MeterListener _listener = new();
        private long _inProgress;
        private long _waiting;

        public Gauges()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AgentTelemetry.Name && instrument.Name is InProgressName or WaitingName)
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, change, _, _) =>
            {
                if (instrument.Name == InProgressName)
                    Interlocked.Add(ref _inProgress, change);
                else
                    Interlocked.Add(ref _waiting, change);
            });
            _listener.Start();
        }

        public long InProgress => Interlocked.Read(ref _inProgress);

        public long Waiting => Interlocked.Read(ref _waiting);

        public void Dispose() => _listener.Dispose();
    }
}
