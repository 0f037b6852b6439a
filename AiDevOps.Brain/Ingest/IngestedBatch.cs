using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Ingest;

/// <summary>Samples that are durable in storage and now go to the detectors.</summary>
public sealed record IngestedBatch(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> Series, int SampleCount);
