using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Detectors;

/// <summary>
/// The series at a coarser scale: the mean of each block of <c>blockSamples</c> samples against an exponentially
/// weighted mean of the past block means, in units of their own typical deviation. Averaging a block cancels most of
/// the sample-to-sample noise, so a drift or a shift of a fraction of the noise, which never makes one sample
/// surprising (and which the CUSUM, tuned for 2σ shifts, lets pass), stands out within a block or two. It reads only
/// when a block completes and is "learning" in between, so the ensemble decays its record per block: a drift is
/// compared with the largest of about as many blocks as the others compare samples.
/// </summary>
public sealed class BlockLevelDetector(int blockSamples, double alpha) : IDetector
{
    /// <summary>Blocks the deviation must have seen before it is a scale: a few dozen terms of a mean.</summary>
    private const int LearnBlocks = 30;

    private BlockMean _block = new(blockSamples);
    private double _mean;
    private double _meanAbsDeviation;
    private int _blocks;

    public DetectorKind Kind => DetectorKind.BlockLevel;

    public DetectorReading Observe(in Sample sample)
    {
        if (!_block.Add(sample.Value, out var block))
        {
            return DetectorReading.Learning(_blocks == 0 ? sample.Value : _mean);
        }

        if (_blocks == 0)
        {
            _mean = block;
            _blocks = 1;
            return DetectorReading.Learning(block);
        }

        var expected = _mean;
        var residual = block - _mean;
        var scale = Deviation.Floor(Deviation.MeanAbsToSigma * _meanAbsDeviation, _mean);
        var learnt = _blocks >= LearnBlocks;
        var reading = learnt ? new DetectorReading(residual * residual / (scale * scale), expected) : DetectorReading.Learning(expected);

        // A plain running average until 1/alpha blocks are in; a learnt scale caps what one block teaches it, so an
        // outburst does not widen it for the blocks that follow.
        var weight = Math.Max(alpha, 1.0 / (_blocks + 1));
        _meanAbsDeviation += weight * (Math.Min(Math.Abs(residual), learnt ? 4 * scale : double.MaxValue) - _meanAbsDeviation);
        _mean += weight * residual;
        if (_blocks < int.MaxValue)
        {
            _blocks++;
        }

        return reading;
    }

    public void Write(SnapshotWriter writer)
    {
        _block.Write(writer);
        writer.Write(_mean);
        writer.Write(_meanAbsDeviation);
        writer.Write(_blocks);
    }

    public void Read(SnapshotReader reader)
    {
        _block.Read(reader);
        _mean = reader.ReadDouble();
        _meanAbsDeviation = reader.ReadDouble();
        _blocks = reader.ReadInt32();
    }
}
