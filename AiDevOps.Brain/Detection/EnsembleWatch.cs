using System.Globalization;
using AiDevOps.Brain.Storage;
using AiDevOps.Contracts;
using AiDevOps.Detection;
using Engine = AiDevOps.Detection;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Watches every series with the detection engine (<see cref="SeriesDetector"/>: an ensemble with hysteresis and a
/// trend forecast), one detector per series, and turns the engine's openings and closings into anomaly changes:
/// <see cref="AnomalyKinds.Unusual"/> and <see cref="AnomalyKinds.PredictedExhaustion"/>. Plain state, no I/O.
/// </summary>
public sealed class EnsembleWatch(DetectionSettings settings)
{
    public const string Name = "ensemble";

    // up is a state, not a measurement (UpDetector), and ALERTS are Prometheus's own decisions.
    private static readonly string[] NotWatched = [UpDetector.Metric, "ALERTS", "scrape_duration_seconds"];

    private readonly Dictionary<(string Tenant, string SeriesId), Watched> _series = [];

    private sealed class Watched(SeriesDetector detector)
    {
        public SeriesDetector Detector { get; } = detector;
        public long LastTimestamp { get; set; } = long.MinValue;
        public Anomaly? Unusual { get; set; }
        public Anomaly? Predicted { get; set; }
    }

    public int WatchedSeries => _series.Count;

    public IReadOnlyList<AnomalyChange> Evaluate(Series series, IReadOnlyList<SamplePoint> samples)
    {
        if (NotWatched.Contains(series.Metric))
            return [];
        var key = (series.Tenant, series.Id);
        if (!_series.TryGetValue(key, out var watched))
            _series[key] = watched = new Watched(new SeriesDetector(settings.For(series.Metric)));

        var changes = new List<AnomalyChange>();
        foreach (var sample in samples.Where(s => s.Timestamp > watched.LastTimestamp).OrderBy(s => s.Timestamp))
        {
            watched.LastTimestamp = sample.Timestamp;
            var at = DateTimeOffset.FromUnixTimeMilliseconds(sample.Timestamp);
            var assessment = watched.Detector.Observe(new Engine.Sample(at, sample.Value));

            if (assessment.Opened is { } opened && watched.Unusual is null)
            {
                watched.Unusual = ToAnomaly(series, AnomalyKinds.Unusual, opened);
                changes.Add(new AnomalyOpened(watched.Unusual));
            }
            else if (assessment.Closed && watched.Unusual is { } unusual)
            {
                changes.Add(new AnomalyResolved(unusual with { ResolvedAt = at }));
                watched.Unusual = null;
            }

            if (assessment.PredictionOpened is { } predicted && watched.Predicted is null)
            {
                watched.Predicted = ToAnomaly(series, AnomalyKinds.PredictedExhaustion, predicted);
                changes.Add(new AnomalyOpened(watched.Predicted));
            }
            else if (assessment.PredictionClosed && watched.Predicted is { } prediction)
            {
                changes.Add(new AnomalyResolved(prediction with { ResolvedAt = at }));
                watched.Predicted = null;
            }
        }
        return changes;
    }

    private static Anomaly ToAnomaly(Series series, string kind, Engine.Anomaly found)
    {
        var strongest = found.Evidence.Count > 0 ? found.Evidence[0].Detector.ToString() : Name;
        return new Anomaly(Anomaly.IdFor(series, found.OpenedAt), series, kind, $"{Name}/{strongest}", found.Score, found.OpenedAt,
            Evidence: Describe(found));
    }

    /// <summary>The evidence in words, for people and for the summary: what each detector expected and saw.</summary>
    public static string Describe(Engine.Anomaly found)
    {
        var parts = found.Evidence.Select(e => string.Create(CultureInfo.InvariantCulture,
            $"{e.Detector}: expected {e.Expected:G4}, got {e.Actual:G4} (score {e.Score:0.00})")).ToList();
        if (found.Exhaustion is { } exhaustion)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"reaches {exhaustion.Limit:G4} in {Hours(exhaustion.Expected)} (between {Hours(exhaustion.Earliest)} and {Hours(exhaustion.Latest)}) at {exhaustion.SlopePerHour:G3}/h"));
        }
        return string.Join("; ", parts);
    }

    private static string Hours(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.0} h");
}
