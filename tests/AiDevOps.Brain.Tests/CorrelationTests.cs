using AiDevOps.Brain.Alerting.Incidents;

namespace AiDevOps.Brain.Tests;

public sealed class CorrelationTests
{
    private static IReadOnlyList<SamplePoint> Series(long offsetMs, Func<int, double> value) =>
        [.. Enumerable.Range(0, 20).Select(i => new SamplePoint(i * 15_000 + offsetMs, value(i)))];

    [Fact]
    public void Series_scraped_a_few_seconds_apart_still_line_up()
    {
        var load = Series(0, i => i < 10 ? 1 : 5 + i);
        Assert.Equal(1.0, Correlation.Pearson(load, Series(3_000, i => i < 10 ? 10 : 50 + 10 * i))!.Value, 6);
        Assert.Equal(-1.0, Correlation.Pearson(load, Series(3_000, i => i < 10 ? -1 : -5 - i))!.Value, 6);
    }

    [Fact]
    public void A_flat_series_or_too_few_points_say_nothing()
    {
        var load = Series(0, i => i);
        Assert.Null(Correlation.Pearson(load, Series(0, _ => 3)));
        Assert.Null(Correlation.Pearson(load, Series(0, i => i).Take(3).ToList()));
    }

    [Fact]
    public void The_means_around_the_start_show_what_changed()
    {
        var (before, since) = Correlation.MeansAround(Series(0, i => i < 10 ? 2 : 8), 10 * 15_000);
        Assert.Equal((2.0, 8.0), (before, since));
    }

    [Fact]
    public void A_series_that_began_with_the_incident_or_holds_only_stale_markers_has_no_mean_before()
    {
        Assert.Equal((null, 8.0), Correlation.MeansAround(Series(0, i => i < 10 ? double.NaN : 8), 10 * 15_000));
        Assert.Equal((null, 8.0), Correlation.MeansAround(Series(10 * 15_000, _ => 8), 10 * 15_000));
    }
}
