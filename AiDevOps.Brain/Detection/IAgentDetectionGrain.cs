using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// One agent's detection (<see cref="AgentDetection"/>) as an Orleans grain, active on one silo of the cluster at a
/// time: every Brain hands it the deliveries it stored, wherever the agent's requests land. Key: <see cref="DetectionKeys"/>.
/// </summary>
[Alias("aidevops.detection.agent")]
public interface IAgentDetectionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Judges a stored delivery and returns the agent's usual gap between deliveries, for the registry; or judges
    /// nothing and names the series it does not know, to be sent again with their labels.
    /// </summary>
    [Alias("observe")]
    Task<Judgement> ObserveAsync(DeliveredBatch batch);

    /// <summary>The agent shut down on purpose: its silence from now on is no outage.</summary>
    [Alias("depart")]
    Task DepartAsync(DateTimeOffset at);

    /// <summary>Alerts from the agent's Prometheus (API v2) or its Alertmanager (webhook).</summary>
    [Alias("alerts")]
    Task TakeAlertsAsync(IReadOnlyList<TakenAlert> alerts);

    /// <summary>Keeps the grain active and its clock going; every Brain calls it every few seconds (<see cref="GrainHeartbeat"/>).</summary>
    [Alias("tick")]
    Task TickAsync();

    /// <summary>The trend of one of the agent's series, or null when it does not watch it.</summary>
    [Alias("outlook")]
    Task<SeriesOutlook?> OutlookAsync(string seriesId, TimeSpan horizon);
}

/// <summary>The grain of an agent: tenant and agent id, the agent id escaped, so the key reads back and names a file.</summary>
public static class DetectionKeys
{
    public static string Of(AgentIdentity agent) => agent.Tenant + "/" + Uri.EscapeDataString(agent.AgentId).Replace(".", "%2E", StringComparison.Ordinal);

    public static AgentIdentity Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !TenantNames.IsValid(key[..slash]))
            throw new FormatException($"'{key}' is not a detection key (tenant/agent).");
        return new AgentIdentity(Uri.UnescapeDataString(key[(slash + 1)..]), key[..slash]);
    }
}
