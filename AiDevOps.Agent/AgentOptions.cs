using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Agent;

public sealed class AgentOptions : IValidatableObject
{
    public const string Section = "Agent";

    /// <summary>The name this agent reports under; defaults to the host name.</summary>
    public string Id { get; set; } = Environment.MachineName;

    /// <summary>The agent's key for the Brain. A secret: from the environment or a secret store only.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>The Brain's base URL; <c>https+http://brain</c> resolves through service discovery under Aspire.</summary>
    public string BrainUrl { get; set; } = "https+http://brain";

    /// <summary>How often sources are collected, unless a source sets its own interval.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    public static bool IsValidInterval(TimeSpan interval) => interval >= TimeSpan.FromSeconds(1) && interval <= TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Id))
            yield return new ValidationResult($"{Section}:Id must not be empty.", [nameof(Id)]);
        if (string.IsNullOrWhiteSpace(ApiKey))
            yield return new ValidationResult($"{Section}:ApiKey is required: the Brain refuses samples without a key.", [nameof(ApiKey)]);
        // Not HttpUrl: service discovery names ("https+http://brain") are URLs here too.
        if (!Uri.TryCreate(BrainUrl, UriKind.Absolute, out _))
            yield return new ValidationResult($"{Section}:BrainUrl '{BrainUrl}' must be an absolute URL.", [nameof(BrainUrl)]);
        if (!IsValidInterval(Interval))
            yield return new ValidationResult($"{Section}:Interval '{Interval}' must be between 00:00:01 and 01:00:00.", [nameof(Interval)]);
    }
}
