using System.ComponentModel.DataAnnotations;
using AiDevOps.Contracts;

namespace AiDevOps.Agent.Collection;

public sealed class PrometheusSourceOptions : IValidatableObject
{
    public const string Section = "Agent:Prometheus";

    /// <summary>The Prometheus HTTP API base URL, e.g. http://127.0.0.1:9090. Empty: this source is off.</summary>
    public string? Url { get; set; }

    /// <summary>Forward Prometheus's firing alerts to the Brain every <c>Agent:Interval</c>.</summary>
    public bool ForwardAlerts { get; set; } = true;

    /// <summary>
    /// Queries run every round: an instant vector, or a range vector whose samples are forwarded once each. The
    /// default: target health and node_exporter basics.
    /// </summary>
    public List<PromQuery> Queries { get; set; } = [];

    public static IReadOnlyList<PromQuery> DefaultQueries { get; } =
    [
        // A range, not the instant "up": an instant query stamps the last scrape's value with the query's time, so
        // after a fault it would still say 1, later than the liveness probe's 0, and close what the probe opened.
        // The range gives each scrape's own time; what an earlier round forwarded is not sent again.
        new() { Name = "up", Expr = "up[5m]" },
        new() { Name = "node_cpu_busy_ratio", Expr = "1 - avg by (job, instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[1m]))" },
        new() { Name = "node_memory_available_ratio", Expr = "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes" },
        new()
        {
            Name = "node_filesystem_available_ratio",
            Expr = "node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs\"} / node_filesystem_size_bytes{fstype!~\"tmpfs|overlay|squashfs\"}",
        },
    ];

    public IReadOnlyList<PromQuery> EffectiveQueries => Queries.Count > 0 ? Queries : DefaultQueries;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(Url) && !HttpUrl.IsValid(Url))
            yield return new ValidationResult($"{Section}:Url '{Url}' must be an absolute http or https URL.", [nameof(Url)]);
        for (var i = 0; i < Queries.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Queries[i].Expr))
                yield return new ValidationResult($"{Section}:Queries:{i}:Expr must not be empty.", [nameof(Queries)]);
            if (Queries[i].Interval is { } every && !AgentOptions.IsValidInterval(every))
                yield return new ValidationResult($"{Section}:Queries:{i}:Interval '{every}' must be between 00:00:01 and 01:00:00.", [nameof(Queries)]);
            if (!IngestValidator.IsMetricName(Queries[i].Name))
                yield return new ValidationResult(
                    $"{Section}:Queries:{i}:Name '{Queries[i].Name}' must be a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).", [nameof(Queries)]);
        }
    }
}

/// <summary>A PromQL query; its results are stored under <see cref="Name"/>.</summary>
public sealed class PromQuery
{
    public string Name { get; set; } = "";
    public string Expr { get; set; } = "";

    /// <summary>How often it runs; empty: <c>Agent:Interval</c>.</summary>
    public TimeSpan? Interval { get; set; }
}

public sealed class ScrapeSourceOptions : IValidatableObject
{
    public const string Section = "Agent:Scrape";

    /// <summary>Exposition endpoints (Prometheus text format) scraped directly, for hosts without Prometheus.</summary>
    public List<ScrapeTarget> Targets { get; set; } = [];

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Not [Range(typeof(TimeSpan), …)], which converts its bounds by reflection (see DeliveryOptions).
        if (Timeout < TimeSpan.FromMilliseconds(100) || Timeout > TimeSpan.FromMinutes(5))
            yield return new ValidationResult($"{Section}:Timeout '{Timeout}' must be between 00:00:00.100 and 00:05:00.", [nameof(Timeout)]);
        for (var i = 0; i < Targets.Count; i++)
        {
            if (!HttpUrl.IsValid(Targets[i].Url))
                yield return new ValidationResult(
                    $"{Section}:Targets:{i}:Url '{Targets[i].Url}' must be an absolute http or https URL.", [nameof(Targets)]);
            if (Targets[i].Interval is { } every && !AgentOptions.IsValidInterval(every))
                yield return new ValidationResult($"{Section}:Targets:{i}:Interval '{every}' must be between 00:00:01 and 01:00:00.", [nameof(Targets)]);
            if (string.IsNullOrWhiteSpace(Targets[i].Job))
                yield return new ValidationResult($"{Section}:Targets:{i}:Job must not be empty.", [nameof(Targets)]);
            if (Targets[i].Instance is { Length: > 0 } instance && !IsInstance(instance))
                yield return new ValidationResult(
                    $"{Section}:Targets:{i}:Instance '{instance}' must be at most {IngestValidator.MaxLabelValueLength} characters, "
                    + "not blank, without control characters.", [nameof(Targets)]);
        }
    }

    private static bool IsInstance(string instance) =>
        instance.Length <= IngestValidator.MaxLabelValueLength && !string.IsNullOrWhiteSpace(instance) && !instance.Any(char.IsControl);
}

public sealed class ScrapeTarget
{
    public string Url { get; set; } = "";
    public string Job { get; set; } = "";

    /// <summary>
    /// The <c>instance</c> label of the target's series; empty: the URL's host and port, as Prometheus does. Set it when
    /// the port changes between runs (an allocated one), or the series start afresh at every start.
    /// </summary>
    public string? Instance { get; set; }

    /// <summary>How often it is scraped; empty: <c>Agent:Interval</c>.</summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>
    /// Sent as <c>Authorization: Bearer …</c> (Prometheus's <c>authorization: credentials</c>) to a target whose metrics
    /// need a key, such as the Brain's. A secret: never logged.
    /// </summary>
    public string? BearerToken { get; set; }
}
