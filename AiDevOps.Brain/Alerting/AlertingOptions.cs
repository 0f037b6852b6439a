using System.ComponentModel.DataAnnotations;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting;

public sealed class AlertingOptions : IValidatableObject
{
    public const string Section = "Alerting";

    /// <summary>Where Insights answers; resolved through service discovery.</summary>
    [Required]
    public string InsightsUrl { get; set; } = "https+http://insights";

    /// <summary>The key Insights asks of its callers (it holds only the SHA-256, <c>Insights:ApiKeySha256</c>).</summary>
    public string? InsightsApiKey { get; set; }

    /// <summary>
    /// The whole time an alert waits for its summary: reading the evidence, and what is left as Insights' budget.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan SummaryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one attempt of an HTTP channel (Slack, PagerDuty, webhook) may take before it counts as failed and is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a later explanation may take when the first came from the deterministic summary (the model was slower
    /// than <see cref="SummaryTimeout"/>): a model's answer within it is edited into the incident's messages.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ExplanationTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Where Insights' tools reach this Brain's read APIs (with a read-only token of the incident's tenant). The
    /// AppHost sets it; the default is this Brain on its usual local port.
    /// </summary>
    [Required]
    public string BrainUrl { get; set; } = "http://localhost:5080";

    /// <summary>How many recent samples of the series go to Insights as evidence.</summary>
    [Range(1, 500)]
    public int EvidenceSamples { get; set; } = 20;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!HttpUrl.IsValid(BrainUrl))
            yield return new ValidationResult($"{Section}:BrainUrl '{BrainUrl}' must be an absolute http or https URL.", [nameof(BrainUrl)]);
    }
}
