using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Brain.Alerting;

public sealed class AlertingOptions
{
    public const string Section = "Alerting";

    /// <summary>Where Insights answers; resolved through service discovery.</summary>
    [Required]
    public string InsightsUrl { get; set; } = "https+http://insights";

    /// <summary>How long an alert waits for its summary before it goes out without one.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan SummaryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per receiver for failures worth retrying (rate limits, network, 5xx).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long one attempt of an HTTP channel (Slack, PagerDuty, webhook) may take before it counts as failed and is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many recent samples of the series go to Insights as evidence.</summary>
    [Range(1, 500)]
    public int EvidenceSamples { get; set; } = 20;
}
