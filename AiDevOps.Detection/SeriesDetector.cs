using AiDevOps.Detection.Detectors;
using AiDevOps.Detection.Forecasting;
using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection;

/// <summary>
/// Everything the engine keeps for one series: the detector ensemble, the anomaly and prediction gates and the
/// trend. <see cref="Observe"/> does constant work; <see cref="Snapshot"/>/<see cref="Restore"/> carry the state
/// across restarts and <see cref="Fit"/> warms it from stored history. Before the detectors see a sample it must be
/// due (<see cref="DetectorOptions.MinInterval"/> after the last judged one) and a counter becomes its rate.
/// </summary>
public sealed class SeriesDetector
{
    private const int SnapshotVersion = 9;

    private readonly DetectorOptions _options;
    private readonly DetectorEnsemble _ensemble;
    private readonly IncidentGate _anomaly;
    private readonly IncidentGate _prediction;
    private readonly TrendForecaster _trend;
    private double _peak;
    private int _peakAge = int.MaxValue;
    private long _learntSinceTicks = long.MaxValue;

    // The last judged sample's time and, for a counter, its raw value: the base of the next rate.
    private long _judgedTicks = long.MinValue;
    private double _counterBase;

    // The last judged value and since when the series has held it; the warm-up runs from _variedSinceTicks.
    private double _heldValue = double.NaN;
    private long _heldSinceTicks;
    private long _variedSinceTicks = long.MaxValue;

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
        // A gap says nothing about the level, so it neither scores nor teaches; absence of data is judged where
        // the Brain watches `up`, not here. A sample that is not due yet is not judged either.
        if (!Judged(sample, out var judged))
        {
            return new Assessment(0, _anomaly.IsOpen, null, false, _prediction.IsOpen, null, false, null);
        }

        var ratio = _ensemble.Observe(judged);
        var score = WithoutEchoes(IsWarm(judged) ? ScoreOf(ratio) : 0);
        _trend.Observe(judged);

        var change = _anomaly.Step(score);
        var opened = change == GateChange.Opened
            ? new Finding(AnomalyKind.Detected, sample.Timestamp, score, EvidenceFor(judged.Value))
            : null;

        var exhaustion = Exhaustion();
        var predictionChange = _prediction.Step(PredictionScore(exhaustion));
        var predicted = predictionChange == GateChange.Opened
            ? new Finding(AnomalyKind.Predicted, sample.Timestamp, 1, [PredictionEvidence(judged.Value)], exhaustion)
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
            if (Judged(sample, out var judged))
            {
                _ensemble.Observe(judged);
                _trend.Observe(judged);
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
        writer.Write(_judgedTicks);
        writer.Write(_counterBase);
        writer.Write(_heldValue);
        writer.Write(_heldSinceTicks);
        writer.Write(_variedSinceTicks);
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
        detector._judgedTicks = reader.ReadInt64();
        detector._counterBase = reader.ReadDouble();
        detector._heldValue = reader.ReadDouble();
        detector._heldSinceTicks = reader.ReadInt64();
        detector._variedSinceTicks = reader.ReadInt64();
        if (!IsTime(detector._learntSinceTicks, long.MaxValue) || !IsTime(detector._judgedTicks, long.MinValue)
            || !IsTime(detector._heldSinceTicks, 0) || !IsTime(detector._variedSinceTicks, long.MaxValue))
        {
            throw new InvalidDataException("The detector snapshot holds an impossible time.");
        }
        if (!reader.AtEnd)
        {
            throw new InvalidDataException("The detector snapshot was taken with other options.");
        }

        return detector;
    }

    /// <summary>A time in a snapshot: a real one, or the value that stands for "none yet".</summary>
    private static bool IsTime(long ticks, long none) => ticks == none || (ulong)ticks <= (ulong)DateTimeOffset.MaxValue.UtcTicks;

    /// <summary>
    /// What the detectors are to judge of a sample, if anything: nothing of a gap, of a sample sooner than
    /// <see cref="DetectorOptions.MinInterval"/> after the last judged one, or of a counter's first sample or a drop
    /// (a restarted counter: its new value is the base of the next rate, so a reset is never a spike); a counter's
    /// rate per second since the last judged sample otherwise.
    /// </summary>
    private bool Judged(in Sample sample, out Sample judged)
    {
        judged = sample;
        if (!sample.IsFinite)
        {
            return false;
        }

        var ticks = sample.Timestamp.UtcTicks;
        _learntSinceTicks = Math.Min(_learntSinceTicks, ticks);
        if (_options.Counter && (_judgedTicks == long.MinValue || sample.Value < _counterBase))
        {
            (_judgedTicks, _counterBase) = (ticks, sample.Value);
            return false;
        }

        if (_judgedTicks != long.MinValue && (ticks <= _judgedTicks || ticks - _judgedTicks < _options.MinInterval.Ticks))
        {
            return false;
        }

        if (_options.Counter)
        {
            var seconds = (ticks - _judgedTicks) / (double)TimeSpan.TicksPerSecond;
            judged = sample with { Value = (sample.Value - _counterBase) / seconds };
            _counterBase = sample.Value;
        }

        _judgedTicks = ticks;
        if (judged.Value != _heldValue)
        {
            // A constant has no scale to judge a change by: its first change starts a warm-up instead of an anomaly,
            // and so does a counter's first move after a whole warm-up at one rate (an error counter after hours at
            // 0). Not a gauge's: on NAB a gauge that held still and then moved was most often the anomaly itself.
            var idle = _options.Counter && ticks - _heldSinceTicks >= _options.WarmUp.Ticks;
            if (!double.IsNaN(_heldValue) && (_variedSinceTicks == long.MaxValue || idle))
            {
                _variedSinceTicks = ticks;
            }

            (_heldValue, _heldSinceTicks) = (judged.Value, ticks);
        }

        return true;
    }

    /// <summary>Out of warm-up: the series has varied for <see cref="DetectorOptions.WarmUp"/>, by its timestamps.</summary>
    private bool IsWarm(in Sample judged) =>
        _variedSinceTicks != long.MaxValue && judged.Timestamp.UtcTicks - _variedSinceTicks >= _options.WarmUp.Ticks;

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
