using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Brain.Ingest;

public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Largest accepted request body; a larger one is refused with 413 before it is read.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    [Range(1, 10_000_000)]
    public int MaxSamplesPerRequest { get; set; } = 200_000;

    /// <summary>
    /// Stored samples that may wait for the detectors; beyond it ingest waits before it acknowledges (back-pressure
    /// on the agents) instead of the backlog growing. About 100 bytes each while they wait: ≈ 25 MB by default, more
    /// than a second of ingest at the rates eng/bench.sh ingest measures.
    /// </summary>
    [Range(10_000, 100_000_000, ErrorMessage = "Ingest:DetectionBacklogSamples must be between 10000 and 100000000.")]
    public int DetectionBacklogSamples { get; set; } = 250_000;
}
