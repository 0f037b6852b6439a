using AiDevOps.Detection.Detectors;
using AiDevOps.Detection.Forecasting;

namespace AiDevOps.Detection;

public enum AnomalyKind
{
    /// <summary>The series behaves unlike its own history now.</summary>
    Detected,

    /// <summary>The series is on course to exhaust its resource within the configured horizon.</summary>
    Predicted,
}

/// <summary>Why a detector objects to a sample: its calibrated score in [0, 1], what it expected and what came.</summary>
public readonly record struct Evidence(DetectorKind Detector, double Score, double Expected, double Actual);

/// <summary>An anomaly as it opens, with the evidence that opened it, strongest detector first.</summary>
public sealed record Finding(
    AnomalyKind Kind,
    DateTimeOffset OpenedAt,
    double Score,
    IReadOnlyList<Evidence> Evidence,
    Exhaustion? Exhaustion = null);

/// <summary>
/// The engine's view of one sample: the calibrated <see cref="Score"/>, whether an anomaly is open after it, and
/// the anomaly that opened or the fact that one closed on this very sample.
/// </summary>
public readonly record struct Assessment(
    double Score,
    bool IsAnomalous,
    Finding? Opened,
    bool Closed,
    bool IsPredicted,
    Finding? PredictionOpened,
    bool PredictionClosed,
    Exhaustion? Exhaustion);
