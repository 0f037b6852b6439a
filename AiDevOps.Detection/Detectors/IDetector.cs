using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Detectors;

public enum DetectorKind
{
    Ewma,
    Seasonal,
    LevelShift,
    RateOfChange,

    /// <summary>A value beyond the series' long-run range (<see cref="RangeDetector"/>).</summary>
    Range,

    /// <summary>The mean of a block of samples against past blocks' (<see cref="BlockLevelDetector"/>).</summary>
    BlockLevel,

    /// <summary>A block mean beyond the long-run range of block means (<see cref="RangeDetector"/> over blocks).</summary>
    BlockRange,

    /// <summary>Not an ensemble member: the trend forecast behind a predicted anomaly.</summary>
    Exhaustion,
}

/// <summary>
/// What one detector thinks of a sample: <paramref name="Surprise"/> is the distance from its expectation in its own
/// typical-deviation units (NaN while it is still learning), <paramref name="Expected"/> the value it expected.
/// </summary>
public readonly record struct DetectorReading(double Surprise, double Expected)
{
    public bool IsLearnt => !double.IsNaN(Surprise);

    public static DetectorReading Learning(double expected) => new(double.NaN, expected);
}

/// <summary>
/// A cheap streaming detector over plain state: constant work per sample, scores a sample against what it learnt
/// before it, then learns from it. Only finite samples reach a detector.
/// </summary>
public interface IDetector
{
    DetectorKind Kind { get; }

    DetectorReading Observe(in Sample sample);

    void Write(SnapshotWriter writer);

    void Read(SnapshotReader reader);
}
