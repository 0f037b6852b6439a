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

/// <summary>
/// The facts of one incident (the alert pipeline's group of anomalies), computed by the Brain and sent to Insights
/// for an explanation. An explanation may state only what is here or what a tool call returned.
/// </summary>
/// <param name="IncidentId">The incident's id; with <see cref="Version"/> it keys Insights' cache of answers.</param>
/// <param name="Version">Changes whenever the incident does (a member joins or resolves).</param>
/// <param name="State"><c>open</c>, <c>acknowledged</c> or <c>resolved</c>.</param>
/// <param name="Group">The labels that make the incident, e.g. <c>{instance="db-1:9100"}</c>.</param>
/// <param name="Members">Every anomaly of the incident, the one it leads with first.</param>
/// <param name="OtherAnomalies">Other anomalies of the same host or service open in the incident's window.</param>
/// <param name="Correlated">The series of the same host that moved most like the lead member over the window, computed.</param>
/// <param name="Tools">How Insights may read more, read-only, for this incident's tenant only; null: no tools.</param>
/// <param name="MaxCharacters">The channel's room for the explanation (900 for Telegram); whole sentences only.</param>
/// <param name="BudgetMilliseconds">How long the caller waits, end to end; Insights answers within it.</param>
public sealed record IncidentFacts(
    string IncidentId,
    int Version,
    string Title,
    string State,
    IReadOnlyDictionary<string, string> Group,
    DateTimeOffset Since,
    DateTimeOffset? ResolvedAt,
    IReadOnlyList<MemberFacts> Members,
    IReadOnlyList<OtherAnomaly> OtherAnomalies,
    IReadOnlyList<CorrelatedSeries> Correlated,
    InsightTools? Tools = null,
    int MaxCharacters = 900,
    int? BudgetMilliseconds = null);

/// <summary>One anomaly of an incident: what fired, on which series, and its values against what was expected.</summary>
/// <param name="Expected">The detector's expected level when it has one (its baseline).</param>
/// <param name="BandLow">The low edge of the detector's normal band, when it has one.</param>
/// <param name="BandHigh">The high edge of the detector's normal band, when it has one.</param>
/// <param name="ExhaustionAt">When the series is forecast to reach its limit (free disk, available memory), when known.</param>
/// <param name="Annotations">A Prometheus alert's own annotations (summary, description, runbook_url…).</param>
public sealed record MemberFacts(
    string Metric,
    IReadOnlyDictionary<string, string> Labels,
    string Kind,
    string Detector,
    DateTimeOffset Since,
    DateTimeOffset? ResolvedAt,
    IReadOnlyList<SamplePoint> RecentValues,
    string? Evidence = null,
    double? Score = null,
    double? Expected = null,
    double? BandLow = null,
    double? BandHigh = null,
    DateTimeOffset? ExhaustionAt = null,
    IReadOnlyDictionary<string, string>? Annotations = null);

/// <summary>Another anomaly of the same host or service, open during the incident.</summary>
public sealed record OtherAnomaly(string Metric, IReadOnlyDictionary<string, string> Labels, string Kind, DateTimeOffset Since, string? Evidence);

/// <summary>
/// A series of the same host that moved with the lead member over the window: its Pearson correlation with it
/// (−1…1), and its mean before the incident and since.
/// </summary>
public sealed record CorrelatedSeries(string Metric, IReadOnlyDictionary<string, string> Labels, double Correlation, double MeanBefore, double MeanSince);

/// <summary>
/// Read-only access to the Brain for one incident's explanation: the Brain's URL and a token that reads only that
/// incident's tenant and expires with the explanation's budget. A secret: never logged.
/// </summary>
public sealed record InsightTools(string BrainUrl, string Token, DateTimeOffset ExpiresAt);
