using AiDevOps.Detection.Detectors;
using AiDevOps.Detection.Forecasting;
using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection;

/// <summary>
/// Everything the engine keeps for one series: the detector ensemble, the anomaly and prediction gates and the
/// trend. <see cref="Observe"/> does constant work; <see cref="Snapshot"/>/<see cref="Restore"/> carry the state
/// across restarts and <see cref="Fit"/> warms it from stored history.
/// </summary>
public sealed class SeriesDetector
{
    private const int SnapshotVersion = 8;

    private readonly DetectorOptions _options;
    private readonly DetectorEnsemble _ensemble;
    private readonly IncidentGate _anomaly;
    private readonly IncidentGate _prediction;
    private readonly TrendForecaster _trend;
    private double _peak;
    private int _peakAge = int.MaxValue;
    private long _learntSinceTicks = long.MaxValue;

    public SeriesDetector(DetectorOptions options)
    {
        _options = options;
        _ensemble = new DetectorEnsemble(options);
        _anomaly = new IncidentGate(options);
        _prediction = new IncidentGate(options);
        _trend = new TrendForecaster(options.TrendSamples);
    }

    public bool IsAnomalous => _anomaly.IsOpen;

    /// <summary>
    /// The time of the oldest sample this detector learnt from, or null before its first: how much history it
    /// stands on, so a detector fitted on a longer stored history can take over from a younger one.
    /// </summary>
    public DateTimeOffset? LearntSince =>
        _learntSinceTicks == long.MaxValue ? null : new DateTimeOffset(_learntSinceTicks, TimeSpan.Zero);

    public Assessment Observe(in Sample sample)
    {
        if (!sample.IsFinite)
        {
            // A gap says nothing about the level, so it neither scores nor teaches; absence of data is judged where
            // the Brain watches `up`, not here.
            return new Assessment(0, _anomaly.IsOpen, null, false, _prediction.IsOpen, null, false, null);
        }

        Learn(sample);
        var score = WithoutEchoes(ScoreOf(_ensemble.Observe(sample)));
        _trend.Observe(sample);

        var change = _anomaly.Step(score);
        var opened = change == GateChange.Opened
            ? new Finding(AnomalyKind.Detected, sample.Timestamp, score, EvidenceFor(sample.Value))
            : null;

        var exhaustion = Exhaustion();
        var predictionChange = _prediction.Step(PredictionScore(exhaustion));
        var predicted = predictionChange == GateChange.Opened
            ? new Finding(AnomalyKind.Predicted, sample.Timestamp, 1, [PredictionEvidence(sample.Value)], exhaustion)
            : null;

        return new Assessment(
            score,
            _anomaly.IsOpen,
            opened,
            change == GateChange.Closed,
            _prediction.IsOpen,
            predicted,
            predictionChange == GateChange.Closed,
            exhaustion);
    }

    /// <summary>Learns baselines from stored history without deciding anything, so a new or restarted series starts warm.</summary>
    public void Fit(IEnumerable<Sample> history)
    {
        foreach (var sample in history)
        {
            if (sample.IsFinite)
            {
                Learn(sample);
                _ensemble.Observe(sample);
                _trend.Observe(sample);
            }
        }
    }

    /// <summary>The trend's value one <paramref name="horizon"/> ahead of the last sample; NaN until it has enough samples.</summary>
    public Forecast Forecast(TimeSpan horizon) => _trend.Forecast(horizon);

    /// <summary>When the series is expected to reach its family's limit, if it has one and is heading there.</summary>
    public Exhaustion? Exhaustion() => _options.Exhaustion is { } limit ? _trend.Exhaustion(limit.Limit) : null;

    public byte[] Snapshot()
    {
        var writer = new SnapshotWriter();
        writer.Write(SnapshotVersion);
        _ensemble.Write(writer);
        _anomaly.Write(writer);
        _prediction.Write(writer);
        _trend.Write(writer);
        writer.Write(_peak);
        writer.Write(_peakAge);
        writer.Write(_learntSinceTicks);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Rebuilds a detector from <see cref="Snapshot"/>; the options must be those it was taken with.</summary>
    public static SeriesDetector Restore(DetectorOptions options, ReadOnlyMemory<byte> snapshot)
    {
        var reader = new SnapshotReader(snapshot);
        if (reader.ReadInt32() != SnapshotVersion)
        {
            throw new InvalidDataException("The detector snapshot has an unknown version.");
        }

        var detector = new SeriesDetector(options);
        detector._ensemble.Read(reader);
        detector._anomaly.Read(reader);
        detector._prediction.Read(reader);
        detector._trend.Read(reader);
        detector._peak = reader.ReadDouble();
        detector._peakAge = reader.ReadInt32();
        detector._learntSinceTicks = reader.ReadInt64();
        if (detector._learntSinceTicks != long.MaxValue && (ulong)detector._learntSinceTicks > (ulong)DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new InvalidDataException("The detector snapshot holds an impossible time.");
        }
        if (!reader.AtEnd)
        {
            throw new InvalidDataException("The detector snapshot was taken with other options.");
        }

        return detector;
    }

    private void Learn(in Sample sample) => _learntSinceTicks = Math.Min(_learntSinceTicks, sample.Timestamp.UtcTicks);

    /// <summary>
    /// A score that does not top the highest of the last <see cref="DetectorOptions.EchoSamples"/> is an echo of that
    /// peak (the detectors settling after it, the way back down from a spike) and is held below the close score.
    /// </summary>
    private double WithoutEchoes(double score)
    {
        if (_peakAge < _options.EchoSamples && score <= _peak)
        {
            _peakAge++;
            return Math.Min(score, _options.CloseScore);
        }

        _peak = score;
        _peakAge = 0;
        return score;
    }

    /// <summary>Maps a surprise-to-record ratio onto [0, 1]: 0.5 at the record, 1 at twice it (in √surprise).</summary>
    private static double ScoreOf(double ratio) => Math.Clamp(ratio / 2, 0, 1);

    private Evidence[] EvidenceFor(double actual)
    {
        var evidence = new List<Evidence>(_ensemble.Length);
        for (var i = 0; i < _ensemble.Length; i++)
        {
            var score = ScoreOf(_ensemble.RatioAt(i));
            if (score > 0)
            {
                evidence.Add(new Evidence(_ensemble.KindAt(i), score, _ensemble.ExpectedAt(i), actual));
            }
        }

        evidence.Sort((a, b) => b.Score.CompareTo(a.Score));
        return [.. evidence];
    }

    /// <summary>
    /// 1 (opens) when exhaustion is expected within the horizon; between the close and open scores (keeps an open
    /// prediction, opens none) up to twice the horizon, so a forecast wavering around the horizon does not flap.
    /// </summary>
    private double PredictionScore(Exhaustion? exhaustion)
    {
        if (exhaustion is not { } e || _options.Exhaustion is not { } limit)
        {
            return 0;
        }

        return e.Expected <= limit.Horizon ? 1
            : e.Expected <= 2 * limit.Horizon ? 0.5 * (_options.OpenScore + _options.CloseScore)
            : 0;
    }

    /// <summary>What the trend expects one horizon ahead, against the value now.</summary>
    private Evidence PredictionEvidence(double actual) =>
        new(DetectorKind.Exhaustion, 1, _trend.Forecast(_options.Exhaustion!.Horizon).Expected, actual);
}
