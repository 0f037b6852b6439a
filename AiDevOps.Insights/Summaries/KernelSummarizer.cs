using System.Globalization;
using AiDevOps.Contracts;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace AiDevOps.Insights.Summaries;

/// <summary>
/// Asks a language model for the summary, grounded in the facts only. Whenever the model fails, times out or says
/// nothing, the deterministic summary is returned instead, so a summary is always available. The model gets the
/// configured timeout, or less when the caller's budget is shorter, so the fallback still arrives in time.
/// </summary>
public sealed class KernelSummarizer : ISummarizer
{
    public const double Temperature = 0.1;
    public const int MaxTokens = 300;

    // Enough history to show a trend without letting a long series crowd out the instructions.
    private const int MaxValuesInPrompt = 20;

    // Alert descriptions can be long templates; past this they crowd out the facts the summary is about.
    private const int MaxEvidenceInPrompt = 500;

    private static readonly KernelFunction SummarizeFunction = CreateFunction();

    private readonly Kernel _kernel;
    private readonly DeterministicSummarizer _fallback;
    private readonly TimeSpan _timeout;
    private readonly ILogger<KernelSummarizer> _logger;

    public KernelSummarizer(Kernel kernel, DeterministicSummarizer fallback, TimeSpan timeout, ILogger<KernelSummarizer> logger)
    {
        _kernel = kernel;
        _fallback = fallback;
        _timeout = timeout;
        _logger = logger;
    }

    public async Task<InsightSummary> SummarizeAsync(AnomalyFacts facts, CancellationToken cancellationToken)
    {
        var modelTimeout = SummaryBudget.ModelTimeout(_timeout, facts.BudgetMilliseconds);
        if (modelTimeout <= TimeSpan.Zero)
        {
            _logger.LogWarning("A budget of {Budget} ms leaves no time for the model to summarise {Metric}; using the deterministic summary",
                facts.BudgetMilliseconds, facts.Metric);
            return await _fallback.SummarizeAsync(facts, cancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(modelTimeout);
        try
        {
            // WaitAsync gives up at the deadline itself: a cancelled call takes tens to hundreds of milliseconds more to
            // unwind through Semantic Kernel and the HTTP client on a busy host, time the caller's budget does not have.
            var result = await SummarizeFunction.InvokeAsync(_kernel, RenderFacts(facts), timeout.Token).WaitAsync(timeout.Token);
            var text = result.GetValue<string>()?.Trim();
            if (!string.IsNullOrEmpty(text))
                return new InsightSummary(text, SummarySources.Model);
            _logger.LogWarning("The model returned an empty summary for {Metric}; using the deterministic summary", facts.Metric);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("The model did not answer within {Timeout} for {Metric}; using the deterministic summary", modelTimeout, facts.Metric);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogWarning(exception, "The model failed to summarise {Metric}; using the deterministic summary", facts.Metric);
        }
        return await _fallback.SummarizeAsync(facts, cancellationToken);
    }

    public static KernelArguments RenderFacts(AnomalyFacts facts)
    {
        var values = facts.RecentValues ?? [];
        var shown = values.Skip(Math.Max(0, values.Count - MaxValuesInPrompt))
            .Select(point => string.Create(CultureInfo.InvariantCulture,
                $"{DateTimeOffset.FromUnixTimeMilliseconds(point.Timestamp).UtcDateTime:HH:mm:ss}={SummaryText.Number(point.Value)}"));
        var omitted = values.Count > MaxValuesInPrompt ? $" (last {MaxValuesInPrompt} of {values.Count})" : "";

        return new KernelArguments
        {
            ["metric"] = facts.Metric,
            ["labels"] = string.Join(", ", (facts.Labels ?? new Dictionary<string, string>())
                .OrderBy(label => label.Key, StringComparer.Ordinal)
                .Select(label => $"{label.Key}=\"{label.Value}\"")),
            ["kind"] = facts.Kind,
            ["detector"] = facts.Detector,
            ["since"] = facts.Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
            ["recentValues"] = values.Count == 0 ? "none" : string.Join(", ", shown) + omitted,
            // "none" rather than an empty line, so the model is told there is nothing to report, not left to guess.
            ["evidence"] = SummaryText.OneLine(facts.Evidence, MaxEvidenceInPrompt) ?? "none",
            ["score"] = facts.Score is { } score ? SummaryText.Number(score) : "none",
        };
    }

    private static KernelFunction CreateFunction()
    {
        using var stream = typeof(KernelSummarizer).Assembly.GetManifestResourceStream("AiDevOps.Insights.Prompts.Summarize.txt")
            ?? throw new InvalidOperationException("The summarize prompt is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var config = new PromptTemplateConfig(reader.ReadToEnd()) { Name = "summarize_anomaly" };
        config.AddExecutionSettings(new OpenAIPromptExecutionSettings { Temperature = Temperature, MaxTokens = MaxTokens });
        return KernelFunctionFactory.CreateFromPrompt(config);
    }
}
