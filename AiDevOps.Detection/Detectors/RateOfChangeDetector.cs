using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Detectors;

/// <summary>
/// A jump between consecutive samples against the typical jump: catches spikes and sudden drops that a level
/// detector would still call "inside the range" in a noisy series.
/// </summary>
public sealed class RateOfChangeDetector(double alpha) : IDetector
{
    private double _previous;
    private double _meanAbsChange;
    private int _count;

    public DetectorKind Kind => DetectorKind.RateOfChange;

    public DetectorReading Observe(in Sample sample)
    {
        var value = sample.Value;
        if (_count == 0)
        {
            _previous = value;
            _count = 1;
            return DetectorReading.Learning(value);
        }

        var change = Math.Abs(value - _previous);
        var scale = Deviation.Floor(Deviation.MeanAbsToSigma * _meanAbsChange, _previous);
        var learned = _count * alpha >= 1;
        var reading = learned ? new DetectorReading(change / scale, _previous) : DetectorReading.Learning(_previous);

        // Once learnt, a spike teaches the typical jump only a capped amount, so a burst does not mute the next one.
        var weight = Math.Max(alpha, 1.0 / _count);
        _meanAbsChange += weight * ((learned ? Math.Min(change, 4 * scale) : change) - _meanAbsChange);
        _previous = value;
        if (_count < int.MaxValue)
        {
            _count++;
        }

        return reading;
    }

    public void Write(SnapshotWriter writer)
    {
        writer.Write(_previous);
        writer.Write(_meanAbsChange);
        writer.Write(_count);
    }

    public void Read(SnapshotReader reader)
    {
        _previous = reader.ReadDouble();
        _meanAbsChange = reader.ReadDouble();
        _count = reader.ReadInt32();
    }
}
