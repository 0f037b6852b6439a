using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Brain.Detection;

public sealed class DetectionOptions
{
    public const string Section = "Detection";

    /// <summary>An S3 bucket for detector models (AWS); when set it is used instead of <see cref="ModelPath"/>.</summary>
    [RegularExpression("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", ErrorMessage = "Detection:ModelBucket must be an S3 bucket name (3-63 lower-case letters, digits, '.' or '-').")]
    public string? ModelBucket { get; set; }

    /// <summary>Where detector models are kept between runs when no bucket is set (a volume in a container).</summary>
    [Required(ErrorMessage = "Detection:ModelPath must name a folder.")]
    public string ModelPath { get; set; } = "models";

    /// <summary>How often models are saved; they are saved at shutdown too.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Detection:ModelSaveInterval must be between 00:00:10 and 1.00:00:00.")]
    public TimeSpan ModelSaveInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How far back stored history is read to fit a detector for a series that has none or a younger one. Two days
    /// give the daily profile two looks at every hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00", ErrorMessage = "Detection:FitHistory must be between 00:10:00 and 30.00:00:00.")]
    public TimeSpan FitHistory { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// The shortest silence after which an agent that delivered before counts as silent; an agent that delivers less
    /// often gets four of its usual gaps.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "1.00:00:00", ErrorMessage = "Detection:AgentSilence must be between 00:00:02 and 1.00:00:00.")]
    public TimeSpan AgentSilence { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a series may send nothing before its detector is dropped (its open anomalies resolve); if it comes
    /// back it starts afresh, like a new series.
    /// </summary>
    [Range(typeof(TimeSpan), "00:10:00", "365.00:00:00", ErrorMessage = "Detection:ForgetIdleSeries must be between 00:10:00 and 365.00:00:00.")]
    public TimeSpan ForgetIdleSeries { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// The longest <c>repeat_interval</c> of the Alertmanager routes that notify the Brain's webhook: Alertmanager
    /// re-sends a firing alert only that often, so a webhook alert stays open until resolved, or until it has gone
    /// unnotified for three of these (silenced, routed elsewhere, or its resolve lost).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Detection:AlertmanagerRepeatInterval must be between 00:01:00 and 30.00:00:00.")]
    public TimeSpan AlertmanagerRepeatInterval { get; set; } = PrometheusAlertTracker.DefaultRepeatInterval;

    /// <summary>How often stored history is checked for series to fit; also once at start.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Detection:FitInterval must be between 00:00:10 and 1.00:00:00.")]
    public TimeSpan FitInterval { get; set; } = TimeSpan.FromHours(1);
}
