using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Detectors;

/// <summary>
/// Two-sided CUSUM of standardised residuals against a slow baseline: small persistent shifts add up until they
/// stand out, where a single-sample test would never see them. After the sums cross the decision interval the
/// baseline restarts at the new level, so one shift is reported once.
/// </summary>
public sealed class LevelShiftDetector(double alpha, double slack, double decisionInterval) : IDetector
{
    private double _baseline;
    private double _meanAbsDeviation;
    private double _up;
    private double _down;
    private int _count;

    public DetectorKind Kind => DetectorKind.LevelShift;

    public DetectorReading Observe(in Sample sample)
    {
        var value = sample.Value;
        if (_count == 0)
        {
            _baseline = value;
            _count = 1;
            return DetectorReading.Learning(value);
        }

        var expected = _baseline;
        var residual = value - _baseline;
        var scale = Deviation.Floor(Deviation.MeanAbsToSigma * _meanAbsDeviation, _baseline);
        var learned = _count * alpha >= 1;
        var z = Math.Clamp(residual / scale, -4, 4);
        var surprise = double.NaN;
        if (learned)
        {
            _up = Math.Max(0, _up + z - slack);
            _down = Math.Max(0, _down - z - slack);
            surprise = Math.Max(_up, _down);
        }

        var weight = Math.Max(alpha, 1.0 / (_count + 1));
        if (surprise > decisionInterval)
        {
            _up = 0;
            _down = 0;
            _baseline = value;
        }
        else
        {
            _baseline += weight * residual;
        }

        _meanAbsDeviation += weight * (Math.Min(Math.Abs(residual), learned ? 4 * scale : double.MaxValue) - _meanAbsDeviation);
        if (_count < int.MaxValue)
        {
            _count++;
        }

        return new DetectorReading(surprise, expected);
    }

    public void Write(SnapshotWriter writer)
    {
        writer.Write(_baseline);
        writer.Write(_meanAbsDeviation);
        writer.Write(_up);
        writer.Write(_down);
        writer.Write(_count);
    }

    public void Read(SnapshotReader reader)
    {
        _baseline = reader.ReadDouble();
        _meanAbsDeviation = reader.ReadDouble();
        _up = reader.ReadDouble();
        _down = reader.ReadDouble();
        _count = reader.ReadInt32();
    }
}
