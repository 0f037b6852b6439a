using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Detection;

/// <summary>Samples that are durable in storage and now go to the detectors, with who delivered them and when.</summary>
public sealed record IngestedBatch(
    AgentIdentity Agent, DateTimeOffset ReceivedAt, IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> Series);
