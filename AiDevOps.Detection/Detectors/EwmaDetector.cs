using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Detectors;

/// <summary>
/// z-score against an exponentially weighted mean and variance: forgets slowly enough to remember the recent regime,
/// fast enough that a new normal stops alarming after a few dozen samples.
/// </summary>
public sealed class EwmaDetector(double alpha) : IDetector
{
    private double _mean;
    private double _variance;
    private int _count;

    public DetectorKind Kind => DetectorKind.Ewma;

    public DetectorReading Observe(in Sample sample)
    {
        var value = sample.Value;
        if (_count == 0)
        {
            _mean = value;
            _count = 1;
            return DetectorReading.Learning(value);
        }

        var residual = value - _mean;
        var scale = Deviation.Floor(Math.Sqrt(_variance), _mean);
        var reading = _count * alpha >= 1 ? new DetectorReading(Math.Abs(residual) / scale, _mean) : DetectorReading.Learning(_mean);

        // Until 1/alpha samples are in, a plain running average keeps the first values from dominating.
        var weight = Math.Max(alpha, 1.0 / (_count + 1));
        _mean += weight * residual;
        _variance = (1 - weight) * (_variance + weight * residual * residual);
        if (_count < int.MaxValue)
        {
            _count++;
        }

        return reading;
    }

    public void Write(SnapshotWriter writer)
    {
        writer.Write(_mean);
        writer.Write(_variance);
        writer.Write(_count);
    }

    public void Read(SnapshotReader reader)
    {
        _mean = reader.ReadDouble();
        _variance = reader.ReadDouble();
        _count = reader.ReadInt32();
    }
}
