using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Detectors;

/// <summary>
/// Distance from the median of the last few samples in MAD units. The window is kept sorted next to its ring, so a
/// sample costs one memmove of at most the window and the MAD a walk outward from the median.
/// </summary>
public sealed class RobustLevelDetector : IDetector
{
    private const double AbsDeviationAlpha = 0.01;

    private readonly float[] _ring;
    private readonly float[] _sorted;
    private int _count;
    private int _next;
    private double _meanAbsDeviation;

    public RobustLevelDetector(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 4);
        _ring = new float[window];
        _sorted = new float[window];
    }

    public DetectorKind Kind => DetectorKind.RobustLevel;

    public DetectorReading Observe(in Sample sample)
    {
        var value = sample.Value;
        var reading = DetectorReading.Learning(value);
        if (_count >= _ring.Length / 2)
        {
            var median = Median();
            var scale = Deviation.Floor(
                Math.Max(Deviation.MadToSigma * Mad(median), Deviation.MeanAbsToSigma * _meanAbsDeviation), median);
            var deviation = Math.Abs(value - median);
            reading = new DetectorReading(deviation / scale, median);
            _meanAbsDeviation += AbsDeviationAlpha * (Math.Min(deviation, 4 * scale) - _meanAbsDeviation);
        }

        Add((float)value);
        return reading;
    }

    private void Add(float value)
    {
        if (_count == _ring.Length)
        {
            Remove(_ring[_next]);
        }

        var at = Array.BinarySearch(_sorted, 0, _count, value);
        if (at < 0)
        {
            at = ~at;
        }

        Array.Copy(_sorted, at, _sorted, at + 1, _count - at);
        _sorted[at] = value;
        _count++;
        _ring[_next] = value;
        _next = (_next + 1) % _ring.Length;
    }

    private void Remove(float value)
    {
        var at = Array.BinarySearch(_sorted, 0, _count, value);
        Array.Copy(_sorted, at + 1, _sorted, at, _count - at - 1);
        _count--;
    }

    private double Median()
    {
        var half = _count / 2;
        return _count % 2 == 1 ? _sorted[half] : 0.5 * (_sorted[half - 1] + _sorted[half]);
    }

    /// <summary>The median absolute deviation: the k-th nearest value to the median, found by merging outward.</summary>
    private double Mad(double median)
    {
        var below = Array.BinarySearch(_sorted, 0, _count, (float)median);
        if (below < 0)
        {
            below = ~below - 1;
        }

        var above = below + 1;
        var deviation = 0.0;
        for (var k = 0; k <= _count / 2; k++)
        {
            var down = below >= 0 ? median - _sorted[below] : double.PositiveInfinity;
            var up = above < _count ? _sorted[above] - median : double.PositiveInfinity;
            if (down <= up)
            {
                deviation = down;
                below--;
            }
            else
            {
                deviation = up;
                above++;
            }
        }

        return deviation;
    }

    public void Write(SnapshotWriter writer)
    {
        writer.Write(_count);
        writer.Write(_next);
        writer.Write(_meanAbsDeviation);
        writer.Write(_ring);
    }

    public void Read(SnapshotReader reader)
    {
        _count = reader.ReadInt32();
        _next = reader.ReadInt32();
        _meanAbsDeviation = reader.ReadDouble();
        reader.Read(_ring);
        if (_count < 0 || _count > _ring.Length || _next < 0 || _next >= _ring.Length)
        {
            throw new InvalidDataException("The robust level window in the snapshot does not fit this configuration.");
        }

        // The sorted copy is derived state, rebuilt rather than stored twice; until the ring wraps its filled
        // slots are the first _count ones.
        Array.Copy(_ring, _sorted, _count);
        Array.Sort(_sorted, 0, _count);
    }
}
