using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Detectors;

/// <summary>
/// New extremes: how far a sample lies beyond the highest or lowest value of the series' long history. The bounds
/// relax towards a running mean over about <c>forgetting</c> samples, so a step up or down long ago stops defining
/// the range; a series that has always been spiky has a wide range and its ordinary spikes stay inside it. Records
/// of a stationary series get rarer the longer it is watched, so this detector stays quiet where the record-calibrated
/// ones keep a constant rate of records. The surprise is the excess in widths of the range, but never in less than
/// <c>noiseSteps</c> typical sample-to-sample steps (in the same unit), so plain noise does not set "records".
/// With <c>blockSamples</c> above 1 it watches the means of consecutive blocks of that many samples instead, reading
/// once a block (counts, <c>forgetting</c> included, are then in blocks): a sustained excursion to a new level, a
/// failure that flattens a series or takes it somewhere its spikes never stayed, sets a record of block means even
/// when no single sample leaves the range.
/// </summary>
public sealed class RangeDetector(int forgetting, int warmUp, double noiseSteps, int blockSamples = 1) : IDetector
{
    private const double MeanAlpha = 0.01;
    private const double StepAlpha = 0.01;

    private double _high;
    private double _low;
    private double _mean;
    private double _previous;
    private double _meanAbsStep;
    private int _count;
    private BlockMean _block = new(blockSamples);

    public DetectorKind Kind => blockSamples == 1 ? DetectorKind.Range : DetectorKind.BlockRange;

    public DetectorReading Observe(in Sample sample)
    {
        var value = sample.Value;
        if (blockSamples > 1 && !_block.Add(sample.Value, out value))
        {
            return DetectorReading.Learning(sample.Value);
        }

        if (_count == 0)
        {
            _high = _low = _mean = _previous = value;
            _count = 1;
            return DetectorReading.Learning(value);
        }

        // σ of the noise from consecutive differences: E|x_t - x_(t-1)| = 2σ/√π for Gaussian noise.
        var noise = Deviation.MeanAbsToSigma / Math.Sqrt(2) * _meanAbsStep;
        var width = Deviation.Floor(Math.Max(_high - _low, noiseSteps * noise), _mean);
        var reading = value > _high ? new DetectorReading((value - _high) / width, _high)
            : value < _low ? new DetectorReading((_low - value) / width, _low)
            : new DetectorReading(0, value);
        if (_count < warmUp)
        {
            reading = DetectorReading.Learning(reading.Expected);
        }

        _high = Math.Max(_high, value);
        _low = Math.Min(_low, value);
        _meanAbsStep += Math.Max(StepAlpha, 1.0 / _count) * (Math.Abs(value - _previous) - _meanAbsStep);
        _previous = value;
        _mean += MeanAlpha * (value - _mean);
        _high -= (_high - _mean) / forgetting;
        _low -= (_low - _mean) / forgetting;
        if (_count < int.MaxValue)
        {
            _count++;
        }

        return reading;
    }

    public void Write(SnapshotWriter writer)
    {
        writer.Write(_high);
        writer.Write(_low);
        writer.Write(_mean);
        writer.Write(_previous);
        writer.Write(_meanAbsStep);
        writer.Write(_count);
        _block.Write(writer);
    }

    public void Read(SnapshotReader reader)
    {
        _high = reader.ReadDouble();
        _low = reader.ReadDouble();
        _mean = reader.ReadDouble();
        _previous = reader.ReadDouble();
        _meanAbsStep = reader.ReadDouble();
        _count = reader.ReadInt32();
        _block.Read(reader);
    }
}
