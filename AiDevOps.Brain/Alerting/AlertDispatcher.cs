using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Storage;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// The alert pipeline, one anomaly change at a time, in order: inhibit (a down target holds back its host's other
/// anomalies) → silence → route → group into incidents (<see cref="IncidentBook"/>: the first of a group is sent at
/// once, later ones edit its message) → the incident stored, then one entry per receiver in the durable outbox,
/// handed to <see cref="NotificationDelivery"/>. A new incident waits only for its explanation from Insights (one time
/// budget, evidence gathered by <see cref="IncidentEvidence"/>; it goes out without one), and a model's explanation
/// that comes later edits its messages. Incidents still open are sent again after their repeat interval; people can
/// acknowledge or silence them (API, Telegram buttons), which goes through the same gate, so the book sees every
/// change in one order. A Brain's dispatcher serves the tenants whose alerting grain is active on it
/// (<see cref="TenantAlertingGrain"/>): it takes a tenant over from storage when the grain activates.
/// </summary>
public sealed partial class AlertDispatcher(
    IEnumerable<INotifier> notifiers,
    AlertConfigStore receivers,
    AnomalyStore anomalies,
    IncidentBook book,
    IncidentStore incidents,
    IncidentEvidence evidence,
    InsightsClient insights,
    NotificationOutbox outbox,
    SilenceStore silences,
    Inhibition inhibition,
    TableInitializer tables,
    NotificationDelivery delivery,
    IOptions<AlertingOptions> options,
    TimeProvider clock,
    ILogger<AlertDispatcher> logger) : BackgroundService
{
    public const string TelemetryName = "AiDevOps.Brain.Alerting";
    private static readonly ActivitySource Activities = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> Silenced = Meter.CreateCounter<long>(
        "aidevops.brain.notifications.silenced", description: "Notifications held back by a silence or maintenance window.");
    private static readonly Counter<long> IncidentChanges = Meter.CreateCounter<long>(
        "aidevops.brain.incidents", description: "Incident changes sent, by kind (opened, updated, escalated, reopened, repeated, acknowledged, resolved).");

    private readonly HashSet<string> _channels = notifiers.Select(n => n.Channel).ToHashSet(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<string> _later = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<AnomalyChange> _changes = Channel.CreateUnbounded<AnomalyChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _served = new(StringComparer.Ordinal);

    /// <summary>Whether this Brain runs the tenant's alerting now: what must happen once per tenant (its digest) happens here.</summary>
    public bool Serves(string tenant) => _served.ContainsKey(tenant);

    /// <summary>Incidents waiting in <see cref="_later"/>: an incident that grows by 50 members is explained again once, not 50 times.</summary>
    private readonly ConcurrentDictionary<string, byte> _waitingForExplanation = new(StringComparer.Ordinal);

    /// <summary>The room an explanation has in the tightest channel, Telegram's message.</summary>
    private const int MaxSummaryCharacters = 900;

    /// <summary>How often open incidents are checked for their repeat interval.</summary>
    private static readonly TimeSpan RepeatCheck = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(DispatchAllAsync(stoppingToken), RepeatAsync(stoppingToken), ExplainLaterAsync(stoppingToken));

    /// <summary>
    /// Takes a tenant's alerting over: its open incidents, its down targets and the notifications still pending in
    /// its outbox, as the previous owner (this Brain before a restart, or one that died) left them. Then it makes the
    /// incidents agree with the stored anomalies, which are written before they are dispatched: an open anomaly no
    /// incident ever held, and a resolved one an open incident still holds as firing, are dispatched again, so a
    /// change the previous owner took but never got to is not lost (one that was held back is held back again).
    /// </summary>
    public async Task TakeOverAsync(string tenant, CancellationToken ct)
    {
        await tables.Ready.WaitAsync(ct);
        var open = await anomalies.ListAsync(tenant, open: true, limit: 100_000, ct);
        var known = await incidents.ListAsync(tenant, open: null, limit: 100_000, ct);
        await GatedAsync(() =>
        {
            inhibition.Restore(tenant, open);
            book.Restore(tenant, known.Where(i => i.IsOpen));
            return Task.FromResult(true);
        }, ct);
        await delivery.ResumeAsync(tenant, ct);

        var held = known.SelectMany(i => i.Members).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var missed = open.Where(a => !held.Contains(a.Id)).OrderBy(a => a.OpenedAt).Select(a => (AnomalyChange)new AnomalyOpened(a)).ToList();
        var stillOpen = open.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var member in known.Where(i => i.IsOpen).SelectMany(i => i.Firing).Where(m => !stillOpen.Contains(m.Id)).DistinctBy(m => m.Id))
        {
            if (await anomalies.GetAsync(tenant, member.Id, ct) is { IsOpen: false } resolved)
                missed.Add(new AnomalyResolved(resolved));
        }
        foreach (var change in missed)
            Dispatch(change);
        _served[tenant] = 0;
        LogTakenOver(tenant, missed.Count);
    }

    /// <summary>Lets a tenant go: its alerting is leaving this Brain.</summary>
    public void Release(string tenant)
    {
        _served.TryRemove(tenant, out _);
        book.Release(tenant);
        inhibition.Release(tenant);
    }

    /// <summary>
    /// Queues an anomaly change for the pipeline, after every change before it. The change is stored already: should
    /// this Brain die before it is dispatched, the next owner's <see cref="TakeOverAsync"/> dispatches it.
    /// </summary>
    public void Dispatch(AnomalyChange change) => _changes.Writer.TryWrite(change);

    private async Task DispatchAllAsync(CancellationToken ct)
    {
        await foreach (var change in _changes.Reader.ReadAllAsync(ct))
        {
            try
            {
                await GatedAsync(() => DispatchOneAsync(change, ct), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogDispatchFailed(e, change.Anomaly.Id);
            }
        }
    }

    /// <summary>Someone takes an open incident of their tenant: repeats stop and its messages say who. Null when no such open incident.</summary>
    public Task<Incident?> AcknowledgeAsync(string tenant, string incidentId, string by, CancellationToken ct) =>
        ChangeAsync(tenant, incidentId, now => book.Acknowledge(incidentId, by, now), ct);

    /// <summary>Someone closes an open incident of their tenant by hand. Null when no such open incident.</summary>
    public Task<Incident?> ResolveAsync(string tenant, string incidentId, string by, CancellationToken ct) =>
        ChangeAsync(tenant, incidentId, now => book.Close(incidentId, by, now), ct);

    /// <summary>A person's change to an incident of their tenant, published as its notifications; null when it changed nothing.</summary>
    private Task<Incident?> ChangeAsync(string tenant, string incidentId, Func<DateTimeOffset, IncidentUpdate?> change, CancellationToken ct) =>
        GatedAsync(async () =>
        {
            if (book.Find(incidentId) is not { Tenant: var owner } || owner != tenant || change(clock.GetUtcNow()) is not { } update)
                return null;
            await PublishAsync(update, ct);
            return update.Incident;
        }, ct);

    /// <summary>
    /// Someone silences an open incident of their tenant for <paramref name="duration"/>: a silence on its group's
    /// labels, and its messages say so. Null when no such open incident.
    /// </summary>
    public Task<(Incident Incident, Silence Silence)?> SilenceAsync(string tenant, string incidentId, TimeSpan duration, string by, CancellationToken ct) =>
        GatedAsync<(Incident, Silence)?>(async () =>
        {
            var now = clock.GetUtcNow();
            if (book.Find(incidentId) is not { Tenant: var owner } found || owner != tenant)
                return null;
            if (book.Silence(incidentId, by, now + duration, now) is not { } update)
                return null;
            var silence = new Silence(Guid.NewGuid().ToString("N")[..12], found.Selector, now, now + duration, by, $"Silenced from incident {incidentId}: {found.Title}");
            await silences.PutAsync(tenant, silence, ct);
            await PublishAsync(update, ct);
            return (update.Incident, silence);
        }, ct);

    private async Task RepeatAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(RepeatCheck, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await GatedAsync(async () =>
                {
                    foreach (var update in book.DueForRepeat(clock.GetUtcNow()))
                        await PublishAsync(update, ct);
                    return true;
                }, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: what is due is sent again after the restart.
        }
    }

    private async Task<T> GatedAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await work();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> DispatchOneAsync(AnomalyChange change, CancellationToken ct)
    {
        using var activity = Activities.StartActivity("dispatch " + change.GetType().Name);
        var anomaly = change.Anomaly;
        if (inhibition.Inhibits(change))
        {
            LogInhibited(anomaly.Series.Selector());
            return false;
        }
        var tenant = anomaly.Series.Tenant;
        var now = clock.GetUtcNow();
        if ((await silences.ListAsync(tenant, ct)).FirstOrDefault(s => s.IsActiveAt(now) && s.Matches(anomaly.Series.Labels)) is { } silence)
        {
            Silenced.Add(1);
            LogSilenced(anomaly.Series.Selector(), silence.Id, silence.CreatedBy);
            return false;
        }

        var routes = Routing.Match(anomaly.Series.Labels, await receivers.ListRoutesAsync(tenant, ct), await receivers.ListReceiversAsync(tenant, ct));
        var updates = new List<IncidentUpdate>();
        foreach (var match in routes)
        {
            var served = match.Receivers.Where(r => _channels.Contains(r.Channel)).Select(r => r.Id).ToList();
            if (served.Count == 0)
            {
                LogRecordedOnly(anomaly.Series.Selector(), match.Route.Id, match.Receivers.Count);
                continue;
            }
            if (book.Apply(change, match.Route, served, now) is { } update)
                updates.Add(update);
        }
        if (routes.Count == 0)
            LogRecordedOnly(anomaly.Series.Selector(), "none matched", 0);

        // Only news waits for an explanation (one budget): an edit for the 50th member does not ask Insights 50 times.
        updates = [.. await Task.WhenAll(updates.Select(u => u.Kind is NotificationKind.Updated or NotificationKind.Resolved ? Task.FromResult(u) : ExplainNowAsync(u, ct)))];
        if (updates.FirstOrDefault(u => u.Incident.Members.Any(m => m.Id == anomaly.Id)) is { Incident.Summary: { } summary, Incident.SummarySource: var source })
            await anomalies.SetSummaryAsync(anomaly with { Summary = summary, SummarySource = source }, ct);
        foreach (var update in updates)
        {
            await PublishAsync(update, ct);
            // A grown incident gets a follow-up explanation of what it is now.
            if (update.Kind == NotificationKind.Updated)
                ExplainLater(update.Incident.Id);
        }
        return true;
    }

    private void ExplainLater(string incidentId)
    {
        if (_waitingForExplanation.TryAdd(incidentId, 0))
            _later.Writer.TryWrite(incidentId);
    }

    /// <summary>Stored before the first attempt: from here on a stop or a slow channel cannot lose it.</summary>
    private async Task PublishAsync(IncidentUpdate update, CancellationToken ct)
    {
        if (update.Kind == NotificationKind.Resolved)
            ExplainLater(update.Incident.Id);
        await incidents.PutAsync(update.Incident, ct);
        var now = clock.GetUtcNow();
        var entries = update.Incident.ReceiverIds.Select(id => OutboxEntry.For(id, update, now)).ToList();
        await outbox.AddAsync(entries, ct);
        await delivery.EnqueueAsync(entries, ct);
        IncidentChanges.Add(1, new KeyValuePair<string, object?>("kind", update.Kind.ToString().ToLowerInvariant()));
    }

    /// <summary>
    /// The explanation within <c>Alerting:SummaryTimeout</c>, all of it: what gathering the evidence leaves of it goes
    /// to Insights as its budget, so Insights answers in time (its deterministic summary when the model is slower).
    /// A deterministic answer is explained again later, with more time, and a model's answer then edits the messages.
    /// </summary>
    private async Task<IncidentUpdate> ExplainNowAsync(IncidentUpdate update, CancellationToken ct)
    {
        var answer = await ExplainAsync(update.Incident, options.Value.SummaryTimeout, ct);
        if (answer?.Source != SummarySources.Model)
            ExplainLater(update.Incident.Id);
        return answer is not null && book.Explain(update.Incident.Id, answer.Summary, answer.Source) is { } explained
            ? update with { Incident = explained.Incident }
            : update;
    }

    private async Task<InsightSummary?> ExplainAsync(Incident incident, TimeSpan budget, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(budget);
        try
        {
            var facts = await evidence.GatherAsync(incident, budget, MaxSummaryCharacters, timeout.Token);
            var left = budget - Stopwatch.GetElapsedTime(started);
            return await insights.ExplainAsync(facts with { BudgetMilliseconds = (int)Math.Clamp(left.TotalMilliseconds, 1, 120_000) }, timeout.Token);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogNoSummary(incident.Id, $"{e.GetType().Name}: {e.Message}", budget);
            return null;
        }
    }

    /// <summary>
    /// Explains again, with <c>Alerting:ExplanationTimeout</c>, the incidents whose first explanation was not the
    /// model's (and every resolved incident: what it was, how long); a new answer edits the incident's messages.
    /// </summary>
    private async Task ExplainLaterAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var id in _later.Reader.ReadAllAsync(ct))
            {
                // Taken off before the explanation: what changes while it runs asks for another.
                _waitingForExplanation.TryRemove(id, out _);
                if (book.Find(id) is not { } incident)
                    continue;
                if (await ExplainAsync(incident, options.Value.ExplanationTimeout, ct) is not { } answer)
                    continue;
                await GatedAsync(async () =>
                {
                    if (book.Explain(id, answer.Summary, answer.Source) is { } explained)
                        await PublishAsync(explained, ct);
                    return true;
                }, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: an explanation not written yet is not a notification lost.
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "Anomaly on {Series} is held back: its target is down")]
    private partial void LogInhibited(string series);

    [LoggerMessage(LogLevel.Information, "Anomaly on {Series} is silenced by {SilenceId} ({CreatedBy})")]
    private partial void LogSilenced(string series, string silenceId, string createdBy);

    [LoggerMessage(LogLevel.Warning, "Anomaly on {Series} is recorded only: route {Route} has no receiver with a configured channel ({Receivers} receivers). See GET /api/anomalies.")]
    private partial void LogRecordedOnly(string series, string route, int receivers);

    [LoggerMessage(LogLevel.Warning, "Incident {IncidentId} has no explanation yet ({Reason}; limit {Timeout})")]
    private partial void LogNoSummary(string incidentId, string reason, TimeSpan timeout);

    [LoggerMessage(LogLevel.Information, "Alerting of tenant {Tenant} runs on this Brain; {Missed} stored anomaly changes dispatched again")]
    private partial void LogTakenOver(string tenant, int missed);

    [LoggerMessage(LogLevel.Error, "Could not dispatch anomaly {AnomalyId}")]
    private partial void LogDispatchFailed(Exception e, string anomalyId);
}
