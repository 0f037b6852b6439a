using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiDevOps.Contracts;

namespace AiDevOps.Insights.Summaries;

/// <summary>Traces and counts summaries; ServiceDefaults exports everything named under "AiDevOps.".</summary>
public sealed class SummaryTelemetry
{
    public const string Name = "AiDevOps.Insights.Summaries";
    public const string SummariesCounter = "aidevops.insights.summaries";
    public const string SourceTag = "source";

    private static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _summaries;

    public SummaryTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _summaries = meter.CreateCounter<long>(SummariesCounter, "{summary}", "Summaries written, by source (model or deterministic).");
    }

    public static Activity? StartSummarize(AnomalyFacts facts)
    {
        var activity = ActivitySource.StartActivity("summarize");
        activity?.SetTag("aidevops.anomaly.kind", facts.Kind);
        activity?.SetTag("aidevops.anomaly.metric", facts.Metric);
        return activity;
    }

    public void Record(Activity? activity, InsightSummary summary)
    {
        activity?.SetTag("aidevops.summary.source", summary.Source);
        _summaries.Add(1, new KeyValuePair<string, object?>(SourceTag, summary.Source));
    }
}

/// <summary>Wraps whichever summarizer is active, so a fallback inside it is counted once, under the source that answered.</summary>
public sealed class InstrumentedSummarizer(ISummarizer inner, SummaryTelemetry telemetry) : ISummarizer
{
    public async Task<InsightSummary> SummarizeAsync(AnomalyFacts facts, CancellationToken cancellationToken)
    {
        using var activity = SummaryTelemetry.StartSummarize(facts);
        var summary = await inner.SummarizeAsync(facts, cancellationToken);
        telemetry.Record(activity, summary);
        return summary;
    }
}
