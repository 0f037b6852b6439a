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
    public void The_detectors_evidence_says_what_it_expected_and_saw_without_repeating_the_score()
    {
        var summary = DeterministicSummarizer.Summarize(TestFacts.LatencySpike() with { Evidence = TestFacts.EwmaEvidence, Score = 3.1 });

        Assert.Contains($"Evidence: {TestFacts.EwmaEvidence}.", summary.Summary, StringComparison.Ordinal);
        Assert.Equal(2, summary.Summary.Split("score ").Length);
        Assert.Contains("Next step:", summary.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_score_the_evidence_does_not_state_is_added_to_it()
    {
        var facts = TestFacts.LatencySpike() with { Evidence = "p99 above 2 s for 5 minutes.", Score = 2.75 };

        var summary = DeterministicSummarizer.Summarize(facts);

        Assert.Contains("Evidence: p99 above 2 s for 5 minutes (score 2.75).", summary.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_score_without_evidence_is_stated_alone()
    {
        var summary = DeterministicSummarizer.Summarize(TestFacts.LatencySpike() with { Score = 3.1 });

        Assert.Contains("Detector score: 3.1.", summary.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" \n ")]
    [InlineData(".")]
    public void Without_evidence_or_score_the_summary_claims_none(string? evidence)
    {
        var summary = DeterministicSummarizer.Summarize(TestFacts.LatencySpike() with { Evidence = evidence });

        Assert.DoesNotContain("Evidence", summary.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("score ", summary.Summary, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_multi_line_alert_description_becomes_one_line_of_evidence()
    {
        var facts = TestFacts.TargetDown() with { Evidence = "Instance 127.0.0.1:9100 is down.\n  It has not answered a scrape for 5 minutes.\n" };

        var summary = DeterministicSummarizer.Summarize(facts);

        Assert.Contains(
            "Evidence: Instance 127.0.0.1:9100 is down. It has not answered a scrape for 5 minutes. Last value: 0.",
            summary.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_labels_and_long_evidence_are_cut_so_the_summary_stays_short_and_keeps_evidence_and_next_step()
    {
        var labels = Enumerable.Range(0, 100).ToDictionary(i => $"label_{i}", i => new string('x', 20));
        var evidence = TestFacts.EwmaEvidence + new string(' ', 1) + string.Concat(Enumerable.Repeat("and more words ", 50));
        var facts = TestFacts.LatencySpike() with { Labels = labels, Evidence = evidence };

        var summary = DeterministicSummarizer.Summarize(facts);

        Assert.True(summary.Summary.Length <= DeterministicSummarizer.MaxLength, $"{summary.Summary.Length} characters");
        Assert.Contains($"Evidence: {TestFacts.EwmaEvidence}", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("Next step:", summary.Summary, StringComparison.Ordinal);
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
