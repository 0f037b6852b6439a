using System.ComponentModel.DataAnnotations;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting.Notifiers.PagerDuty;

public sealed class PagerDutyOptions : IValidatableObject
{
    public const string Section = "PagerDuty";

    /// <summary>Where the Events API v2 answers; <c>https://events.eu.pagerduty.com</c> for an EU account.</summary>
    public string ApiBaseUrl { get; set; } = "https://events.pagerduty.com";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!HttpUrl.IsValid(ApiBaseUrl))
            yield return new ValidationResult($"{Section}:ApiBaseUrl '{ApiBaseUrl}' must be an absolute http or https URL.", [nameof(ApiBaseUrl)]);
    }
}
