using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Agent.Collection;

public sealed class LivenessOptions : IValidatableObject
{
    public const string Section = "Agent:Liveness";

    /// <summary>
    /// How often every scrape target (the Agent's own and those Prometheus reports) is asked whether it still
    /// answers; <c>00:00:00</c> turns the probe off. Far shorter than a scrape interval on purpose: a target that
    /// stops answering is reported down at once, not at the next scrape.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one probe may wait for an answer before the target counts as not answering.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled => Interval > TimeSpan.Zero;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval != TimeSpan.Zero && (Interval < TimeSpan.FromMilliseconds(100) || Interval > TimeSpan.FromMinutes(1)))
            yield return new ValidationResult(
                $"{Section}:Interval '{Interval}' must be 00:00:00 (off) or between 00:00:00.100 and 00:01:00.", [nameof(Interval)]);
        if (Timeout < TimeSpan.FromMilliseconds(50) || Timeout > TimeSpan.FromSeconds(30))
            yield return new ValidationResult($"{Section}:Timeout '{Timeout}' must be between 00:00:00.050 and 00:00:30.", [nameof(Timeout)]);
    }
}
