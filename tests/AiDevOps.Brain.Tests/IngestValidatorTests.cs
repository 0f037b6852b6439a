using AiDevOps.Brain.Ingest;

namespace AiDevOps.Brain.Tests;

public class IngestValidatorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly long NowMs = Now.ToUnixTimeMilliseconds();

    private static SeriesSamples Up(params SamplePoint[] samples) =>
        new(new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "node" }, samples);

    [Fact]
    public void Accepts_a_well_formed_request()
    {
        var errors = IngestValidator.Validate(new IngestRequest([Up(new SamplePoint(NowMs, 1))]), 100, Now);
        Assert.Empty(errors);
    }

    [Fact]
    public void Rejects_a_missing_body_and_an_empty_series_list()
    {
        Assert.Contains("series", IngestValidator.Validate(null, 100, Now).Keys);
        Assert.Contains("empty", IngestValidator.Validate(new IngestRequest([]), 100, Now)["series"][0]);
    }

    [Fact]
    public void Names_the_series_without_a_metric_name()
    {
        var request = new IngestRequest([Up(new SamplePoint(NowMs, 1)), new SeriesSamples(new Dictionary<string, string> { ["job"] = "x" }, [new SamplePoint(NowMs, 1)])]);
        var errors = IngestValidator.Validate(request, 100, Now);
        Assert.Equal(["series[1].labels"], errors.Keys);
        Assert.Contains("__name__", errors["series[1].labels"][0]);
    }

    [Theory]
    [InlineData("1bad")]
    [InlineData("has-dash")]
    [InlineData("")]
    public void Rejects_label_names_Prometheus_would_reject(string name)
    {
        var labels = new Dictionary<string, string> { ["__name__"] = "up", [name] = "v" };
        var errors = IngestValidator.Validate(new IngestRequest([new SeriesSamples(labels, [new SamplePoint(NowMs, 1)])]), 100, Now);
        Assert.Contains("series[0].labels", errors.Keys);
    }

    [Fact]
    public void Rejects_samples_from_a_clock_far_in_the_future_or_before_1970()
    {
        var future = Now.Add(IngestValidator.MaxClockSkew).AddMinutes(1).ToUnixTimeMilliseconds();
        Assert.Contains("series[0].samples[1].timestamp",
            IngestValidator.Validate(new IngestRequest([Up(new SamplePoint(NowMs, 1), new SamplePoint(future, 1))]), 100, Now).Keys);
        Assert.Contains("series[0].samples[0].timestamp",
            IngestValidator.Validate(new IngestRequest([Up(new SamplePoint(-5, 1))]), 100, Now).Keys);
    }

    [Fact]
    public void Rejects_a_series_without_samples_and_too_many_samples()
    {
        Assert.Contains("series[0].samples", IngestValidator.Validate(new IngestRequest([Up()]), 100, Now).Keys);
        var many = Enumerable.Range(1, 11).Select(i => new SamplePoint(NowMs - i, i)).ToArray();
        Assert.Contains("at most 10", IngestValidator.Validate(new IngestRequest([Up(many)]), 10, Now)["series"][0]);
    }
}
