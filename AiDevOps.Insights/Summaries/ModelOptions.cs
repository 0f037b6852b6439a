using System.ComponentModel.DataAnnotations;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;

namespace AiDevOps.Insights.Summaries;

/// <summary>
/// The OpenAI-compatible chat endpoint that writes summaries (OpenAI, Ollama's /v1, vLLM, LM Studio …).
/// Without an endpoint every summary is deterministic.
/// </summary>
public sealed class ModelOptions
{
    public const string SectionName = "Insights:Model";

    /// <summary>Base URL of the API, including its version segment, e.g. <c>http://127.0.0.1:11434/v1</c>.</summary>
    public string? Endpoint { get; set; }

    [Required]
    public string ModelId { get; set; } = "gpt-4o-mini";

    /// <summary>Arrives from a secret parameter or the environment, never from appsettings.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one summary may wait for the model before the deterministic summary is used instead.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>The endpoint as a URL; call only when <see cref="IsConfigured"/>, after validation.</summary>
    /// <remarks>A method, not a property: data-annotation validation reads every property, before the endpoint is checked.</remarks>
    public Uri GetEndpointUri() => new(Endpoint!, UriKind.Absolute);
}

/// <summary>Rejects an endpoint that is set but is no absolute http(s) URL, so a typo fails at startup, not at the first alert.</summary>
public sealed class ModelOptionsValidator : IValidateOptions<ModelOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelOptions options)
    {
        if (!options.IsConfigured)
            return ValidateOptionsResult.Success;
        return HttpUrl.IsValid(options.Endpoint)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{ModelOptions.SectionName}:{nameof(ModelOptions.Endpoint)} must be an absolute http or https URL such as http://127.0.0.1:11434/v1, but is '{options.Endpoint}'.");
    }
}
