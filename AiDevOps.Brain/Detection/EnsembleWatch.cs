using System.Globalization;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;
using AiDevOps.Storage;
using AiDevOps.Detection;
using AiDevOps.Detection.Forecasting;
using Engine = AiDevOps.Detection;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Watches every series with the detection engine (<see cref="SeriesDetector"/>: an ensemble with hysteresis and a
/// trend forecast), one detector per series, and turns the engine's openings and closings into anomaly changes:
/// <see cref="AnomalyKinds.Unusual"/> and <see cref="AnomalyKinds.PredictedExhaustion"/>. Plain state, no I/O.
/// </summary>
public sealed class EnsembleWatch(DetectionSettings settings) : IAnomalySource
{
    public const string Name = "ensemble";

    // up is a state, not a measurement (UpDetector), and ALERTS are Prometheus's own decisions.
    private static readonly string[] NotWatched = [UpDetector.Metric, "ALERTS", "scrape_duration_seconds"];

    private readonly Dictionary<(string Tenant, string SeriesId), Watched> _series = [];
    // An agent's detection runs one call at a time, but its forecasts are read beside it.
    private readonly Lock _lock = new();

    private sealed class Watched(SeriesDetector detector, string metric)
    {
        public SeriesDetector Detector { get; } = detector;
        public string Metric { get; } = metric;
        public long LastTimestamp { get; set; } = long.MinValue;
        public Anomaly? Unusual { get; set; }
        public Anomaly? Predicted { get; set; }
    }

    public int WatchedSeries
    {
        get { lock (_lock) return _series.Count; }
    }

    /// <summary>What every detector has learnt, to be kept for the next start.</summary>
    public IReadOnlyList<DetectorModel> Models()
    {
        lock (_lock)
            return _series.Select(s => new DetectorModel(s.Key.Tenant, s.Key.SeriesId, s.Value.Metric, s.Value.LastTimestamp, s.Value.Detector.Snapshot())).ToList();
    }

    public static bool Watches(string metric) => !NotWatched.Contains(metric);

    /// <summary>Starts warm: detectors continue from their models; a model the engine no longer reads is skipped.</summary>
    public int Load(IEnumerable<DetectorModel> models)
    {
        var loaded = 0;
        lock (_lock)
        {
            foreach (var model in models)
            {
                try
                {
                    _series[(model.Tenant, model.SeriesId)] = new Watched(SeriesDetector.Restore(settings.For(model.Metric), model.Snapshot), model.Metric)
                    {
                        LastTimestamp = model.LastTimestamp,
                    };
                    loaded++;
                }
                catch (InvalidDataException)
                {
                    // Written by another engine version: this series relearns, from stored history (FitModelsJob).
                }
            }
        }
        return loaded;
    }

    /// <summary>
    /// What the detector of a series has seen: since when it learnt and its last sample (Unix ms); null when the
    /// series is not watched yet.
    /// </summary>
    public Coverage? CoverageOf(string tenant, string seriesId)
    {
        lock (_lock)
            return _series.TryGetValue((tenant, seriesId), out var watched) ? new Coverage(watched.Detector.LearntSince, watched.LastTimestamp) : null;
    }

    /// <summary>
    /// The trend of a watched series one <paramref name="horizon"/> after its last sample, and when it reaches its
    /// limit; null when the series is not watched.
    /// </summary>
    public SeriesOutlook? Outlook(string tenant, string seriesId, TimeSpan horizon)
    {
        lock (_lock)
        {
            if (!_series.TryGetValue((tenant, seriesId), out var watched) || watched.LastTimestamp == long.MinValue)
                return null;
            return new SeriesOutlook(
                DateTimeOffset.FromUnixTimeMilliseconds(watched.LastTimestamp), watched.Detector.Forecast(horizon), watched.Detector.Exhaustion());
        }
    }

    /// <summary>A new series' detector, for fitting on history before it is offered to <see cref="Adopt"/>.</summary>
    public SeriesDetector NewDetector(string metric) => new(settings.For(metric));

    /// <summary>
    /// Puts a detector fitted on stored history up to <paramref name="fittedUntil"/> (Unix ms) in place of the series'
    /// current one when it learnt from longer. Not while the series has an anomaly open: the fitted detector's gate is
    /// shut, so it would end an incident that is still going. When the current one has already seen later samples,
    /// nothing changes and the answer says up to when the fitted one must catch up.
    /// </summary>
    public Adoption Adopt(Series series, SeriesDetector fitted, long fittedUntil)
    {
        lock (_lock)
        {
            var key = (series.Tenant, series.Id);
            if (_series.TryGetValue(key, out var current))
            {
                if (current.Detector.LearntSince is { } since && (fitted.LearntSince is not { } fittedSince || fittedSince >= since))
                    return Adoption.NotLonger;
                if (current.Unusual is not null || current.Predicted is not null || current.Detector.IsAnomalous)
                    return Adoption.Busy;
                if (current.LastTimestamp > fittedUntil)
                    return Adoption.Behind(current.LastTimestamp);
            }
            _series[key] = new Watched(fitted, series.Metric) { LastTimestamp = fittedUntil };
            return Adoption.Adopted;
        }
    }

    public IEnumerable<AnomalyChange> Forget(DateTimeOffset cutoff, DateTimeOffset now)
    {
        lock (_lock)
            return IdleSeries.Forget(_series, cutoff, now, w => w.LastTimestamp, w => [w.Unusual, w.Predicted]);
    }

    public IEnumerable<AnomalyChange> Restore(Anomaly open, DateTimeOffset now)
    {
        if (!open.IsOpen || !open.Detector.StartsWith(Name + "/", StringComparison.Ordinal))
            return [];
        lock (_lock)
        {
            var key = (open.Series.Tenant, open.Series.Id);
            if (!_series.TryGetValue(key, out var watched))
                _series[key] = watched = new Watched(new SeriesDetector(settings.For(open.Series.Metric)), open.Series.Metric);
            if (open.Kind == AnomalyKinds.PredictedExhaustion)
                watched.Predicted = open;
            else
                watched.Unusual = open;
        }
        return [];
    }

    public IEnumerable<AnomalyChange> Observe(Series series, IReadOnlyList<SamplePoint> samples)
    {
        if (!Watches(series.Metric))
            return [];
        lock (_lock)
            return EvaluateLocked(series, samples);
    }

    private IReadOnlyList<AnomalyChange> EvaluateLocked(Series series, IReadOnlyList<SamplePoint> samples)
    {
        var key = (series.Tenant, series.Id);
        if (!_series.TryGetValue(key, out var watched))
            _series[key] = watched = new Watched(new SeriesDetector(settings.For(series.Metric)), series.Metric);

        // Runs for every series of every delivery: samples come in order almost always, and a change is rare.
        List<AnomalyChange>? changes = null;
        var ordered = InOrder(samples) ? samples : [.. samples.OrderBy(s => s.Timestamp)];
        for (var i = 0; i < ordered.Count; i++)
        {
            var sample = ordered[i];
            if (sample.Timestamp <= watched.LastTimestamp)
                continue;
            watched.LastTimestamp = sample.Timestamp;
            var at = DateTimeOffset.FromUnixTimeMilliseconds(sample.Timestamp);
            var assessment = watched.Detector.Observe(new Engine.Sample(at, sample.Value));

            if (assessment.Opened is { } opened && watched.Unusual is null)
            {
                watched.Unusual = ToAnomaly(series, AnomalyKinds.Unusual, opened);
                (changes ??= []).Add(new AnomalyOpened(watched.Unusual));
            }
            // Not only on the closing sample: an anomaly taken back after a restart ends when the gate is shut.
            else if (!assessment.IsAnomalous && watched.Unusual is { } unusual)
            {
                (changes ??= []).Add(unusual.Resolve(at));
                watched.Unusual = null;
            }

            if (assessment.PredictionOpened is { } predicted && watched.Predicted is null)
            {
                watched.Predicted = ToAnomaly(series, AnomalyKinds.PredictedExhaustion, predicted);
                (changes ??= []).Add(new AnomalyOpened(watched.Predicted));
            }
            else if (!assessment.IsPredicted && watched.Predicted is { } prediction)
            {
                (changes ??= []).Add(prediction.Resolve(at));
                watched.Predicted = null;
            }
        }
        return changes is null ? Array.Empty<AnomalyChange>() : changes;
    }

    private static bool InOrder(IReadOnlyList<SamplePoint> samples)
    {
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].Timestamp < samples[i - 1].Timestamp)
                return false;
        }
        return true;
    }

    private static Anomaly ToAnomaly(Series series, string kind, Engine.Finding found)
    {
        var strongest = found.Evidence.Count > 0 ? found.Evidence[0].Detector.ToString() : Name;
        return new Anomaly(Anomaly.IdFor(series, found.OpenedAt), series, kind, $"{Name}/{strongest}", found.Score, found.OpenedAt,
            Evidence: Describe(found), Expected: found.Evidence.Count > 0 ? found.Evidence[0].Expected : null,
            ExhaustionAt: found.Exhaustion is { } exhaustion ? found.OpenedAt + exhaustion.Expected : null);
    }

    /// <summary>The evidence in words, for people and for the summary: what each detector expected and saw.</summary>
    public static string Describe(Engine.Finding found)
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

