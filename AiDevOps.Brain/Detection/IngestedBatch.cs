using AiDevOps.Brain.Storage;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Detection;

/// <summary>Samples that are durable in storage and now go to the detectors.</summary>
public sealed record IngestedBatch(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> Series);
