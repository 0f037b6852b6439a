namespace AiDevOps.Detection.Detectors;

internal static class Deviation
{
    /// <summary>1.2533 × the mean absolute deviation estimates σ for Gaussian noise.</summary>
    public const double MeanAbsToSigma = 1.2533;

    /// <summary>
    /// A scale is never taken below a millionth of the level: a constant series then reacts to a real change without
    /// dividing by zero, and float rounding alone never looks like an anomaly.
    /// </summary>
    public static double Floor(double scale, double level) => Math.Max(scale, 1e-6 * Math.Abs(level) + 1e-9);
}
