using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Brain.Alerting;

public sealed class AlertingOptions
{
    public const string Section = "Alerting";

    /// <summary>Where Insights answers; resolved through service discovery.</summary>
    [Required]
    public string InsightsUrl { get; set; } = "https+http://insights";

    /// <summary>
    /// The whole time an alert waits for its summary: reading the evidence, and what is left as Insights' budget.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan SummaryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one attempt of an HTTP channel (Slack, PagerDuty, webhook) may take before it counts as failed and is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many recent samples of the series go to Insights as evidence.</summary>
    [Range(1, 500)]
    public int EvidenceSamples { get; set; } = 20;
}
