namespace AiDevOps.Contracts;

/// <summary>
/// The facts of one anomaly, as the Brain knows them, sent to Insights for a summary. Summaries must stay grounded
/// in these facts, so everything the summary may say is here.
/// </summary>
/// <param name="Kind">What happened, e.g. <c>target_down</c>.</param>
/// <param name="Detector">Which detector decided, e.g. <c>up</c>.</param>
/// <param name="RecentValues">The series' latest samples, oldest first.</param>
public sealed record AnomalyFacts(
    string Metric,
    IReadOnlyDictionary<string, string> Labels,
    string Kind,
    string Detector,
    DateTimeOffset Since,
    IReadOnlyList<SamplePoint> RecentValues);

/// <param name="Source"><c>model</c> when a language model wrote it, <c>deterministic</c> otherwise.</param>
public sealed record InsightSummary(string Summary, string Source);

public static class SummarySources
{
    public const string Model = "model";
    public const string Deterministic = "deterministic";
}
