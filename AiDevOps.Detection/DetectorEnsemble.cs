using AiDevOps.Detection.Detectors;
using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection;

/// <summary>
/// Runs every detector on a sample and calibrates each one against its own record: the ratio of √surprise to the
/// largest such value seen lately (a maximum that decays over <see cref="DetectionOptions.CalibrationWindow"/>
/// samples). A ratio above 1 means "more surprising than anything in a long while". A detector that is always a
/// little surprised by a series, such as the level detector on a seasonal one, is thereby discounted; detectors
/// with different units become comparable; and after one outburst its own echoes score low. The ensemble follows
/// its most surprised detector. The square root spreads large surprises less than a logarithm would, so a burst ten
/// times the record stands clearly above one just past it; the range detector needs no record (see its ratio).
/// </summary>
internal sealed class DetectorEnsemble
{
    /// <summary>A record below this is the noise of a near-constant series, not a scale.</summary>
    private const double MinRecord = 0.22;

    private readonly IDetector[] _detectors;
    private readonly double[] _record;
    private readonly int[] _learnt;
    private readonly double _decay;
    private readonly int _warmUp;
    private readonly double _rangeRecord;

    public DetectorEnsemble(DetectionOptions options)
    {
        _detectors =
        [
            new EwmaDetector(options.EwmaAlpha),
            new SeasonalDetector(options.SeasonalBucketsPerDay),
            new LevelShiftDetector(options.LevelShiftAlpha, options.LevelShiftSlack, options.LevelShiftInterval),
            new RateOfChangeDetector(options.RateOfChangeAlpha),
            new BlockLevelDetector(options.BlockSamples, options.BlockAlpha),
            new RangeDetector(options.RangeForgetting, options.WarmUpSamples, options.RangeNoise / options.RangeRecord),

            // Averaging a block already cuts the noise that the per-sample floor is for, so block means have none.
            new RangeDetector(
                options.RangeForgetting / options.BlockSamples, options.BlockRangeWarmUp / options.BlockSamples, 0, options.BlockSamples),
        ];
        _rangeRecord = options.RangeRecord;
        _record = new double[_detectors.Length];
        _learnt = new int[_detectors.Length];
        Readings = new DetectorReading[_detectors.Length];
        Ratios = new double[_detectors.Length];
        _decay = 1 - 1.0 / options.CalibrationWindow;
        _warmUp = options.WarmUpSamples;
    }

    /// <summary>The last sample's readings and calibrated ratios, in detector order, for evidence.</summary>
    public DetectorReading[] Readings { get; }

    public double[] Ratios { get; }

    public int Length => _detectors.Length;

    public DetectorKind KindAt(int index) => _detectors[index].Kind;

    /// <summary>Returns the ratio of the most surprised detector; 0 while every detector is still learning.</summary>
    public double Observe(in Sample sample)
    {
        var strongest = 0.0;
        for (var i = 0; i < _detectors.Length; i++)
        {
            var reading = _detectors[i].Observe(sample);
            Readings[i] = reading;
            Ratios[i] = 0;
            if (!reading.IsLearnt)
            {
                continue;
            }

            if (_detectors[i].Kind is DetectorKind.Range or DetectorKind.BlockRange)
            {
                // Already on an absolute scale, and rare by nature: it needs no record of its own.
                Ratios[i] = reading.Surprise / _rangeRecord;
                strongest = Math.Max(strongest, Ratios[i]);
                continue;
            }

            // Until a detector has set records for a while, its ratios are not comparable with the others'.
            var surprise = Math.Sqrt(reading.Surprise);
            if (_learnt[i] >= _warmUp)
            {
                Ratios[i] = surprise / Math.Max(_record[i], MinRecord);
                strongest = Math.Max(strongest, Ratios[i]);
            }
            else
            {
                _learnt[i]++;
            }

            _record[i] = Math.Max(_record[i] * _decay, surprise);
        }

        return strongest;
    }

    public void Write(SnapshotWriter writer)
    {
        for (var i = 0; i < _detectors.Length; i++)
        {
            writer.Write(_record[i]);
            writer.Write(_learnt[i]);
            _detectors[i].Write(writer);
        }
    }

    public void Read(SnapshotReader reader)
    {
        for (var i = 0; i < _detectors.Length; i++)
        {
            _record[i] = reader.ReadDouble();
            _learnt[i] = reader.ReadInt32();
            _detectors[i].Read(reader);
        }
    }
}
