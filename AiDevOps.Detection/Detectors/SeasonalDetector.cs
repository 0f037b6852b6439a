using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Detectors;

/// <summary>
/// Daily profile: per time-of-day bucket, an exponentially weighted mean and mean absolute deviation. A busy hour is
/// then judged against busy hours of earlier days, not against the quiet night before it. Learning is paced by the
/// observed sampling interval, so a bucket remembers about <see cref="MemoryDays"/> days whatever the cadence.
/// </summary>
public sealed class SeasonalDetector : IDetector
{
    private const double MemoryDays = 3;
    private const long TicksPerDay = TimeSpan.TicksPerDay;

    private readonly float[] _mean;
    private readonly float[] _deviation;
    private long _firstTicks;
    private long _lastTicks;
    private double _intervalSeconds;
    private double _meanAbsDeviation;

    public SeasonalDetector(int bucketsPerDay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketsPerDay, 2);
        _mean = new float[bucketsPerDay];
        _deviation = new float[bucketsPerDay];
        Array.Fill(_deviation, float.NaN);
    }

    public DetectorKind Kind => DetectorKind.Seasonal;

    public DetectorReading Observe(in Sample sample)
    {
        var value = sample.Value;
        var ticks = sample.Timestamp.UtcTicks;
        if (_lastTicks == 0)
        {
            _firstTicks = ticks;
        }
        else if (ticks > _lastTicks)
        {
            var seconds = (ticks - _lastTicks) / (double)TimeSpan.TicksPerSecond;
            _intervalSeconds = _intervalSeconds == 0 ? seconds : _intervalSeconds + 0.05 * (seconds - _intervalSeconds);
        }

        _lastTicks = ticks;
        var bucket = (int)(ticks % TicksPerDay * _mean.Length / TicksPerDay);
        var bucketSeconds = 86_400.0 / _mean.Length;
        if (float.IsNaN(_deviation[bucket]))
        {
            _mean[bucket] = (float)value;
            _deviation[bucket] = 0;
            return DetectorReading.Learning(value);
        }

        double expected = _mean[bucket];
        var residual = value - expected;
        var scale = Deviation.Floor(
            Deviation.MeanAbsToSigma * Math.Max(_deviation[bucket], 0.5 * _meanAbsDeviation), expected);

        // A profile means something only after two whole days, and only if samples come often enough to fill it.
        var ready = ticks - _firstTicks >= 2 * TicksPerDay && _intervalSeconds > 0 && _intervalSeconds <= 2 * bucketSeconds;
        var reading = ready ? new DetectorReading(Math.Abs(residual) / scale, expected) : DetectorReading.Learning(expected);

        var alpha = Math.Clamp(_intervalSeconds / (bucketSeconds * MemoryDays), 0.005, 0.5);
        var learnt = ready ? Math.Clamp(residual, -4 * scale, 4 * scale) : residual;
        _mean[bucket] = (float)(expected + alpha * learnt);
        _deviation[bucket] += (float)(alpha * (Math.Abs(learnt) - _deviation[bucket]));
        _meanAbsDeviation += alpha / _mean.Length * (Math.Abs(learnt) - _meanAbsDeviation);
        return reading;
    }

    public void Write(SnapshotWriter writer)
    {
        writer.Write(_firstTicks);
        writer.Write(_lastTicks);
        writer.Write(_intervalSeconds);
        writer.Write(_meanAbsDeviation);
        writer.Write(_mean);
        writer.Write(_deviation);
    }

    public void Read(SnapshotReader reader)
    {
        _firstTicks = reader.ReadInt64();
        _lastTicks = reader.ReadInt64();
        _intervalSeconds = reader.ReadDouble();
        _meanAbsDeviation = reader.ReadDouble();
        reader.Read(_mean);
        reader.Read(_deviation);
    }
}
