using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// While a target is down, what else goes wrong on that host is a consequence, not news: the other anomalies of an
/// instance with an open <see cref="AnomalyKinds.TargetDown"/> are recorded but not notified, as Alertmanager's
/// inhibit rules do. Plain state fed with every change in order; no I/O.
/// </summary>
public sealed class Inhibition
{
    private readonly Dictionary<(string Tenant, string Instance), HashSet<string>> _down = [];
    private readonly Lock _lock = new();

    /// <summary>Notes a change; returns whether its notification is held back.</summary>
    public bool Inhibits(AnomalyChange change)
    {
        var anomaly = change.Anomaly;
        if (!anomaly.Series.Labels.TryGetValue(WellKnownLabels.Instance, out var instance) || instance.Length == 0)
            return false;
        var key = (anomaly.Series.Tenant, instance);
        lock (_lock)
        {
            if (anomaly.Kind == AnomalyKinds.TargetDown)
            {
                Note(key, anomaly.Id, open: change is AnomalyOpened);
                return false;
            }
            return _down.ContainsKey(key);
        }
    }

    /// <summary>Takes back the targets of one tenant that were down before a restart or failover, in place of what it held of that tenant.</summary>
    public void Restore(string tenant, IEnumerable<Anomaly> open)
    {
        Release(tenant);
        foreach (var anomaly in open.Where(a => a.IsOpen && a.Kind == AnomalyKinds.TargetDown))
            Inhibits(new AnomalyOpened(anomaly));
    }

    /// <summary>Lets go of one tenant's down targets: another Brain owns its alerting now.</summary>
    public void Release(string tenant)
    {
        lock (_lock)
        {
            foreach (var key in _down.Keys.Where(k => k.Tenant == tenant).ToList())
                _down.Remove(key);
        }
    }

    private void Note((string Tenant, string Instance) key, string anomalyId, bool open)
    {
        if (open)
        {
            if (!_down.TryGetValue(key, out var ids))
                _down[key] = ids = [];
            ids.Add(anomalyId);
        }
        else if (_down.TryGetValue(key, out var ids) && ids.Remove(anomalyId) && ids.Count == 0)
            _down.Remove(key);
    }
}
