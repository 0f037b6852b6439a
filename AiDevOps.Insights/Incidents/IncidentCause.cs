using AiDevOps.Contracts;

namespace AiDevOps.Insights.Incidents;

/// <summary>The family of trouble an incident most likely belongs to, which decides the likely cause and next step.</summary>
public enum CauseClass
{
    Unknown,
    TargetDown,
    AgentSilent,
    DiskFilling,
    MemoryFilling,
    CpuSaturation,
    ErrorRate,
    Latency,
    PrometheusAlert,
}

public static class IncidentCause
{
    /// <summary>
    /// Classifies by the lead member's kind, then by what its metric (or a Prometheus alert's name and annotations)
    /// measures. Metric names follow node_exporter and the usual HTTP instrumentation, which is what the words test.
    /// </summary>
    public static CauseClass Classify(IncidentFacts facts)
    {
        if (facts.Members is not { Count: > 0 } members)
            return CauseClass.Unknown;
        var lead = members[0];
        if (Is(lead.Kind, AnomalyKinds.TargetDown) || (lead.Metric == "up" && lead.Kind != AnomalyKinds.PrometheusAlert))
            return CauseClass.TargetDown;
        if (Is(lead.Kind, AnomalyKinds.AgentSilent))
            return CauseClass.AgentSilent;

        var text = lead.Metric;
        if (Is(lead.Kind, AnomalyKinds.PrometheusAlert))
        {
            text = string.Join(' ', IncidentText.Label(lead.Labels, WellKnownLabels.AlertName) ?? "",
                IncidentText.Label(lead.Annotations, "summary") ?? "", lead.Metric);
        }
        var byName = ByName(text);
        if (byName != CauseClass.Unknown)
            return byName;
        return Is(lead.Kind, AnomalyKinds.PrometheusAlert) ? CauseClass.PrometheusAlert : CauseClass.Unknown;
    }

    /// <summary>What a metric name (or an alert's words) measures.</summary>
    public static CauseClass ByName(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return CauseClass.Unknown;
        var t = text.ToLowerInvariant();
        if (t.Contains("targetdown") || t.Contains("instancedown") || t is "up")
            return CauseClass.TargetDown;
        if (t.Contains("filesystem") || t.Contains("disk"))
            return CauseClass.DiskFilling;
        if (t.Contains("memory") || t.Contains("_mem") || t.Contains("oom") || t.StartsWith("mem", StringComparison.Ordinal))
            return CauseClass.MemoryFilling;
        if (t.Contains("cpu") || t.Contains("load1") || t.Contains("load5"))
            return CauseClass.CpuSaturation;
        if (t.Contains("error") || t.Contains("5xx") || t.Contains("fail"))
            return CauseClass.ErrorRate;
        if (IsLatency(t))
            return CauseClass.Latency;
        return CauseClass.Unknown;
    }

    public static bool IsLatency(string? metric) =>
        metric is not null && (metric.Contains("latency", StringComparison.OrdinalIgnoreCase)
            || metric.Contains("duration", StringComparison.OrdinalIgnoreCase)
            || metric.Contains("response_time", StringComparison.OrdinalIgnoreCase));

    private static bool Is(string? kind, string expected) => string.Equals(kind, expected, StringComparison.OrdinalIgnoreCase);
}
