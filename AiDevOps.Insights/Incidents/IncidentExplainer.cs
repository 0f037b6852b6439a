using System.Threading.RateLimiting;
using AiDevOps.Contracts;
using AiDevOps.Insights.Summaries;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace AiDevOps.Insights.Incidents;

/// <summary>
/// Explains incidents: with the model when one is configured, it answers within the caller's budget and its answer
/// is grounded in the evidence (and fits the channel on whole sentences); deterministically otherwise. The model may
/// read more through <see cref="BrainTools"/> when the request carries tools. Model answers are cached per incident
/// state (id, version, state) and model calls are rate-limited.
/// </summary>
public sealed class IncidentExplainer : IDisposable
{
    public const double Temperature = 0.1;
    public const int MaxTokens = 400;

    private static readonly KernelFunction ExplainFunction = IncidentPrompt.CreateFunction();

    private readonly Kernel? _kernel;
    private readonly ModelOptions _options;
    private readonly HttpClient _brain;
    private readonly IMemoryCache _cache;
    private readonly RateLimiter _rateLimiter;
    private readonly IncidentTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger<IncidentExplainer> _logger;

    /// <param name="kernel">The model's kernel; <see langword="null"/> when no model is configured.</param>
    /// <param name="brain">The client the tools read the Brain with; it must not retry on its own.</param>
    public IncidentExplainer(
        Kernel? kernel, ModelOptions options, HttpClient brain, IMemoryCache cache, IncidentTelemetry telemetry,
        TimeProvider time, ILogger<IncidentExplainer> logger)
    {
        _kernel = kernel;
        _options = options;
        _brain = brain;
        _cache = cache;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
        _rateLimiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.MaxCallsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>The explanation from the facts alone, with no I/O; what every fallback answers.</summary>
    public static InsightSummary Deterministic(IncidentFacts facts) =>
        new(DeterministicIncidentSummary.Write(facts), SummarySources.Deterministic);

    public async Task<InsightSummary> ExplainAsync(IncidentFacts facts, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        using var activity = IncidentTelemetry.StartExplain(facts);
        var (summary, reason) = await ExplainCoreAsync(facts, started, cancellationToken);
        _telemetry.Explained(activity, summary, reason);
        return summary;
    }

    private async Task<(InsightSummary Summary, string Reason)> ExplainCoreAsync(IncidentFacts facts, DateTimeOffset started, CancellationToken cancellationToken)
    {
        if (_kernel is null)
            return (Deterministic(facts), "no_model");
        var key = (facts.IncidentId, facts.Version, facts.State);
        if (_cache.TryGetValue(key, out InsightSummary? cached) && cached is not null && cached.Summary.Length <= facts.MaxCharacters)
            return (cached, "cached");

        var modelTimeout = SummaryBudget.ModelTimeout(_options.Timeout, facts.BudgetMilliseconds);
        if (modelTimeout <= TimeSpan.Zero)
        {
            _logger.LogWarning("A budget of {Budget} ms leaves no time for the model to explain incident {IncidentId}; using the deterministic summary",
                facts.BudgetMilliseconds, facts.IncidentId);
            return (Deterministic(facts), "no_time");
        }
        using var lease = _rateLimiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            _logger.LogWarning("More than {Limit} model calls in a minute ({Option}); incident {IncidentId} gets the deterministic summary",
                _options.MaxCallsPerMinute, $"{ModelOptions.SectionName}:{nameof(ModelOptions.MaxCallsPerMinute)}", facts.IncidentId);
            return (Deterministic(facts), "rate_limited");
        }

        var deadline = started + modelTimeout;
        var tools = BrainTools.Usable(facts, started) ? new BrainTools(_brain, facts, deadline, _time) : null;
        var kernel = _kernel;
        var guard = new ToolCallGuard();
        var settings = new OpenAIPromptExecutionSettings { Temperature = Temperature, MaxTokens = MaxTokens };
        if (tools is not null)
        {
            kernel = _kernel.Clone();
            var plugin = kernel.Plugins.AddFromObject(tools, BrainTools.PluginName);
            kernel.AutoFunctionInvocationFilters.Add(guard);
            settings.FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(plugin);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(modelTimeout);
        string? answer;
        try
        {
            var arguments = IncidentPrompt.Render(facts, started, tools is null ? 0 : BrainTools.MaxCalls, settings);
            // WaitAsync gives up at the deadline itself: a cancelled call takes a while more to unwind through
            // Semantic Kernel and the HTTP client, time the caller's budget does not have.
            var result = await ExplainFunction.InvokeAsync(kernel, arguments, timeout.Token).WaitAsync(timeout.Token);
            answer = guard.Terminated ? null : result.GetValue<string>();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("The model did not explain incident {IncidentId} within {Timeout}; using the deterministic summary", facts.IncidentId, modelTimeout);
            return (Deterministic(facts), "timeout");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The exception's message, not the exception: SDK exceptions can carry the request, and with it headers.
            _logger.LogWarning("The model failed to explain incident {IncidentId} ({Error}: {Message}); using the deterministic summary",
                facts.IncidentId, exception.GetType().Name, Redact(exception.Message, facts));
            return (Deterministic(facts), "failed");
        }
        finally
        {
            foreach (var (function, outcome) in tools?.Calls ?? [])
                _telemetry.ToolCalled(function, outcome);
        }

        if (string.IsNullOrWhiteSpace(answer))
        {
            _logger.LogWarning("The model gave no explanation for incident {IncidentId}; using the deterministic summary", facts.IncidentId);
            return (Deterministic(facts), "empty");
        }
        var fitted = SentenceFit.Fit(answer, facts.MaxCharacters);
        if (fitted is null)
        {
            _logger.LogWarning("Not one sentence of the model's explanation of incident {IncidentId} fits {MaxCharacters} characters; using the deterministic summary",
                facts.IncidentId, facts.MaxCharacters);
            return (Deterministic(facts), "too_long");
        }
        var ungrounded = Grounding.Check(fitted, facts, tools?.Results ?? [], _time.GetUtcNow());
        if (ungrounded.Count > 0)
        {
            _telemetry.Ungrounded();
            _logger.LogWarning("The model's explanation of incident {IncidentId} states what the evidence does not hold: {Ungrounded}; using the deterministic summary",
                facts.IncidentId, string.Join(", ", ungrounded.Take(5).Select(token => Redact(token, facts))));
            return (Deterministic(facts), "ungrounded");
        }

        var summary = new InsightSummary(fitted, SummarySources.Model);
        if (_options.CacheDuration > TimeSpan.Zero)
            _cache.Set(key, summary, _options.CacheDuration);
        return (summary, "model");
    }

    private string Redact(string text, IncidentFacts facts)
    {
        if (facts.Tools?.Token is { Length: > 0 } token)
            text = text.Replace(token, SecretRedaction.Redacted, StringComparison.Ordinal);
        if (_options.ApiKey is { Length: > 0 } key)
            text = text.Replace(key, SecretRedaction.Redacted, StringComparison.Ordinal);
        return text;
    }

    public void Dispose() => _rateLimiter.Dispose();

    /// <summary>
    /// Stops a model that keeps asking for tools past the limit: the plugin refuses calls beyond it, and after a few
    /// more rounds this ends the loop; an explanation ended this way has no answer and falls back.
    /// </summary>
    private sealed class ToolCallGuard : IAutoFunctionInvocationFilter
    {
        private const int MaxRounds = BrainTools.MaxCalls + 2;

        public bool Terminated { get; private set; }

        public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
        {
            if (context.RequestSequenceIndex >= MaxRounds)
            {
                Terminated = true;
                context.Terminate = true;
                return;
            }
            await next(context);
        }
    }
}
