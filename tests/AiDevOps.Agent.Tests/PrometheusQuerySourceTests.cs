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
        var series = PrometheusQuerySource.ParseVector("node_cpu_busy_ratio", json.RootElement);

        Assert.Equal(2, series.Count);
        Assert.All(series, s => Assert.Equal("node_cpu_busy_ratio", s.Labels["__name__"]));
        Assert.Equal((1700000000500L, 0.25), (series[0].Samples[0].Timestamp, series[0].Samples[0].Value));
        Assert.True(double.IsNaN(series[1].Samples[0].Value));
    }

    [Fact]
    public void Refuses_an_error_answer_and_a_non_vector_result()
    {
        using var error = JsonDocument.Parse("""{"status":"error","errorType":"bad_data","error":"parse error"}""");
        Assert.Contains("parse error", Assert.Throws<InvalidOperationException>(() => PrometheusQuerySource.ParseVector("x", error.RootElement)).Message);

        using var matrix = JsonDocument.Parse("""{"status":"success","data":{"resultType":"matrix","result":[]}}""");
        Assert.Throws<InvalidOperationException>(() => PrometheusQuerySource.ParseVector("x", matrix.RootElement));
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
