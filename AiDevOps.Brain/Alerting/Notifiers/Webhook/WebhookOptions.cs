using System.ComponentModel.DataAnnotations;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting.Notifiers.Webhook;

public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhook";

    /// <summary>The Brain's URL as people reach it, sent as <c>externalURL</c> (Alertmanager's link back to itself); empty sends none.</summary>
    public string ExternalUrl { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ExternalUrl.Length > 0 && !HttpUrl.IsValid(ExternalUrl))
            yield return new ValidationResult($"{Section}:ExternalUrl '{ExternalUrl}' must be empty or an absolute http or https URL.", [nameof(ExternalUrl)]);
    }
}
