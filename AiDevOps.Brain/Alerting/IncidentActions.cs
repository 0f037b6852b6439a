using AiDevOps.Brain.Alerting.Incidents;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// What people do to an incident (API, Web UI, Telegram buttons), from any Brain: the act goes to the tenant's
/// alerting wherever it is active (<see cref="ITenantAlertingGrain"/>), and the answer is the incident as stored after it.
/// </summary>
public sealed class IncidentActions(IGrainFactory grains, IncidentStore incidents, SilenceStore silences)
{
    /// <summary>Someone takes an open incident of their tenant; null when no such open incident.</summary>
    public async Task<Incident?> AcknowledgeAsync(string tenant, string incidentId, string by, CancellationToken ct) =>
        await Alerting(tenant).AcknowledgeAsync(incidentId, by) ? await incidents.GetAsync(tenant, incidentId, ct) : null;

    /// <summary>Someone closes an open incident of their tenant by hand; null when no such open incident.</summary>
    public async Task<Incident?> ResolveAsync(string tenant, string incidentId, string by, CancellationToken ct) =>
        await Alerting(tenant).ResolveAsync(incidentId, by) ? await incidents.GetAsync(tenant, incidentId, ct) : null;

    /// <summary>Someone silences an open incident of their tenant for <paramref name="duration"/>; null when no such open incident.</summary>
    public async Task<(Incident Incident, Silence Silence)?> SilenceAsync(string tenant, string incidentId, TimeSpan duration, string by, CancellationToken ct)
    {
        if (await Alerting(tenant).SilenceAsync(incidentId, duration, by) is not { } silenceId)
            return null;
        var incident = await incidents.GetAsync(tenant, incidentId, ct);
        var silence = (await silences.ListAsync(tenant, ct)).FirstOrDefault(s => s.Id == silenceId);
        return incident is not null && silence is not null ? (incident, silence) : null;
    }

    private ITenantAlertingGrain Alerting(string tenant) => grains.GetGrain<ITenantAlertingGrain>(tenant);
}
