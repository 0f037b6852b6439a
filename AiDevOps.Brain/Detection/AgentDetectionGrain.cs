using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Cluster;
using AiDevOps.Brain.Storage;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// The grain around one agent's <see cref="AgentDetection"/>. On activation (first use, or on another silo after its
/// silo died) it takes back the agent's detector models, open anomalies and pace, so it starts warm and resolves what
/// it had open; it saves the models every <c>Detection:ModelSaveInterval</c> and when it deactivates, so a killed silo
/// loses at most one interval of learning. Every change is stored and handed to alerting before the call returns, and
/// ingest acknowledges only after that: a delivery whose detection was cut off is retried by its agent and judged again.
/// Grains spread over the Brains (<see cref="SpreadPlacement"/>); when Brains join, a grain whose owner is now another
/// Brain moves there between calls, its models saved here and loaded there.
/// </summary>
[SpreadPlacement]
public sealed partial class AgentDetectionGrain(
    TableInitializer tables,
    IModelStore models,
    AnomalyStore anomalies,
    AnomalyRecorder recorder,
    AgentRegistry registry,
    AgentDirectory directory,
    ISampleStore samples,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IOptions<DetectionOptions> options,
    TimeProvider clock,
    ILoggerFactory loggers,
    ILogger<AgentDetectionGrain> logger) : Grain, IAgentDetectionGrain, IDisposable
{
    /// <summary>Ticks closer than this are one tick: every Brain's <see cref="GrainHeartbeat"/> calls.</summary>
    private static readonly TimeSpan ShortestTick = GrainHeartbeat.Interval / 2;

    /// <summary>How often the grain checks it is on the Brain that owns it, once Brains have joined or left.</summary>
    private static readonly TimeSpan OwnerCheck = TimeSpan.FromSeconds(30);

    /// <summary>The first look at stored history, once the first deliveries have named the agent's series.</summary>
    private static readonly TimeSpan FirstFit = TimeSpan.FromSeconds(30);

    private AgentIdentity _agent = null!;
    private string _key = null!;
    private AgentDetection _detection = null!;
    private HistoryFitter _fitter = null!;
    private DateTimeOffset _lastTick = DateTimeOffset.MinValue;
    private Task _fitting = Task.CompletedTask;
    private readonly CancellationTokenSource _stopping = new();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = this.GetPrimaryKeyString();
        _agent = DetectionKeys.Parse(_key);
        await tables.Ready.WaitAsync(cancellationToken);
        _detection = new AgentDetection(_agent, options.Value, directory);
        _fitter = new HistoryFitter(_detection.Ensemble, samples, options, clock, loggers.CreateLogger<HistoryFitter>());

        var loaded = _detection.Ensemble.Load(await models.LoadAsync(_key, cancellationToken));
        var now = clock.GetUtcNow();
        var legacyOwner = directory.Agents.Where(a => a.Tenant == _agent.Tenant).Select(a => a.AgentId).Order(StringComparer.Ordinal).FirstOrDefault() ?? _agent.AgentId;
        var open = (await anomalies.ListAsync(_agent.Tenant, open: true, limit: 100_000, cancellationToken)).Where(a => _detection.Owns(a, legacyOwner)).ToList();
        var resolved = _detection.Restore(open, now);
        if (directory.IsConfigured(_agent) && (await registry.ListAsync(_agent.Tenant, cancellationToken)).FirstOrDefault(s => s.Id == _agent.AgentId) is { } status)
            _detection.Pace.Seen(new AgentActivity(_agent, status.LastSeen, status.UsualGap, status.DepartedAt));
        await RecordAsync(resolved, cancellationToken);
        LogActivated(_key, RuntimeIdentity, loaded, open.Count);

        this.RegisterGrainTimer(SaveModelsAsync, new GrainTimerCreationOptions(options.Value.ModelSaveInterval, options.Value.ModelSaveInterval));
        this.RegisterGrainTimer(StartFitting, new GrainTimerCreationOptions(FirstFit, options.Value.FitInterval));
        this.RegisterGrainTimer(MoveToOwner, new GrainTimerCreationOptions(OwnerCheck, OwnerCheck));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await SaveModelsAsync(cancellationToken);
        LogLeaving(_key, RuntimeIdentity, reason.Description);
        try
        {
            await _fitting;
        }
        catch (OperationCanceledException)
        {
            // Fitting stopped with the grain; the next activation fits again.
        }
    }

    public void Dispose() => _stopping.Dispose();

    public async Task<Judgement> ObserveAsync(DeliveredBatch batch)
    {
        if (_detection.Unknown(batch) is { Length: > 0 } unknown)
            return new Judgement(null, unknown);
        var usualGap = _detection.Pace.Delivered(_agent, batch.ReceivedAt);
        await RecordAsync(_detection.Observe(batch), CancellationToken.None);
        return new Judgement(usualGap, []);
    }

    public Task DepartAsync(DateTimeOffset at)
    {
        _detection.Pace.Departed(_agent, at);
        return Task.CompletedTask;
    }

    public Task TakeAlertsAsync(IReadOnlyList<TakenAlert> alerts) =>
        RecordAsync(_detection.TakeAlerts(alerts, clock.GetUtcNow()), CancellationToken.None);

    public Task TickAsync()
    {
        var now = clock.GetUtcNow();
        if (now - _lastTick < ShortestTick)
            return Task.CompletedTask;
        _lastTick = now;
        return RecordAsync(_detection.Tick(now), CancellationToken.None);
    }

    public Task<SeriesOutlook?> OutlookAsync(string seriesId, TimeSpan horizon) =>
        Task.FromResult(_detection.Ensemble.Outlook(_agent.Tenant, seriesId, horizon));

    private async Task RecordAsync(IReadOnlyList<AnomalyChange> changes, CancellationToken ct)
    {
        foreach (var change in changes)
            await recorder.RecordAsync(change, ct);
    }

    private async Task SaveModelsAsync(CancellationToken ct)
    {
        var learnt = _detection.Ensemble.Models();
        await models.SaveAsync(_key, learnt, ct);
        LogSaved(learnt.Count, _key);
    }

    private Task MoveToOwner(CancellationToken ct)
    {
        var active = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        if (active.Count > 0 && !SpreadPlacement.Owner(this.GetGrainId().ToString(), active).Equals(silo.SiloAddress))
            this.MigrateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Fitting reads history for minutes at worst, so it runs beside the grain rather than in its turn: deliveries keep
    /// being judged meanwhile, and the ensemble takes a fitted detector only when it is not behind (<see cref="EnsembleWatch.Adopt"/>).
    /// </summary>
    private Task StartFitting(CancellationToken ct)
    {
        if (_fitting.IsCompleted)
            _fitting = Task.Run(() => _fitter.FitAsync(_agent.Tenant, _stopping.Token), _stopping.Token);
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Information, "Detection of {Agent} active on {Silo}: {Models} detector models, {Open} open anomalies taken back")]
    private partial void LogActivated(string agent, string silo, int models, int open);

    [LoggerMessage(LogLevel.Information, "Detection of {Agent} leaves {Silo}: {Reason}")]
    private partial void LogLeaving(string agent, string silo, string reason);

    [LoggerMessage(LogLevel.Debug, "Saved {Count} detector models of {Agent}")]
    private partial void LogSaved(int count, string agent);
}
