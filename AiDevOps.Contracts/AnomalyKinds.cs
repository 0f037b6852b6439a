namespace AiDevOps.Contracts;

/// <summary>What kind of trouble an anomaly is: the Brain decides it, Insights and every channel read it.</summary>
public static class AnomalyKinds
{
    /// <summary>A scrape target stopped answering (<c>up</c> went to 0).</summary>
    public const string TargetDown = "target_down";

    /// <summary>An agent stopped delivering: nothing it watches can alert until it is back.</summary>
    public const string AgentSilent = "agent_silent";

    /// <summary>The detection ensemble found the series unlike its own history.</summary>
    public const string Unusual = "unusual_behaviour";

    /// <summary>The trend says the resource runs out within the horizon.</summary>
    public const string PredictedExhaustion = "predicted_exhaustion";

    /// <summary>A Prometheus alerting rule fired (received through Alertmanager's API).</summary>
    public const string PrometheusAlert = "prometheus_alert";
}
