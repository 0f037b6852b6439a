using AiDevOps.Contracts;

namespace AiDevOps.Insights.Tests;

internal static class TestFacts
{
    public static readonly DateTimeOffset Since = new(2026, 11, 24, 10, 15, 3, TimeSpan.Zero);

    /// <summary>Evidence as the Brain's detectors word it, with the score already in the text.</summary>
    public const string EwmaEvidence = "ewma: expected 0.42, got 0.97 (score 3.10)";

    public static AnomalyFacts TargetDown(IReadOnlyDictionary<string, string>? labels = null) => new(
        Metric: "up",
        Labels: labels ?? new Dictionary<string, string>
        {
            [WellKnownLabels.MetricName] = "up",
            [WellKnownLabels.Job] = "node",
            [WellKnownLabels.Instance] = "127.0.0.1:9100",
        },
        Kind: "target_down",
        Detector: "up",
        Since: Since,
        RecentValues: [new(Since.AddSeconds(-30).ToUnixTimeMilliseconds(), 1), new(Since.ToUnixTimeMilliseconds(), 0)]);

    public static AnomalyFacts LatencySpike() => new(
        Metric: "http_request_duration_seconds",
        Labels: new Dictionary<string, string>
        {
            [WellKnownLabels.Job] = "checkout",
            [WellKnownLabels.Instance] = "10.0.0.7:8080",
            ["route"] = "/pay",
        },
        Kind: "spike",
        Detector: "zscore",
        Since: Since,
        RecentValues: [new(Since.ToUnixTimeMilliseconds(), 2.5)]);
}
