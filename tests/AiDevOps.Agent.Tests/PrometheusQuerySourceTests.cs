using System.Text.Json;
using AiDevOps.Agent.Collection;

namespace AiDevOps.Agent.Tests;

public class PrometheusQuerySourceTests
{
    [Fact]
    public void Reads_an_instant_vector_under_the_querys_name()
    {
        using var json = JsonDocument.Parse("""
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"instance":"a:9100","job":"node"},"value":[1700000000.5,"0.25"]},
              {"metric":{"__name__":"up","instance":"b:9100","job":"node"},"value":[1700000000.5,"NaN"]}]}}
            """);
        var series = PrometheusQuerySource.ParseResult("node_cpu_busy_ratio", json.RootElement);

        Assert.Equal(2, series.Count);
        Assert.All(series, s => Assert.Equal("node_cpu_busy_ratio", s.Labels["__name__"]));
        Assert.Equal((1700000000500L, 0.25), (series[0].Samples[0].Timestamp, series[0].Samples[0].Value));
        Assert.True(double.IsNaN(series[1].Samples[0].Value));
    }

    [Fact]
    public void Reads_a_range_vector_as_the_samples_at_their_own_scrape_times()
    {
        using var json = JsonDocument.Parse("""
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"up","instance":"a:9100","job":"node"},"values":[[1700000000.25,"1"],[1700000015.25,"0"]]}]}}
            """);
        var series = Assert.Single(PrometheusQuerySource.ParseResult("up", json.RootElement));

        Assert.Equal("up", series.Labels["__name__"]);
        Assert.Equal([(1700000000250L, 1.0), (1700000015250L, 0.0)], series.Samples.Select(s => (s.Timestamp, s.Value)));
    }

    [Fact]
    public void Refuses_an_error_answer_and_a_scalar_result()
    {
        using var error = JsonDocument.Parse("""{"status":"error","errorType":"bad_data","error":"parse error"}""");
        Assert.Contains("parse error", Assert.Throws<InvalidOperationException>(() => PrometheusQuerySource.ParseResult("x", error.RootElement)).Message);

        using var scalar = JsonDocument.Parse("""{"status":"success","data":{"resultType":"scalar","result":[1700000000,"1"]}}""");
        Assert.Throws<InvalidOperationException>(() => PrometheusQuerySource.ParseResult("x", scalar.RootElement));
    }

    [Fact]
    public void Options_name_the_bad_value()
    {
        var options = new PrometheusSourceOptions { Url = "not a url", Queries = [new PromQuery { Name = "9bad", Expr = "up" }] };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();
        Assert.Contains(errors, e => e!.Contains("Agent:Prometheus:Url 'not a url'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("Agent:Prometheus:Queries:0:Name '9bad'", StringComparison.Ordinal));
    }
}
