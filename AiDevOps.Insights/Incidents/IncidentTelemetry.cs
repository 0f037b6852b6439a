using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiDevOps.Contracts;

namespace AiDevOps.Insights.Incidents;

/// <summary>Traces and counts incident explanations; ServiceDefaults exports everything named under "AiDevOps.".</summary>
public sealed class IncidentTelemetry
{
    public const string Name = "AiDevOps.Insights.Incidents";
    public const string ExplanationsCounter = "aidevops.insights.incident_summaries";
    public const string UngroundedCounter = "aidevops.insights.ungrounded";
    public const string ToolCallsCounter = "aidevops.insights.tool_calls";

    private static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _explanations;
    private readonly Counter<long> _ungrounded;
    private readonly Counter<long> _toolCalls;

    public IncidentTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _explanations = meter.CreateCounter<long>(ExplanationsCounter, "{summary}",
            "Incident explanations written, by source (model or deterministic) and why the model was not used.");
        _ungrounded = meter.CreateCounter<long>(UngroundedCounter, "{answer}",
            "Model answers rejected because they stated something the evidence and tool results do not hold.");
        _toolCalls = meter.CreateCounter<long>(ToolCallsCounter, "{call}", "Tool calls the model made, by function and outcome.");
    }

    public static Activity? StartExplain(IncidentFacts facts)
    {
        var activity = ActivitySource.StartActivity("explain_incident");
        activity?.SetTag("aidevops.incident.id", facts.IncidentId);
        activity?.SetTag("aidevops.incident.version", facts.Version);
        activity?.SetTag("aidevops.incident.state", facts.State);
        return activity;
    }

    public void Explained(Activity? activity, InsightSummary summary, string reason)
    {
        activity?.SetTag("aidevops.summary.source", summary.Source);
        activity?.SetTag("aidevops.summary.reason", reason);
        _explanations.Add(1, new("source", summary.Source), new("reason", reason));
    }

    public void Ungrounded() => _ungrounded.Add(1);

    public void ToolCalled(string function, string outcome) => _toolCalls.Add(1, new("function", function), new("outcome", outcome));
}
