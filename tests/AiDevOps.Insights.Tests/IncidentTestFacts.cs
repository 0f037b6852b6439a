using AiDevOps.Contracts;

namespace AiDevOps.Insights.Tests;

/// <summary>Incidents as the Brain describes them, one per cause class.</summary>
internal static class IncidentTestFacts
{
    public static readonly DateTimeOffset Since = new(2026, 11, 24, 10, 15, 3, TimeSpan.Zero);

    public static Dictionary<string, string> Host(string instance = "db-1:9100", string job = "node") =>
        new() { [WellKnownLabels.Instance] = instance, [WellKnownLabels.Job] = job };

    public static IReadOnlyList<SamplePoint> Values(params double[] values) =>
        [.. values.Select((value, i) => new SamplePoint(Since.AddMinutes(i - values.Length + 1).ToUnixTimeMilliseconds(), value))];

    public static IncidentFacts Incident(params MemberFacts[] members) => new(
        IncidentId: "inc-1",
        Version: 1,
        Title: members[0].Metric + " on db-1:9100",
        State: "open",
        Group: new Dictionary<string, string> { [WellKnownLabels.Instance] = "db-1:9100" },
        Since: Since,
        ResolvedAt: null,
        Members: members,
        OtherAnomalies: [],
        Correlated: []);

    public static IncidentFacts TargetDown() => Incident(new MemberFacts(
        "up", Host(), AnomalyKinds.TargetDown, "up", Since, null, Values(1, 1, 0)));

    public static IncidentFacts DiskFilling() => Incident(new MemberFacts(
        "node_filesystem_avail_bytes", Host(), AnomalyKinds.PredictedExhaustion, "trend", Since, null,
        Values(5.2e9, 4.1e9, 3.0e9), Score: 4.2, Expected: 8.0e9, BandLow: 7.5e9, BandHigh: 8.5e9,
        ExhaustionAt: Since.AddHours(3)));

    public static IncidentFacts MemoryLeak() => Incident(new MemberFacts(
        "node_memory_MemAvailable_bytes", Host(), AnomalyKinds.Unusual, "ewma", Since, null,
        Values(2.1e9, 1.6e9, 1.2e9), Score: 3.4, Expected: 4.0e9, ExhaustionAt: Since.AddMinutes(50)));

    public static IncidentFacts CpuSaturation() => Incident(new MemberFacts(
        "node_cpu_busy_ratio", Host(), AnomalyKinds.Unusual, "zscore", Since, null,
        Values(0.55, 0.91, 0.97), Score: 5.1, Expected: 0.42, BandLow: 0.3, BandHigh: 0.6));

    public static IncidentFacts ErrorRateWithLatency() => Incident(new MemberFacts(
        "http_requests_errors_ratio", Host("10.0.0.7:8080", "checkout"), AnomalyKinds.Unusual, "ewma", Since, null,
        Values(0.01, 0.08, 0.12), Score: 6.3, Expected: 0.01, BandLow: 0, BandHigh: 0.02)) with
    {
        Group = new Dictionary<string, string> { [WellKnownLabels.Instance] = "10.0.0.7:8080" },
        Correlated =
        [
            new CorrelatedSeries("http_request_duration_seconds", Host("10.0.0.7:8080", "checkout"), 0.93, 0.12, 0.85),
            new CorrelatedSeries("process_open_fds", Host("10.0.0.7:8080", "checkout"), 0.41, 120, 130),
        ],
        OtherAnomalies =
        [
            new OtherAnomaly("http_request_duration_seconds", Host("10.0.0.7:8080", "checkout"), AnomalyKinds.Unusual, Since.AddMinutes(1), "ewma: expected 0.12, got 0.85 (score 4.40)"),
        ],
    };

    public static IncidentFacts PrometheusAlert() => Incident(new MemberFacts(
        "ALERTS", new Dictionary<string, string>
        {
            [WellKnownLabels.AlertName] = "PostgresReplicationLag",
            [WellKnownLabels.Instance] = "db-1:9187",
            ["severity"] = "page",
        },
        AnomalyKinds.PrometheusAlert, "prometheus", Since, null, [],
        Annotations: new Dictionary<string, string>
        {
            ["summary"] = "Replication lag above 30 s on db-1",
            ["description"] = "The replica has been 42 s behind the primary for 5 minutes.",
            ["runbook_url"] = "https://runbooks.example.com/pg-lag",
        })) with
    { Group = new Dictionary<string, string> { [WellKnownLabels.Instance] = "db-1:9187" } };

    public static IncidentFacts Resolved(IncidentFacts facts) => facts with
    {
        State = "resolved",
        Version = facts.Version + 1,
        ResolvedAt = facts.Since.AddMinutes(12),
    };
}
