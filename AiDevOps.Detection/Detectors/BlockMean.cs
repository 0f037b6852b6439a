using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Detectors;

/// <summary>
/// The running block of a detector that watches a series at a coarser scale: it reads once every
/// <c>samples</c> samples, on their mean. A mutable struct held in a field, so the block costs no object.
/// </summary>
internal struct BlockMean(int samples)
{
    private double _sum;
    private int _filled;

    /// <summary>Adds a sample; true when it completes a block, whose mean is then <paramref name="mean"/>.</summary>
    public bool Add(double value, out double mean)
    {
        _sum += value;
        if (++_filled < samples)
        {
            mean = double.NaN;
            return false;
        }

        mean = _sum / samples;
        _sum = 0;
        _filled = 0;
        return true;
    }

    public readonly void Write(SnapshotWriter writer)
    {
        writer.Write(_sum);
        writer.Write(_filled);
    }

    public void Read(SnapshotReader reader)
    {
        _sum = reader.ReadDouble();
        _filled = reader.ReadInt32();
        if (_filled < 0 || _filled >= samples)
        {
            throw new InvalidDataException("The block in the snapshot does not fit this configuration.");
        }
    }
}
