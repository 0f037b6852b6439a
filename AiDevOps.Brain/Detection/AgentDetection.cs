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
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    public AgentDetection(AgentIdentity agent, DetectionOptions options, AgentDirectory directory)
    {
        _agent = agent;
        _forgetIdle = options.ForgetIdleSeries;
        Ensemble = new EnsembleWatch(AiDevOps.Detection.DetectionSettings.Recommended);
        Alerts = new PrometheusAlertTracker(options.AlertmanagerRepeatInterval);
        _sources = [new UpDetector(), Ensemble, new AgentSilenceWatch(Pace, directory, options.AgentSilence), Alerts];
    }

    public AgentPace Pace { get; } = new();

    public EnsembleWatch Ensemble { get; }

    public PrometheusAlertTracker Alerts { get; }

    /// <summary>Whether an open anomaly of the tenant is this agent's to take back (one stored before owners were kept goes to <paramref name="legacyOwner"/>).</summary>
    public bool Owns(Anomaly anomaly, string legacyOwner) => (anomaly.Agent ?? legacyOwner) == _agent.AgentId;

    /// <summary>Takes back the agent's open anomalies; returns what resolves at once (what nothing can end any more).</summary>
    public IReadOnlyList<AnomalyChange> Restore(IEnumerable<Anomaly> open, DateTimeOffset now) =>
        Stamp(open.SelectMany(anomaly => _sources.SelectMany(source => source.Restore(anomaly, now))));

    /// <summary>One delivery's stored samples, series by series, through every source.</summary>
    public IReadOnlyList<AnomalyChange> Observe(IReadOnlyList<DeliveredSeries> delivery)
    {
        List<AnomalyChange>? changes = null;
        foreach (var (series, samples) in delivery)
        {
            // Once per series of every delivery, and nearly always without a change: then nothing is allocated.
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
        }
        return Stamp(changes);
    }

    public IReadOnlyList<AnomalyChange> Stamp(IEnumerable<AnomalyChange> changes) => [.. changes.Select(Stamp)];

    private AnomalyChange Stamp(AnomalyChange change) =>
        change.Anomaly.Agent == _agent.AgentId ? change : change with { Anomaly = change.Anomaly with { Agent = _agent.AgentId } };
}
