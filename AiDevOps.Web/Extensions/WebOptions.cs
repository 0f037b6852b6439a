using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Web.Extensions;

/// <summary>Where the Web UI finds the Brain: <c>Web:BrainUrl</c>, by default Aspire's service discovery name.</summary>
public sealed class WebOptions : IValidatableObject
{
    public const string Section = "Web";

    public string BrainUrl { get; set; } = "https+http://brain";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BrainUrl, UriKind.Absolute, out var url) || !(url.Scheme is "http" or "https" or "https+http"))
            yield return new ValidationResult($"{Section}:BrainUrl '{BrainUrl}' must be an absolute http(s) URL, e.g. http://localhost:5180.", [nameof(BrainUrl)]);
    }
}
