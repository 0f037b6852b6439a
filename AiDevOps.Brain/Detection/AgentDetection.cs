using System.Runtime.InteropServices;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Everything detection knows of one agent's data, and the one way it is driven: its series' detectors (the
/// <c>up</c> watch and the ensemble), the alerts its Prometheus posts, and its pace with the dead man's switch. Each
/// delivery is observed by every <see cref="IAnomalySource"/>, the clock ticks them, idle series are forgotten; every
/// change comes back stamped with the agent, which owns the anomaly from then on (after a failover only its owner
/// takes it back). Plain state, no I/O: the <see cref="AgentDetectionGrain"/> stores and sends what changes.
/// </summary>
public sealed class AgentDetection
{
    private static readonly TimeSpan IdleSweep = TimeSpan.FromMinutes(1);

    private readonly AgentIdentity _agent;
    private readonly TimeSpan _forgetIdle;
    private readonly IReadOnlyList<IAnomalySource> _sources;
    private readonly PrometheusAlertTracker _alerts;
    /// <summary>The series the agent delivers, by id, with the receipt time of their last delivery.</summary>
    private readonly Dictionary<string, (Series Series, DateTimeOffset LastDelivered)> _known = new(StringComparer.Ordinal);
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    public AgentDetection(AgentIdentity agent, DetectionOptions options, AgentDirectory directory)
    {
        _agent = agent;
        _forgetIdle = options.ForgetIdleSeries;
        Ensemble = new EnsembleWatch(AiDevOps.Detection.DetectionSettings.Recommended);
        _alerts = new PrometheusAlertTracker(options.AlertmanagerRepeatInterval);
        _sources = [new UpDetector(), Ensemble, new AgentSilenceWatch(Pace, directory, options.AgentSilence), _alerts];
    }

    public AgentPace Pace { get; } = new();

    public EnsembleWatch Ensemble { get; }


    /// <summary>Whether an open anomaly of the tenant is this agent's to take back (one stored before owners were kept goes to <paramref name="legacyOwner"/>).</summary>
    public bool Owns(Anomaly anomaly, string legacyOwner) => (anomaly.Agent ?? legacyOwner) == _agent.AgentId;

    /// <summary>Takes back the agent's open anomalies; returns what resolves at once (what nothing can end any more).</summary>
    public IReadOnlyList<AnomalyChange> Restore(IEnumerable<Anomaly> open, DateTimeOffset now) =>
        Stamp(open.SelectMany(anomaly => _sources.SelectMany(source => source.Restore(anomaly, now))));

    /// <summary>
    /// The series of a delivery this detection has not been told about, after taking the ones it names in full
    /// (a series stays known until it is idle for <c>Detection:ForgetIdleSeries</c>; after a failover the first delivery
    /// names them all).
    /// </summary>
    public string[] Unknown(DeliveredBatch delivery)
    {
        List<string>? unknown = null;
        for (var i = 0; i < delivery.SeriesIds.Length; i++)
        {
            if (delivery.Labels?[i] is { } named)
                _known[named.Id] = (named, delivery.ReceivedAt);
            else if (!_known.ContainsKey(delivery.SeriesIds[i]))
                (unknown ??= []).Add(delivery.SeriesIds[i]);
        }
        return unknown is null ? [] : [.. unknown];
    }

    /// <summary>One delivery's stored samples, series by series, through every source; every series of it is known (<see cref="Unknown"/>).</summary>
    public IReadOnlyList<AnomalyChange> Observe(DeliveredBatch delivery)
    {
        List<AnomalyChange>? changes = null;
        for (var s = 0; s < delivery.SeriesIds.Length; s++)
        {
            ref var known = ref CollectionsMarshal.GetValueRefOrNullRef(_known, delivery.SeriesIds[s]);
            known.LastDelivered = delivery.ReceivedAt;
            var series = known.Series;
            var samples = delivery.SamplesOf(s);
            // Once per series of every delivery, and nearly always without a change: then nothing more is allocated.
            for (var i = 0; i < _sources.Count; i++)
            {
                foreach (var change in _sources[i].Observe(series, samples))
                    (changes ??= []).Add(Stamp(change));
            }
        }
        return changes ?? (IReadOnlyList<AnomalyChange>)[];
    }

    /// <summary>What the passing of time changed (expired alerts, a silent agent), and, once a minute, idle series dropped.</summary>
    public IReadOnlyList<AnomalyChange> Tick(DateTimeOffset now)
    {
        var changes = _sources.SelectMany(source => source.Tick(now));
        if (now - _lastSweep >= IdleSweep)
        {
            _lastSweep = now;
            changes = changes.Concat(_sources.SelectMany(source => source.Forget(now - _forgetIdle, now)));
            foreach (var (id, _) in _known.Where(k => k.Value.LastDelivered < now - _forgetIdle).ToList())
                _known.Remove(id);
        }
        return Stamp(changes);
    }

    /// <summary>Alerts from the agent's Prometheus or Alertmanager (<see cref="PrometheusAlertTracker.Take"/>).</summary>
    public IReadOnlyList<AnomalyChange> TakeAlerts(IReadOnlyList<TakenAlert> alerts, DateTimeOffset now) =>
        Stamp(_alerts.Take(_agent.Tenant, alerts, now));

    private IReadOnlyList<AnomalyChange> Stamp(IEnumerable<AnomalyChange> changes) => [.. changes.Select(Stamp)];

    private AnomalyChange Stamp(AnomalyChange change) =>
        change.Anomaly.Agent == _agent.AgentId ? change : change with { Anomaly = change.Anomaly with { Agent = _agent.AgentId } };
}
