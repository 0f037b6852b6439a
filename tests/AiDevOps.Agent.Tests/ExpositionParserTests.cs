using AiDevOps.Agent.Collection;

namespace AiDevOps.Agent.Tests;

public class ExpositionParserTests
{
    private static readonly Dictionary<string, string> Target = new() { ["job"] = "brain", ["instance"] = "localhost:5180" };

    [Fact]
    public void Parses_samples_with_labels_escapes_special_values_and_timestamps()
    {
        const string text = """
            # HELP http_requests_total Requests.
            # TYPE http_requests_total counter
            http_requests_total{method="GET",path="/a \"quoted\" \\ back\nslash"} 1027 1700000000123
            process_open_fds 12
            temperature{room="lab"} -Inf
            ratio NaN
            """;
        var result = ExpositionParser.Parse(text, 42, Target);

        Assert.Equal(0, result.SkippedLines);
        Assert.Equal(4, result.Series.Count);
        var requests = result.Series[0];
        Assert.Equal("http_requests_total", requests.Labels["__name__"]);
        Assert.Equal("/a \"quoted\" \\ back\nslash", requests.Labels["path"]);
        Assert.Equal((1700000000123L, 1027.0), (requests.Samples[0].Timestamp, requests.Samples[0].Value));
        Assert.Equal(42, result.Series[1].Samples[0].Timestamp);
        Assert.Equal(double.NegativeInfinity, result.Series[2].Samples[0].Value);
        Assert.True(double.IsNaN(result.Series[3].Samples[0].Value));
    }

    [Fact]
    public void Target_labels_win_and_exposed_ones_are_kept_as_exported()
    {
        var result = ExpositionParser.Parse("up{job=\"inner\"} 1", 1, Target);
        var labels = Assert.Single(result.Series).Labels;
        Assert.Equal("brain", labels["job"]);
        Assert.Equal("inner", labels["exported_job"]);
        Assert.Equal("localhost:5180", labels["instance"]);
    }

    [Fact]
    public void Reads_OpenMetrics_seconds_timestamps_and_drops_exemplars()
    {
        const string text = """
            # TYPE requests counter
            requests_total{path="/"} 12 1700000000.250 # {trace_id="abc"} 1.0 1700000000.1
            requests_created{path="/"} 1699999000
            # EOF
            """;
        var result = ExpositionParser.Parse(text, 42, Target, openMetrics: true);

        Assert.Equal(0, result.SkippedLines);
        Assert.Equal((1700000000250L, 12.0), (result.Series[0].Samples[0].Timestamp, result.Series[0].Samples[0].Value));
        Assert.Equal(42, result.Series[1].Samples[0].Timestamp);
    }

    [Theory]
    [InlineData("no_value")]
    [InlineData("1starts_with_digit 1")]
    [InlineData("unclosed{a=\"b\" 1")]
    [InlineData("bad_value abc")]
    [InlineData("too many fields 1 2")]
    [InlineData("twice{a=\"1\",a=\"2\"} 1")]
    [InlineData("bad_timestamp 1 12x")]
    public void Skips_and_counts_lines_that_do_not_parse_without_losing_the_rest(string bad)
    {
        var result = ExpositionParser.Parse($"good 1\n{bad}\nalso_good 2", 1, Target);
        Assert.Equal(1, result.SkippedLines);
        Assert.Equal(["good", "also_good"], result.Series.Select(s => s.Labels["__name__"]));
    }

    [Fact]
    public void A_series_labels_come_sorted_and_a_repeated_value_is_one_string()
    {
        var result = ExpositionParser.Parse("cpu{mode=\"idle\",cpu=\"0\"} 1\ncpu{mode=\"idle\",cpu=\"1\"} 2", 1, Target);

        Assert.Equal(["__name__", "cpu", "instance", "job", "mode"], result.Series[0].Labels.Keys);
        Assert.Same(result.Series[0].Labels["mode"], result.Series[1].Labels["mode"]);
    }
}
