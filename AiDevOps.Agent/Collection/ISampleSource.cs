using AiDevOps.Contracts;

namespace AiDevOps.Agent.Collection;

/// <summary>Where samples come from: a Prometheus query API, an exposition endpoint… One collection per round.</summary>
public interface ISampleSource
{
    /// <summary>Unique among the agent's sources; it names the source's schedule and its telemetry.</summary>
    string Name { get; }

    TimeSpan Interval { get; }

    Task<IReadOnlyList<SeriesSamples>> CollectAsync(DateTimeOffset now, CancellationToken ct);
}
