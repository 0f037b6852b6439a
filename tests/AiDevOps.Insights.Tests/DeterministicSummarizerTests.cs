using AiDevOps.Contracts;
using AiDevOps.Insights.Summaries;

namespace AiDevOps.Insights.Tests;

public sealed class DeterministicSummarizerTests
{
    [Fact]
    public void Target_down_names_the_job_instance_start_time_cause_and_next_step()
    {
        var summary = DeterministicSummarizer.Summarize(TestFacts.TargetDown());

        Assert.Equal(SummarySources.Deterministic, summary.Source);
        Assert.StartsWith("Target down: job node at 127.0.0.1:9100", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("10:15:03 UTC", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("2026-11-24", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("crashed", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("systemctl status", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("logs", summary.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_kinds_name_the_series_and_suggest_a_workload_change()
    {
        var summary = DeterministicSummarizer.Summarize(TestFacts.LatencySpike());

        Assert.StartsWith(
            "Anomaly on http_request_duration_seconds{instance=\"10.0.0.7:8080\", job=\"checkout\", route=\"/pay\"}",
            summary.Summary, StringComparison.Ordinal);
        Assert.Contains("job checkout at 10.0.0.7:8080", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("workload", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("Last value: 2.5", summary.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_job_and_instance_labels_still_give_a_complete_summary()
    {
        var summary = DeterministicSummarizer.Summarize(TestFacts.TargetDown(new Dictionary<string, string>()));

        Assert.StartsWith("Target down: an unlabelled target since 10:15:03 UTC", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("Next step: check the service on the instance", summary.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_instance_label_is_enough_to_say_where()
    {
        var summary = DeterministicSummarizer.Summarize(TestFacts.TargetDown(
            new Dictionary<string, string> { [WellKnownLabels.Instance] = "db-1:9187" }));

        Assert.StartsWith("Target down: db-1:9187 since", summary.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_label_sets_are_cut_so_the_summary_stays_short_and_keeps_its_next_step()
    {
        var labels = Enumerable.Range(0, 100).ToDictionary(i => $"label_{i}", i => new string('x', 20));
        var facts = TestFacts.LatencySpike() with { Labels = labels };

        var summary = DeterministicSummarizer.Summarize(facts);

        Assert.True(summary.Summary.Length <= DeterministicSummarizer.MaxLength, $"{summary.Summary.Length} characters");
        Assert.Contains("Next step:", summary.Summary, StringComparison.Ordinal);
    }
}
