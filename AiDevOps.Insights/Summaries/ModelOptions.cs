using System.ComponentModel.DataAnnotations;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;

namespace AiDevOps.Insights.Summaries;

/// <summary>Which client talks to the model.</summary>
public enum ModelProvider
{
    /// <summary>Any server speaking OpenAI's chat completions API at <see cref="ModelOptions.Endpoint"/> (Ollama's /v1, vLLM, LM Studio).</summary>
    OpenAICompatible,

    /// <summary>OpenAI itself: the endpoint defaults to https://api.openai.com/v1 and a key is required.</summary>
    OpenAI,

    /// <summary>Azure OpenAI: the endpoint is the resource (https://NAME.openai.azure.com), the model id its deployment name.</summary>
    AzureOpenAI,
}

/// <summary>
/// The chat model that writes summaries and incident explanations: OpenAI, Azure OpenAI or any OpenAI-compatible
/// endpoint. Without a provider or an endpoint every summary is deterministic.
/// </summary>
public sealed class ModelOptions
{
    public const string SectionName = "Insights:Model";

    public static readonly Uri OpenAIEndpoint = new("https://api.openai.com/v1");

    /// <summary>Unset: OpenAI-compatible when an endpoint is given, no model otherwise.</summary>
    public ModelProvider? Provider { get; set; }

    /// <summary>Base URL of the API, including its version segment, e.g. <c>http://127.0.0.1:11434/v1</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model, or for Azure OpenAI the deployment name.</summary>
    [Required]
    public string ModelId { get; set; } = "gpt-4o-mini";

    /// <summary>Arrives from a secret parameter or the environment, never from appsettings.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one summary may wait for the model before the deterministic summary is used instead.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Model calls allowed per minute across all explanations; past it explanations are deterministic.</summary>
    public int MaxCallsPerMinute { get; set; } = 30;

    /// <summary>How long a model's explanation of one incident state (id, version, state) is reused.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(30);

    public bool IsConfigured => Provider is not null || !string.IsNullOrWhiteSpace(Endpoint);

    public ModelProvider EffectiveProvider => Provider ?? ModelProvider.OpenAICompatible;

    /// <summary>The endpoint as a URL; call only when <see cref="IsConfigured"/>, after validation.</summary>
    /// <remarks>A method, not a property: data-annotation validation reads every property, before the endpoint is checked.</remarks>
    public Uri GetEndpointUri() =>
        string.IsNullOrWhiteSpace(Endpoint) && EffectiveProvider == ModelProvider.OpenAI ? OpenAIEndpoint : new(Endpoint!, UriKind.Absolute);
}

/// <summary>
/// Rejects an endpoint that is set but is no absolute http(s) URL, and a provider without what it needs, so a typo
/// fails at startup, not at the first alert. Messages name the option and its value, never the key.
/// </summary>
public sealed class ModelOptionsValidator : IValidateOptions<ModelOptions>
{
    private const string Endpoint = $"{ModelOptions.SectionName}:{nameof(ModelOptions.Endpoint)}";
    private const string ApiKey = $"{ModelOptions.SectionName}:{nameof(ModelOptions.ApiKey)}";

    public ValidateOptionsResult Validate(string? name, ModelOptions options)
    {
        var failures = new List<string>();
        if (options.MaxCallsPerMinute is < 1 or > 10_000)
            failures.Add($"{ModelOptions.SectionName}:{nameof(ModelOptions.MaxCallsPerMinute)} must be between 1 and 10000, but is {options.MaxCallsPerMinute}.");
        if (options.CacheDuration < TimeSpan.Zero || options.CacheDuration > TimeSpan.FromDays(1))
            failures.Add($"{ModelOptions.SectionName}:{nameof(ModelOptions.CacheDuration)} must be between 00:00:00 and 1.00:00:00, but is {options.CacheDuration}.");
        if (!options.IsConfigured)
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        var provider = options.EffectiveProvider;
        if (!string.IsNullOrWhiteSpace(options.Endpoint) && !HttpUrl.IsValid(options.Endpoint))
            failures.Add($"{Endpoint} must be an absolute http or https URL such as http://127.0.0.1:11434/v1, but is '{options.Endpoint}'.");
        if (string.IsNullOrWhiteSpace(options.Endpoint) && provider != ModelProvider.OpenAI)
            failures.Add($"{Endpoint} is required for {ModelOptions.SectionName}:{nameof(ModelOptions.Provider)} '{provider}'.");
        if (provider is ModelProvider.OpenAI or ModelProvider.AzureOpenAI && string.IsNullOrWhiteSpace(options.ApiKey))
            failures.Add($"{ApiKey} is required for {ModelOptions.SectionName}:{nameof(ModelOptions.Provider)} '{provider}'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
