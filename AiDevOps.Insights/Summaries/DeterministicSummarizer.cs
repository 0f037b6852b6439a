using System.Globalization;
using System.Text;
using AiDevOps.Contracts;

namespace AiDevOps.Insights.Summaries;

/// <summary>
/// Builds the summary from the facts alone, with no I/O, so an alert always has a useful text even when no model is
/// configured or the model fails.
/// </summary>
public sealed class DeterministicSummarizer : ISummarizer
{
    public const int MaxLength = 600;

    // Label sets can be arbitrarily long; the evidence, cause and next step matter more than the tail of the label
    // list, so the series and where get what room those leave, between these bounds.
    private const int MaxWhatLength = 220;
    private const int MinWhatLength = 60;

    // Room for a detector's sentence or an alert's summary annotation; a long description is cut, not the next step.
    private const int MaxEvidenceLength = 160;

    public Task<InsightSummary> SummarizeAsync(AnomalyFacts facts, CancellationToken cancellationToken) =>
        Task.FromResult(Summarize(facts));

    public static InsightSummary Summarize(AnomalyFacts facts)
    {
        var labels = facts.Labels ?? new Dictionary<string, string>();
        labels.TryGetValue(WellKnownLabels.Job, out var job);
        labels.TryGetValue(WellKnownLabels.Instance, out var instance);
        var where = DescribeWhere(job, instance);
        var isTargetDown = string.Equals(facts.Kind, AnomalyKinds.TargetDown, StringComparison.OrdinalIgnoreCase);

        var what = isTargetDown
            ? $"Target down: {where}"
            : $"Anomaly on {FormatSeries(facts.Metric, labels)} ({DescribeDetection(facts)}) for {where}";
        var since = facts.Since.UtcDateTime.ToString("HH:mm:ss 'UTC on' yyyy-MM-dd", CultureInfo.InvariantCulture);

        var rest = new StringBuilder()
            .Append(" since ").Append(since).Append('.')
            .Append(DescribeEvidence(facts))
            .Append(DescribeLastValue(facts.RecentValues))
            .Append(isTargetDown
                ? " Likely cause: the process stopped or crashed, the host is unreachable, or a network or firewall rule blocks the scrape."
                : " Likely cause: a change in the workload or in the service behind this metric.")
            .Append(isTargetDown
                ? $" Next step: check the service on {instance ?? "the instance"} (e.g. systemctl status) and its logs."
                : $" Next step: check recent deploys and the logs of {where}.")
            .ToString();
        var whatLength = Math.Clamp(MaxLength - rest.Length, MinWhatLength, MaxWhatLength);

        return new InsightSummary(
            SummaryText.Truncate(SummaryText.Truncate(what, whatLength) + rest, MaxLength), SummarySources.Deterministic);
    }

    // The Brain's detector evidence already ends in "(score …)"; the score is added only where the text lacks it.
    private static string DescribeEvidence(AnomalyFacts facts)
    {
        var evidence = SummaryText.OneLine(facts.Evidence, MaxEvidenceLength)?.TrimEnd('.');
        var score = facts.Score is { } value && evidence?.Contains("score", StringComparison.OrdinalIgnoreCase) != true
            ? SummaryText.Number(value)
            : null;
        return (evidence, score) switch
        {
            ({ Length: > 0 } said, { } scored) => $" Evidence: {said} (score {scored}).",
            ({ Length: > 0 } said, null) => $" Evidence: {said}.",
            (_, { } scored) => $" Detector score: {scored}.",
            _ => "",
        };
    }

    private static string DescribeWhere(string? job, string? instance) => (job, instance) switch
    {
        ({ Length: > 0 }, { Length: > 0 }) => $"job {job} at {instance}",
        ({ Length: > 0 }, _) => $"job {job}",
        (_, { Length: > 0 }) => instance!,
        _ => "an unlabelled target",
    };

    private static string DescribeDetection(AnomalyFacts facts) =>
        string.IsNullOrWhiteSpace(facts.Detector) ? facts.Kind : $"{facts.Kind}, detector {facts.Detector}";

    private static string DescribeLastValue(IReadOnlyList<SamplePoint>? values) =>
        values is { Count: > 0 }
            ? $" Last value: {SummaryText.Number(values[^1].Value)}."
            : "";

    private static string FormatSeries(string metric, IReadOnlyDictionary<string, string> labels)
    {
        var shown = labels
            .Where(label => label.Key != WellKnownLabels.MetricName)
            .OrderBy(label => label.Key, StringComparer.Ordinal)
            .Select(label => $"{label.Key}=\"{label.Value}\"");
        return $"{metric}{{{string.Join(", ", shown)}}}";
    }
}
