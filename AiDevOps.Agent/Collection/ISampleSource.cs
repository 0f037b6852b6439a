using AiDevOps.Contracts;

namespace AiDevOps.Agent.Collection;

/// <summary>Where samples come from: a Prometheus query API, an exposition endpoint… One collection per round.</summary>
public interface ISampleSource
{
    string Name { get; }

    Task<IReadOnlyList<SeriesSamples>> CollectAsync(DateTimeOffset now, CancellationToken ct);
}