/// <summary>What <see cref="EnsembleWatch.Adopt"/> did with a fitted detector.</summary>
public readonly record struct Adoption(AdoptionOutcome Outcome, long CatchUpUntil = 0)
{
    public static Adoption Adopted => new(AdoptionOutcome.Adopted);

    public static Adoption NotLonger => new(AdoptionOutcome.NotLonger);

    public static Adoption Busy => new(AdoptionOutcome.Busy);

    public static Adoption Behind(long currentUntil) => new(AdoptionOutcome.Behind, currentUntil);
}

public enum AdoptionOutcome
{
    Adopted,

    /// <summary>The current detector learnt from at least as long a history; the fitted one is not needed.</summary>
    NotLonger,

    /// <summary>The series has an anomaly open; offer again once it has ended.</summary>
    Busy,

    /// <summary>The current detector has seen samples after the fitted one's last: fit up to <see cref="Adoption.CatchUpUntil"/> and offer again.</summary>
    Behind,
}

/// <summary>What a series' detector has seen: since when it learnt (null before its first sample) and its last sample (Unix ms).</summary>
public readonly record struct Coverage(DateTimeOffset? LearntSince, long LastTimestamp);

/// <summary>Where a series is heading, as of its last sample.</summary>
[GenerateSerializer, Immutable]
public sealed record SeriesOutlook([property: Id(0)] DateTimeOffset LastSample, [property: Id(1)] Forecast Forecast, [property: Id(2)] Exhaustion? Exhaustion);
