using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting.Incidents;

/// <summary>
/// How much two series moved together over a window: Pearson's correlation of their values aligned on the lead
/// series' timestamps (each paired with the other's nearest sample within <see cref="Tolerance"/>), so series
/// scraped a few seconds apart still line up. Plain arithmetic, no I/O.
/// </summary>
public static class Correlation
{
    /// <summary>Fewer aligned points than this say nothing about moving together.</summary>
    public const int MinPoints = 6;

    /// <summary>The correlation in [−1, 1]; null when too few points line up or either series is flat.</summary>
    public static double? Pearson(IReadOnlyList<SamplePoint> lead, IReadOnlyList<SamplePoint> other)
    {
        var pairs = Align(lead, other);
        if (pairs.Count < MinPoints)
            return null;
        double meanX = pairs.Average(p => p.X), meanY = pairs.Average(p => p.Y);
        double sxy = 0, sxx = 0, syy = 0;
        foreach (var (x, y) in pairs)
        {
            sxy += (x - meanX) * (y - meanY);
            sxx += (x - meanX) * (x - meanX);
            syy += (y - meanY) * (y - meanY);
        }
        return sxx <= 0 || syy <= 0 ? null : Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>
    /// The mean of the finite values before <paramref name="since"/> and from it on; null where there are none, so a
    /// series that began with the incident (or holds only stale markers) says nothing about what changed.
    /// </summary>
    public static (double? Before, double? Since) MeansAround(IReadOnlyList<SamplePoint> values, long since)
    {
        static double? Mean(IEnumerable<SamplePoint> points) =>
            points.Where(p => double.IsFinite(p.Value)).Select(p => p.Value).DefaultIfEmpty(double.NaN).Average() is var mean && double.IsFinite(mean) ? mean : null;
        return (Mean(values.Where(v => v.Timestamp < since)), Mean(values.Where(v => v.Timestamp >= since)));
    }

    /// <summary>Samples further apart than this are not the same moment, whichever series was scraped first.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(30);

    private static List<(double X, double Y)> Align(IReadOnlyList<SamplePoint> lead, IReadOnlyList<SamplePoint> other)
    {
        var pairs = new List<(double X, double Y)>(lead.Count);
        var tolerance = (long)Tolerance.TotalMilliseconds;
        var j = 0;
        foreach (var point in lead)
        {
            while (j + 1 < other.Count && Math.Abs(other[j + 1].Timestamp - point.Timestamp) <= Math.Abs(other[j].Timestamp - point.Timestamp))
                j++;
            if (other.Count > 0 && Math.Abs(other[j].Timestamp - point.Timestamp) <= tolerance && double.IsFinite(point.Value) && double.IsFinite(other[j].Value))
                pairs.Add((point.Value, other[j].Value));
        }
        return pairs;
    }
}
