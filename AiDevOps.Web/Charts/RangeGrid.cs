using AiDevOps.Web.Brain;

namespace AiDevOps.Web.Charts;

/// <summary>Puts a range query's series on one time axis, a point per step, so one chart draws them all.</summary>
public static class RangeGrid
{
    public static ChartData Align(IReadOnlyList<RangeSeries> series, TimeRange range, int height = 320)
    {
        var start = range.Start.ToUnixTimeSeconds();
        var step = range.Step.TotalSeconds;
        var count = (int)((range.End.ToUnixTimeSeconds() - start) / step) + 1;
        var times = new double[count];
        for (var i = 0; i < count; i++)
            times[i] = start + i * step;
        var aligned = series.Select(s =>
        {
            var values = new double?[count];
            for (var i = 0; i < s.Times.Length; i++)
            {
                var at = (int)Math.Round((s.Times[i] - start) / step);
                if (at >= 0 && at < count && double.IsFinite(s.Values[i]))
                    values[at] = s.Values[i];
            }
            return new ChartSeries(Label(s.Labels), values);
        }).ToList();
        return new ChartData(times, aligned, Height: height);
    }

    /// <summary>A series as Prometheus writes it: <c>metric{a="1", b="2"}</c>.</summary>
    public static string Label(IReadOnlyDictionary<string, string> labels) =>
        labels.GetValueOrDefault("__name__", "") + Selectors.Display(labels);
}
