using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Cluster;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// One tenant's alerting, active on one Brain of the cluster at a time, so a change is grouped, deduplicated and sent
/// once however many Brains there are. Keyed by tenant, not by group: inhibition (a down target holds back its host's
/// other anomalies) spans every group of the tenant. The grain is the tenant's claim on this Brain's
/// <see cref="AlertDispatcher"/>: activating takes the tenant's open incidents, down targets and pending notifications
/// over from storage (after a restart, or from a Brain that died), and its calls are the tenant's changes in one order.
/// </summary>
[Alias("aidevops.alerting.tenant")]
public interface ITenantAlertingGrain : IGrainWithStringKey
{
    /// <summary>Takes a stored anomaly change into the tenant's pipeline (<see cref="AlertDispatcher.Dispatch"/>).</summary>
    [Alias("dispatch")]
    Task DispatchAsync(AnomalyChange change);

    /// <summary>Whether the open incident was acknowledged now (false: no such open incident).</summary>
    [Alias("acknowledge")]
    Task<bool> AcknowledgeAsync(string incidentId, string by);

    /// <summary>Whether the open incident was closed now (false: no such open incident).</summary>
    [Alias("resolve")]
    Task<bool> ResolveAsync(string incidentId, string by);

    /// <summary>The silence made for the open incident, or null when there is no such open incident.</summary>
    [Alias("silence")]
    Task<string?> SilenceAsync(string incidentId, TimeSpan duration, string by);

    /// <summary>Keeps the grain active; after a Brain dies, the first tick activates it on a survivor.</summary>
    [Alias("tick")]
    Task TickAsync();
}

/// <summary>
/// Placed on its owner among the Brains (<see cref="SpreadPlacement"/>) and left there while that Brain lives: moving it
/// would hand the tenant's queued notifications to another Brain while this one still sends them.
/// </summary>
[SpreadPlacement]
public sealed class TenantAlertingGrain(AlertDispatcher dispatcher) : Grain, ITenantAlertingGrain
{
    private string Tenant => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => dispatcher.TakeOverAsync(Tenant, cancellationToken);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        dispatcher.Release(Tenant);
        return Task.CompletedTask;
    }

    public Task DispatchAsync(AnomalyChange change)
    {
        dispatcher.Dispatch(change);
        return Task.CompletedTask;
    }

    public async Task<bool> AcknowledgeAsync(string incidentId, string by) =>
        await dispatcher.AcknowledgeAsync(Tenant, incidentId, by, CancellationToken.None) is not null;

    public async Task<bool> ResolveAsync(string incidentId, string by) =>
        await dispatcher.ResolveAsync(Tenant, incidentId, by, CancellationToken.None) is not null;

    public async Task<string?> SilenceAsync(string incidentId, TimeSpan duration, string by) =>
        (await dispatcher.SilenceAsync(Tenant, incidentId, duration, by, CancellationToken.None))?.Silence.Id;

    public Task TickAsync() => Task.CompletedTask;
}
