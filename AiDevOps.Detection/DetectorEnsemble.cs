using AiDevOps.Detection.Detectors;
using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection;

/// <summary>
/// Runs every detector on a sample and calibrates each one against its own record: the ratio of √surprise to the
/// largest such value seen in the long run (a maximum that decays over <see cref="DetectorOptions.Forgetting"/>
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

    private readonly Slot[] _slots;
    private readonly double _decay;
    private readonly int _warmUp;
    private readonly double _rangeRecord;

    public DetectorEnsemble(DetectorOptions options)
    {
        _slots =
        [
            new Slot(new EwmaDetector(options.EwmaAlpha)),
            new Slot(new SeasonalDetector(options.SeasonalBucketsPerDay)),
            new Slot(new LevelShiftDetector(options.LevelShiftAlpha, options.LevelShiftSlack, options.LevelShiftInterval)),
            new Slot(new RateOfChangeDetector(options.RateOfChangeAlpha)),
            new Slot(new BlockLevelDetector(options.BlockSamples, options.BlockAlpha)),
            new Slot(new RangeDetector(options.Forgetting, options.WarmUpSamples, options.RangeNoise / options.RangeRecord)),

            // Averaging a block already cuts the noise that the per-sample floor is for, so block means have none.
            new Slot(new RangeDetector(
                options.Forgetting / options.BlockSamples, options.BlockRangeWarmUp / options.BlockSamples, 0, options.BlockSamples)),
            new Slot(new RangeDetector(
                options.Forgetting / options.CoarseBlockSamples,
                options.CoarseBlockRangeWarmUp / options.CoarseBlockSamples,
                0,
                options.CoarseBlockSamples)),
        ];

        _rangeRecord = options.RangeRecord;
        _decay = 1 - 1.0 / options.Forgetting;
        _warmUp = options.WarmUpSamples;
    }

    public int Length => _slots.Length;

    public DetectorKind KindAt(int index) => _slots[index].Detector.Kind;

    /// <summary>The last sample's calibrated ratio of a detector (0 while it learns), for evidence.</summary>
    public double RatioAt(int index) => _slots[index].Ratio;

    /// <summary>The value a detector expected for the last sample, for evidence.</summary>
    public double ExpectedAt(int index) => _slots[index].Expected;

    /// <summary>Returns the ratio of the most surprised detector; 0 while every detector is still learning.</summary>
    public double Observe(in Sample sample)
    {
        var strongest = 0.0;
        for (var i = 0; i < _slots.Length; i++)
        {
            ref var slot = ref _slots[i];
            var reading = slot.Detector.Observe(sample);
            slot.Expected = reading.Expected;
            slot.Ratio = 0;
            if (!reading.IsLearnt)
            {
                continue;
            }

            if (slot.Detector.Kind is DetectorKind.Range or DetectorKind.BlockRange)
            {
                // Already on an absolute scale, and rare by nature: it needs no record of its own.
                var ratio = reading.Surprise / _rangeRecord;
                slot.Ratio = (float)ratio;
                strongest = Math.Max(strongest, ratio);
                continue;
            }

            // Until a detector has set records for a while, its ratios are not comparable with the others'.
            var surprise = Math.Sqrt(reading.Surprise);
            if (slot.Learnt >= _warmUp)
            {
                var ratio = surprise / Math.Max(slot.Record, MinRecord);
                slot.Ratio = (float)ratio;
                strongest = Math.Max(strongest, ratio);
            }
            else
            {
                slot.Learnt++;
            }

            slot.Record = Math.Max(slot.Record * _decay, surprise);
        }

        return strongest;
    }

    public void Write(SnapshotWriter writer)
    {
        foreach (var slot in _slots)
        {
            writer.Write(slot.Record);
            writer.Write(slot.Learnt);
            slot.Detector.Write(writer);
        }
    }

    public void Read(SnapshotReader reader)
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            ref var slot = ref _slots[i];
            slot.Record = reader.ReadDouble();
            slot.Learnt = reader.ReadInt32();
            slot.Detector.Read(reader);
        }
    }

    /// <summary>
    /// One detector with its calibration and its last reading, kept together in one array rather than one array per
    /// field: one array header instead of five keeps room in the per-series state for more detectors, and a sample
    /// walks the slots in order. The ratio is kept as a float: it only ever becomes a two-decimal evidence score.
    /// </summary>
    private struct Slot(IDetector detector)
    {
        public readonly IDetector Detector = detector;
        public double Record;
        public double Expected;
        public float Ratio;
        public int Learnt;
    }
}
