using AiDevOps.Insights.Incidents;

namespace AiDevOps.Insights.Tests;

public sealed class GroundingTests
{
    private static readonly DateTimeOffset Now = IncidentTestFacts.Since.AddMinutes(12).AddSeconds(20);

    [Theory]
    [InlineData("CPU on db-1:9100 is at 0.97 against an expected 0.42 since 10:15 UTC.")]
    [InlineData("CPU on db-1 reached 97% (normal 30% to 60%), score 5.1, for 12 minutes.")]
    [InlineData("node_cpu_busy_ratio is 2.3x its expected level since 2026-11-24 10:15.")]
    [InlineData("Busy ratio rose by 131% over the baseline of 0.42; detector zscore scored 5.10.")]
    public void An_answer_that_only_restates_the_facts_is_grounded(string answer)
    {
        Assert.Empty(Grounding.Check(answer, IncidentTestFacts.CpuSaturation(), [], Now));
    }

    [Theory]
    [InlineData("CPU on db-1:9100 is at 0.99 since 10:15 UTC.", "0.99")]
    [InlineData("CPU on db-2:9100 is at 0.97 since 10:15 UTC.", "db-2:9100")]
    [InlineData("CPU on web-7 spiked since 10:15 UTC.", "web-7")]
    [InlineData("CPU is saturated since 09:40 UTC.", "09:40")]
    [InlineData("node_load15 rose with node_cpu_busy_ratio.", "node_load15")]
    [InlineData("CPU has been saturated for 45 minutes.", "45 minutes")]
    [InlineData("About 250 requests failed on 10.0.0.9.", "10.0.0.9")]
    public void An_invented_number_host_time_or_metric_is_named(string answer, string offending)
    {
        var ungrounded = Grounding.Check(answer, IncidentTestFacts.CpuSaturation(), [], Now);

        Assert.Contains(offending, ungrounded);
    }

    [Fact]
    public void Byte_values_may_be_written_in_gigabytes()
    {
        var facts = IncidentTestFacts.DiskFilling();

        Assert.Empty(Grounding.Check("Free space on db-1 fell to 3 GB (2.79 GiB) from an expected 8 GB; it runs out at 13:15 UTC, in 3 hours.", facts, [], IncidentTestFacts.Since));
    }

    [Fact]
    public void Tool_results_ground_what_the_facts_lack()
    {
        const string toolResult = """{"series":"node_load1{instance=\"db-1:9100\"}","points":[["2026-11-24T09:50:00Z",7.25]]}""";

        const string answer = "node_load1 was 7.25 at 09:50 UTC.";
        Assert.NotEmpty(Grounding.Check(answer, IncidentTestFacts.CpuSaturation(), [], Now));
        Assert.Empty(Grounding.Check(answer, IncidentTestFacts.CpuSaturation(), [toolResult], Now));
    }

    [Fact]
    public void Prometheus_unix_times_in_a_tool_result_ground_a_time()
    {
        var at = new DateTimeOffset(2026, 11, 24, 9, 41, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var toolResult = $$$"""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[{{{at}}},"0.5"]]}]}}""";

        Assert.Empty(Grounding.Check("It was 0.5 at 09:41 UTC.", IncidentTestFacts.CpuSaturation(), [toolResult], Now));
    }
}
