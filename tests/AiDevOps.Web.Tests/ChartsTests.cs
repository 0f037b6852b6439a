using AiDevOps.Web.Brain;
using AiDevOps.Web.Charts;

namespace AiDevOps.Web.Tests;

/// <summary>What the charts are made of, on plain values: the time grid, the baseline band, the anomaly rate, selectors.</summary>
public sealed class ChartsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-06T12:07:30Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_range_has_at_most_720_points_no_closer_than_15_s_and_ends_on_a_whole_step()
    {
        var day = TimeRange.Last(TimeSpan.FromHours(24), Now);
        Assert.Equal(TimeSpan.FromSeconds(121), day.Step);
        Assert.True(day.Span / day.Step < TimeRange.MaxPoints);
        Assert.Equal(0, day.End.ToUnixTimeSeconds() % 121);

        Assert.Equal(TimeRange.MinStep, TimeRange.Last(TimeSpan.FromHours(1), Now).Step);

        var rate = TimeRange.Last(TimeSpan.FromHours(6), Now, TimeSpan.FromMinutes(5));
        Assert.Equal(DateTimeOffset.Parse("2026-12-06T12:10:00Z", System.Globalization.CultureInfo.InvariantCulture), rate.End);
        Assert.Equal(TimeSpan.FromHours(6), rate.Span);
        Assert.Throws<ArgumentException>(() => TimeRange.Between(Now, Now));
        Assert.Equal(TimeSpan.FromDays(7), TimeRange.Preset("7d"));
        Assert.Null(TimeRange.Preset("2w"));
    }

    [Fact]
    public void The_baseline_band_follows_the_points_before_each_point_and_a_spike_falls_outside_it()
    {
        double?[] values = [.. Enumerable.Range(0, 100).Select(i => (double?)(10 + (i % 2))), 50, null, 10];
        var band = Baseline.Band(values, window: 20);

        Assert.All(band.Low.Take(Baseline.MinPoints), low => Assert.Null(low));
        Assert.InRange(band.Low[99]!.Value, 8, 10);
        Assert.InRange(band.High[99]!.Value, 11, 13);
        Assert.True(values[100] > band.High[100], "the spike is above the band made of the points before it");
        Assert.NotNull(band.High[101]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Baseline.Band(values, window: 2));
    }

    [Fact]
    public void The_anomaly_rate_counts_per_host_what_was_anomalous_during_each_step_the_short_ones_too()
    {
        var range = TimeRange.Last(TimeSpan.FromHours(1), Now, TimeSpan.FromMinutes(10));
        AnomalyView[] anomalies =
        [
            Anomaly("web-1:9100", Now.AddMinutes(-50), Now.AddMinutes(-49)),
            Anomaly("web-1:9100", Now.AddMinutes(-5), null),
            Anomaly("db-1:9100", Now.AddMinutes(-25), null),
            Anomaly("old:9100", Now.AddDays(-2), Now.AddDays(-1)),
        ];

        var chart = AnomalyRate.PerHost(anomalies, range);

        Assert.Equal(range.Span / range.Step + 1, chart.Times.Count);
        Assert.Equal(["db-1:9100", "web-1:9100"], chart.Series.Select(s => s.Label).Order(StringComparer.Ordinal));
        var web = chart.Series.Single(s => s.Label == "web-1:9100").Values;
        Assert.Equal([0, 1, 0, 0, 0, 0, 1], web);
        Assert.Equal(1, chart.Series.Single(s => s.Label == "db-1:9100").Values[^1]);
    }

    [Fact]
    public void A_range_query_is_put_on_one_grid_with_gaps_as_nulls_and_labels_as_Prometheus_writes_them()
    {
        var range = new TimeRange(Now.AddMinutes(-2), Now, TimeSpan.FromMinutes(1));
        var start = range.Start.ToUnixTimeSeconds();
        var labels = new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "node", ["instance"] = "a:9100" };
        var chart = RangeGrid.Align([new RangeSeries(labels, [start, start + 120], [1, double.NaN])], range);

        Assert.Equal([start, start + 60, start + 120], chart.Times);
        Assert.Equal([1, null, null], chart.Series[0].Values);
        Assert.Equal("up{instance=\"a:9100\", job=\"node\"}", chart.Series[0].Label);
        Assert.Equal("up{instance=\"a:9100\",job=\"node\"}", Selectors.Of(labels));
        Assert.Equal("metric=up&label.instance=a%3A9100&label.job=node", Selectors.QueryString(labels));
        Assert.True(chart.DrawsSameAs(RangeGrid.Align([new RangeSeries(labels, [start], [1])], range)));
        Assert.False(chart.DrawsSameAs(RangeGrid.Align([new RangeSeries(labels, [start], [2])], range)));
    }

    [Fact]
    public void A_chart_goes_to_the_browser_as_start_and_step_and_one_float_column_per_series_then_the_band()
    {
        var chart = new ChartData(
            [100, 115, 130],
            [new ChartSeries("a", [1.5, null, 113.86296694843318]), new ChartSeries("b", [0, -2, 3])],
            Band: new ChartBand([0, null, 1], [2, null, 3]));

        var wire = ChartWire.Of(chart);

        Assert.Equal((100, 15, 3), (wire.Start, wire.Step, wire.Points));
        Assert.Equal(["a", "b"], wire.Labels);
        Assert.True(wire.HasBand);
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(wire.Columns).ToArray();
        Assert.Equal(12, floats.Length);
        Assert.Equal(1.5f, floats[0]);
        Assert.True(float.IsNaN(floats[1]));
        Assert.Equal(113.86297, floats[2], 0.00001);
        Assert.Equal([0f, -2f, 3f, 0f, float.NaN, 1f, 2f, float.NaN, 3f], floats[3..]);
        Assert.Throws<ArgumentException>(() => ChartWire.Of(chart with { Times = [100, 115, 140] }));
        Assert.Throws<ArgumentException>(() => ChartWire.Of(chart with { Series = [new ChartSeries("short", [1])] }));
    }

    [Fact]
    public void A_range_answer_is_read_as_Prometheus_writes_it_unknown_fields_skipped_and_infinities_kept()
    {
        var json = """
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"up","instance":"a:9100"},"values":[[1733400000,"1"],[1733400015.5,"+Inf"],[1733400030,"NaN"]]},
              {"metric":{},"extra":{"x":[1,2]},"values":[[1733400000,"-2.5e3"]]}
            ]},"warnings":[]}
            """u8;

        var series = RangeMatrix.Read(json);

        Assert.Equal(2, series.Count);
        Assert.Equal("a:9100", series[0].Labels["instance"]);
        Assert.Equal([1733400000, 1733400015.5, 1733400030], series[0].Times);
        Assert.Equal(1, series[0].Values[0]);
        Assert.Equal(double.PositiveInfinity, series[0].Values[1]);
        Assert.True(double.IsNaN(series[0].Values[2]));
        Assert.Equal([-2500.0], series[1].Values);
        Assert.Throws<System.Text.Json.JsonException>(() => RangeMatrix.Read("{\"status\":\"success\",\"data\":{}}"u8));
    }

    [Fact]
    public void An_agent_is_silent_while_the_Brain_has_its_agent_silent_open_and_stopped_when_it_said_goodbye()
    {
        var agent = new AgentStatus("edge-1", Now.AddMinutes(-9), 10, TimeSpan.FromSeconds(15), null);
        var silent = Anomaly("x", Now.AddMinutes(-8), null) with { Kind = "agent_silent", Labels = new Dictionary<string, string> { ["agent"] = "edge-1" } };
        Assert.Equal("silent", AgentHealth.Of(agent, [silent]));
        Assert.Equal("healthy", AgentHealth.Of(agent, [silent with { State = "resolved", ResolvedAt = Now }]));
        Assert.Equal("healthy", AgentHealth.Of(agent, [silent with { Labels = new Dictionary<string, string> { ["agent"] = "edge-2" } }]));
        Assert.Equal("stopped", AgentHealth.Of(agent with { DepartedAt = Now.AddMinutes(-8) }, [silent]));
    }

    private static AnomalyView Anomaly(string instance, DateTimeOffset opened, DateTimeOffset? resolved) => new(
        Guid.NewGuid().ToString("N"), "s", "node_load1", new Dictionary<string, string> { ["instance"] = instance }, "unusual_behaviour", "ensemble",
        4, resolved is null ? "open" : "resolved", opened, resolved, null, null, null);
}
