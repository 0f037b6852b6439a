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
}
