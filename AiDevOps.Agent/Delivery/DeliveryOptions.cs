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
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

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
        // Checked here, not with [Range(typeof(TimeSpan), …)]: that attribute converts its bounds by reflection,
        // which a trimmed or Native AOT Agent cannot.
        if (MinBackoff < TimeSpan.FromMilliseconds(10) || MinBackoff > TimeSpan.FromMinutes(1))
            yield return new ValidationResult($"{Section}:MinBackoff '{MinBackoff}' must be between 00:00:00.010 and 00:01:00.", [nameof(MinBackoff)]);
        if (MaxBackoff < TimeSpan.FromMilliseconds(100) || MaxBackoff > TimeSpan.FromMinutes(30))
            yield return new ValidationResult($"{Section}:MaxBackoff '{MaxBackoff}' must be between 00:00:00.100 and 00:30:00.", [nameof(MaxBackoff)]);
        if (MinBackoff > MaxBackoff)
            yield return new ValidationResult($"{Section}:MinBackoff '{MinBackoff}' must not exceed MaxBackoff '{MaxBackoff}'.", [nameof(MinBackoff)]);
    }
}
