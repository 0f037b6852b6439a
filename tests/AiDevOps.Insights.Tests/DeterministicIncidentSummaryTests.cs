using AiDevOps.Contracts;
using AiDevOps.Insights.Incidents;

namespace AiDevOps.Insights.Tests;

public sealed class DeterministicIncidentSummaryTests
{
    [Fact]
    public void Target_down_says_where_since_when_the_cause_and_the_next_step()
    {
        var summary = IncidentExplainer.Deterministic(IncidentTestFacts.TargetDown());

        Assert.Equal(SummarySources.Deterministic, summary.Source);
        Assert.StartsWith("Target db-1:9100 (job node) is down since 10:15 UTC on 2026-11-24.", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("crashed", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("network", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("Next step: check the service on db-1:9100", summary.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_targets_of_a_host_down_together_point_at_the_host_or_network()
    {
        var facts = IncidentTestFacts.TargetDown();
        facts = facts with
        {
            Members = [.. facts.Members, facts.Members[0] with { Labels = IncidentTestFacts.Host("db-1:9187", "postgres") }],
        };

        var summary = IncidentExplainer.Deterministic(facts).Summary;

        Assert.Contains("several targets of this host went down together", summary, StringComparison.Ordinal);
        Assert.Contains("The incident has 2 anomalies", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Disk_filling_says_how_far_from_normal_and_when_it_runs_out()
    {
        var summary = IncidentExplainer.Deterministic(IncidentTestFacts.DiskFilling()).Summary;

        Assert.Contains("node_filesystem_avail_bytes", summary, StringComparison.Ordinal);
        Assert.Contains("3000000000 against an expected 8000000000 (normal band 7500000000 to 8500000000)", summary, StringComparison.Ordinal);
        Assert.Contains("scored 4.2", summary, StringComparison.Ordinal);
        Assert.Contains("runs out at 13:15 UTC on 2026-11-24, 3 hours after the last sample", summary, StringComparison.Ordinal);
        Assert.Contains("the disk is filling", summary, StringComparison.Ordinal);
        Assert.Contains("du", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_filling_names_a_leak_and_the_time_to_exhaustion()
    {
        var summary = IncidentExplainer.Deterministic(IncidentTestFacts.MemoryLeak()).Summary;

        Assert.Contains("memory is filling", summary, StringComparison.Ordinal);
        Assert.Contains("leak", summary, StringComparison.Ordinal);
        Assert.Contains("50 minutes after the last sample", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Cpu_saturation_gives_the_value_band_and_score()
    {
        var summary = IncidentExplainer.Deterministic(IncidentTestFacts.CpuSaturation()).Summary;

        Assert.Contains("Latest node_cpu_busy_ratio: 0.97 against an expected 0.42 (normal band 0.3 to 0.6), detector zscore scored 5.1.", summary, StringComparison.Ordinal);
        Assert.Contains("CPU saturation", summary, StringComparison.Ordinal);
        Assert.Contains("top", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_rate_spike_names_the_correlated_latency_and_other_anomalies_of_the_host()
    {
        var summary = IncidentExplainer.Deterministic(IncidentTestFacts.ErrorRateWithLatency()).Summary;

        Assert.Contains("error-rate spike with http_request_duration_seconds rising alongside", summary, StringComparison.Ordinal);
        Assert.Contains("Moving with it: http_request_duration_seconds (correlation 0.93), mean 0.12 before and 0.85 since.", summary, StringComparison.Ordinal);
        Assert.Contains("Also on this host: http_request_duration_seconds (unusual since 10:16 UTC).", summary, StringComparison.Ordinal);
        Assert.Contains("10.0.0.7:8080 (job checkout)", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prometheus_alert_carries_its_annotations()
    {
        var summary = IncidentExplainer.Deterministic(IncidentTestFacts.PrometheusAlert()).Summary;

        Assert.StartsWith("Prometheus alert PostgresReplicationLag fired on db-1:9187", summary, StringComparison.Ordinal);
        Assert.Contains("The alert says: Replication lag above 30 s on db-1. The replica has been 42 s behind the primary for 5 minutes.", summary, StringComparison.Ordinal);
        Assert.Contains("https://runbooks.example.com/pg-lag", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resolved_incident_says_what_it_was_and_how_long_it_lasted()
    {
        var summary = IncidentExplainer.Deterministic(IncidentTestFacts.Resolved(IncidentTestFacts.TargetDown())).Summary;

        Assert.StartsWith("Resolved: Target db-1:9100 (job node) was down from 10:15 UTC on 2026-11-24 to 10:27 UTC, lasting 12 minutes.", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("is down since", summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(900)]
    [InlineData(300)]
    [InlineData(160)]
    [InlineData(60)]
    public void The_summary_fits_the_channel_and_ends_with_a_sentence(int maxCharacters)
    {
        foreach (var facts in new[]
        {
            IncidentTestFacts.TargetDown(), IncidentTestFacts.DiskFilling(), IncidentTestFacts.MemoryLeak(),
            IncidentTestFacts.CpuSaturation(), IncidentTestFacts.ErrorRateWithLatency(), IncidentTestFacts.PrometheusAlert(),
        })
        {
            var summary = IncidentExplainer.Deterministic(facts with { MaxCharacters = maxCharacters }).Summary;

            Assert.InRange(summary.Length, 1, maxCharacters);
            Assert.EndsWith(".", summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Within_a_tight_budget_the_cause_and_next_step_outlast_the_lists()
    {
        var summary = IncidentExplainer.Deterministic(IncidentTestFacts.ErrorRateWithLatency() with { MaxCharacters = 500 }).Summary;

        Assert.Contains("Likely cause:", summary, StringComparison.Ordinal);
        Assert.Contains("Next step:", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("Also on this host", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_deterministic_summary_is_grounded_in_its_own_facts()
    {
        foreach (var facts in new[]
        {
            IncidentTestFacts.TargetDown(), IncidentTestFacts.DiskFilling(), IncidentTestFacts.MemoryLeak(),
            IncidentTestFacts.CpuSaturation(), IncidentTestFacts.ErrorRateWithLatency(), IncidentTestFacts.PrometheusAlert(),
            IncidentTestFacts.Resolved(IncidentTestFacts.CpuSaturation()),
        })
        {
            var summary = IncidentExplainer.Deterministic(facts).Summary;

            Assert.Empty(Grounding.Check(summary, facts, [], IncidentTestFacts.Since.AddMinutes(5)));
        }
    }
}
