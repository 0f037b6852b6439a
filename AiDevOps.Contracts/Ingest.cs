namespace AiDevOps.Contracts;

/// <summary>
/// The JSON body of <c>POST /ingest</c>: samples grouped by series. A series is identified by its labels, the metric
/// name included as <c>__name__</c>, as in Prometheus.
/// </summary>
public sealed record IngestRequest(IReadOnlyList<SeriesSamples> Series);

public sealed record SeriesSamples(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<SamplePoint> Samples);

/// <param name="Timestamp">Unix time in milliseconds, as Prometheus keeps it.</param>
public readonly record struct SamplePoint(long Timestamp, double Value);

/// <summary>What the Brain answers once an ingest is stored.</summary>
/// <param name="Duplicate">The batch id was stored before: this delivery was a retry and changed nothing.</param>
public sealed record IngestResponse(int Series, int Samples, bool Duplicate = false);

public static class WellKnownLabels
{
    public const string MetricName = "__name__";
    public const string Job = "job";
    public const string Instance = "instance";

    /// <summary>The name of a Prometheus alert, among its labels.</summary>
    public const string AlertName = "alertname";
}
