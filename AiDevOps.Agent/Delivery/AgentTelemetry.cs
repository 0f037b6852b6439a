using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiDevOps.Agent.Delivery;

/// <summary>
/// The Agent's self-telemetry, exported through OpenTelemetry and on <c>/metrics</c> (the names gain Prometheus
/// suffixes there, e.g. <c>aidevops_agent_samples_sent_total</c>).
/// </summary>
public static class AgentTelemetry
{
    public const string Name = "AiDevOps.Agent";
    public static readonly ActivitySource Activities = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> SamplesCollected = Meter.CreateCounter<long>(
        "aidevops.agent.samples.collected", description: "Samples taken from sources and queued.");
    public static readonly Counter<long> SamplesSent = Meter.CreateCounter<long>(
        "aidevops.agent.samples.sent", description: "Samples the Brain acknowledged.");
    public static readonly Counter<long> SamplesDropped = Meter.CreateCounter<long>(
        "aidevops.agent.samples.dropped", description: "Samples lost on purpose: the oldest when the queue was full, or a batch the Brain refused as invalid.");
    public static readonly Counter<long> SendsFailed = Meter.CreateCounter<long>(
        "aidevops.agent.sends.failed", description: "Deliveries that failed and will be retried.");
    public static readonly UpDownCounter<long> ReceiverWritesInProgress = Meter.CreateUpDownCounter<long>(
        "aidevops.agent.receiver.writes_in_progress", description: "remote_write requests being read, decoded and queued (at most Agent:Receiver:MaxConcurrentWrites).");
    public static readonly UpDownCounter<long> ReceiverWritesWaiting = Meter.CreateUpDownCounter<long>(
        "aidevops.agent.receiver.writes_waiting", description: "remote_write requests waiting for a free slot before their body is read.");
}
