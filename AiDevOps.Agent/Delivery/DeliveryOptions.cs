using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Agent.Delivery;

public sealed class DeliveryOptions : IValidatableObject
{
    public const string Section = "Agent:Delivery";

    /// <summary>The durable queue's folder; mount a volume here in a container.</summary>
    public string QueuePath { get; set; } = "queue";

    /// <summary>Disk the queue may use; past it the oldest samples are dropped and counted.</summary>
    public long MaxQueueBytes { get; set; } = 1L << 30;

    public long SegmentBytes { get; set; } = 8L << 20;

    /// <summary>Samples per batch (one request to the Brain, one record in the queue).</summary>
    [Range(100, 1_000_000)]
    public int MaxSamplesPerBatch { get; set; } = 10_000;

    /// <summary>First retry delay; it doubles, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:30:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(QueuePath))
            yield return new ValidationResult($"{Section}:QueuePath must name a folder.", [nameof(QueuePath)]);
        if (SegmentBytes is < 64 * 1024 or > 1L << 30)
            yield return new ValidationResult($"{Section}:SegmentBytes '{SegmentBytes}' must be between 65536 and 1073741824.", [nameof(SegmentBytes)]);
        if (MaxQueueBytes < 4 * SegmentBytes)
            yield return new ValidationResult(
                $"{Section}:MaxQueueBytes '{MaxQueueBytes}' must be at least four segments ({4 * SegmentBytes} bytes).", [nameof(MaxQueueBytes)]);
        if (MinBackoff > MaxBackoff)
            yield return new ValidationResult($"{Section}:MinBackoff '{MinBackoff}' must not exceed MaxBackoff '{MaxBackoff}'.", [nameof(MinBackoff)]);
    }
}
