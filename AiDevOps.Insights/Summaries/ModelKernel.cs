using Microsoft.SemanticKernel;

namespace AiDevOps.Insights.Summaries;

public static class ModelKernel
{
    // Local servers (Ollama, vLLM, LM Studio) ignore the key, but the OpenAI client requires one.
    private const string KeyForServersWithoutAuthentication = "unused";

    /// <summary>A kernel whose chat completion talks to the configured provider: OpenAI, Azure OpenAI or an OpenAI-compatible endpoint.</summary>
    /// <remarks>
    /// The kernel gets no logger factory on purpose: Semantic Kernel logs a failed call as an error with its stack,
    /// while here a failure is expected and handled, and KernelSummarizer records it once as a warning.
    /// </remarks>
    public static Kernel Create(ModelOptions options)
    {
        // A caller-supplied HttpClient also switches off the OpenAI client's own retries: on the alert path a failed
        // model call should fall back to the deterministic summary at once, not retry with backoff.
        // KernelSummarizer bounds every call with ModelOptions.Timeout, so the client itself never times out.
        var httpClient = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        var builder = Kernel.CreateBuilder();
        if (options.EffectiveProvider == ModelProvider.AzureOpenAI)
            builder.AddAzureOpenAIChatCompletion(options.ModelId, options.GetEndpointUri().ToString(), options.ApiKey!, httpClient: httpClient);
        else
            builder.AddOpenAIChatCompletion(
                options.ModelId,
                options.GetEndpointUri(),
                string.IsNullOrEmpty(options.ApiKey) ? KeyForServersWithoutAuthentication : options.ApiKey,
                httpClient: httpClient);
        return builder.Build();
    }
}
