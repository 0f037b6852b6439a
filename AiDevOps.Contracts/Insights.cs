namespace AiDevOps.Contracts;

/// <summary>
/// The facts of one anomaly, as the Brain knows them, sent to Insights for a summary. Summaries must stay grounded
/// in these facts, so everything the summary may say is here.
/// </summary>
/// <param name="Kind">What happened, e.g. <c>target_down</c>.</param>
/// <param name="Detector">Which detector decided, e.g. <c>up</c>.</param>
/// <param name="RecentValues">The series' latest samples, oldest first.</param>
/// <param name="Evidence">
/// What the detector expected and saw, in words, e.g. <c>ewma: expected 0.42, got 0.97 (score 3.10)</c>; for a
/// Prometheus alert, its own summary and description annotations. <see langword="null"/> when there is none.
/// </param>
/// <param name="Score">The detector's score for this anomaly, when it has one.</param>
/// <param name="BudgetMilliseconds">
/// How long the caller will wait for the answer, end to end. Insights answers within it, with the deterministic
/// summary when the model is too slow; <see langword="null"/> lets Insights wait for the model as long as it is
/// configured to.
/// </param>
public sealed record AnomalyFacts(
    string Metric,
    IReadOnlyDictionary<string, string> Labels,
    string Kind,
    string Detector,
    DateTimeOffset Since,
    IReadOnlyList<SamplePoint> RecentValues,
    string? Evidence = null,
    double? Score = null,
    int? BudgetMilliseconds = null);

/// <param name="Source"><c>model</c> when a language model wrote it, <c>deterministic</c> otherwise.</param>
public sealed record InsightSummary(string Summary, string Source);

public static class SummarySources
{
    public const string Model = "model";
    public const string Deterministic = "deterministic";
}
