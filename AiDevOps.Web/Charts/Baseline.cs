namespace AiDevOps.Web.Charts;

/// <summary>
/// The band a series usually stays in: at each point, the mean of the points before it within a trailing window,
/// plus and minus <c>k</c> standard deviations. Drawn behind a series so a departure stands out; the detectors' own
/// expected value is shown with each anomaly. Points before the window holds <see cref="MinPoints"/> values have none.
/// </summary>
public static class Baseline
{
    public const int MinPoints = 5;

    public static ChartBand Band(IReadOnlyList<double?> values, int window, double k = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, MinPoints);
        var low = new double?[values.Count];
        var high = new double?[values.Count];
        double sum = 0, squares = 0;
        var count = 0;
        for (var i = 0; i < values.Count; i++)
        {
            if (count >= MinPoints)
            {
                var mean = sum / count;
                var deviation = Math.Sqrt(Math.Max(0, squares / count - mean * mean));
                low[i] = mean - k * deviation;
                high[i] = mean + k * deviation;
            }
            if (values[i] is { } added)
            {
                sum += added;
                squares += added * added;
                count++;
            }
            if (i >= window && values[i - window] is { } dropped)
            {
                sum -= dropped;
                squares -= dropped * dropped;
                count--;
            }
        }
        return new ChartBand(low, high);
    }
}
