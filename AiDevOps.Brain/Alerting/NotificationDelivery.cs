using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Storage;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using Polly;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// Sends what the outbox holds: one queue per receiver, in the order the changes happened, so a resolve never
/// overtakes its firing and a receiver that is slow or rate-limited holds up only itself. A failure worth retrying is
/// retried until it goes through (a rate limit's <c>retry_after</c> exactly, anything else with <see cref="Backoff"/>):
/// a channel that is only slow never loses a notification. A permanent failure is dead-lettered (kept, counted,
/// listed by <c>GET /api/notifications</c>). When a Brain takes a tenant's alerting over (<see cref="ResumeAsync"/>),
/// what the previous owner left pending is queued first. An edit
/// that a newer notification of the same incident to the same receiver makes needless is not sent (superseded), so
/// a rate-limited chat gets the incident's latest state, not every state it went through. The channel's reference
/// to an incident's message is kept (in memory and beside the incident), so every later change edits that message.
/// </summary>
public sealed partial class NotificationDelivery(
    NotificationOutbox outbox,
    IncidentStore incidents,
    IEnumerable<INotifier> notifiers,
    AlertConfigStore receivers,
    TableInitializer tables,
    TimeProvider clock,
    ILogger<NotificationDelivery> logger) : BackgroundService
{
    private static readonly Meter Meter = new(AlertDispatcher.TelemetryName);
    private static readonly Counter<long> Outcomes = Meter.CreateCounter<long>(
        "aidevops.brain.notifications", description: "Notifications by channel and outcome (delivered, retried, dead_lettered).");

    private readonly Dictionary<string, INotifier> _notifiers = notifiers.ToDictionary(n => n.Channel, StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Tenant, string ReceiverId), Channel<OutboxEntry>> _queues = new();
    private readonly ConcurrentDictionary<string, byte> _queued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Tenant, string ReceiverId, string IncidentId), string> _newest = new();
    private readonly ConcurrentDictionary<(string Tenant, string ReceiverId, string IncidentId), string> _messageRefs = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _workers = [];
    private CancellationToken _stopping;

    /// <summary>Queues entries already in the outbox.</summary>
    public async Task EnqueueAsync(IEnumerable<OutboxEntry> entries, CancellationToken ct)
    {
        await _started.Task.WaitAsync(ct);
        foreach (var entry in entries)
            Enqueue(entry);
    }

    /// <summary>Queues what a tenant's outbox holds pending: left by this Brain before a restart, or by one that died.</summary>
    public async Task ResumeAsync(string tenant, CancellationToken ct)
    {
        await _started.Task.WaitAsync(ct);
        var resumed = 0;
        foreach (var entry in await outbox.ListAsync(tenant, OutboxState.Pending, ct))
        {
            Enqueue(entry);
            resumed++;
        }
        if (resumed > 0)
            LogResumed(resumed, tenant);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        await tables.Ready.WaitAsync(stoppingToken);
        _started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        finally
        {
            foreach (var queue in _queues.Values)
                queue.Writer.TryComplete();
            await Task.WhenAll(_workers).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void Enqueue(OutboxEntry entry)
    {
        // The same entry may arrive twice at start: stored by the dispatcher while the pending ones were being read.
        if (!_queued.TryAdd(entry.Tenant + "|" + entry.Id, 0))
            return;
        _newest[ThreadOf(entry)] = entry.Id;
        var queue = _queues.GetOrAdd((entry.Tenant, entry.ReceiverId), _ =>
        {
            var created = Channel.CreateUnbounded<OutboxEntry>(new UnboundedChannelOptions { SingleReader = true });
            lock (_workers)
                _workers.Add(Task.Run(() => DeliverAllAsync(created.Reader)));
            return created;
        });
        queue.Writer.TryWrite(entry);
    }

    private async Task DeliverAllAsync(ChannelReader<OutboxEntry> queue)
    {
        try
        {
            await foreach (var entry in queue.ReadAllAsync(_stopping))
            {
                try
                {
                    if (IsSuperseded(entry))
                        await outbox.UpdateAsync(entry with { State = OutboxState.Superseded }, _stopping);
                    else
                        await DeliverAsync(entry, _stopping);
                }
                catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
                {
                    // Left pending in the outbox: the next start sends it.
                    LogDeliveryFailed(e, entry.Id);
                }
                _queued.TryRemove(entry.Tenant + "|" + entry.Id, out _);
                _newest.TryRemove(KeyValuePair.Create(ThreadOf(entry), entry.Id));
                if (entry.Kind == NotificationKind.Resolved)
                    _messageRefs.TryRemove(ThreadOf(entry), out _);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Whatever is still pending stays in the outbox for the next start.
        }
    }

    private static (string, string, string) ThreadOf(OutboxEntry entry) => (entry.Tenant, entry.ReceiverId, entry.Incident.Id);

    /// <summary>An edit with a newer notification of its incident queued behind it: the newer one shows all it would.</summary>
    private bool IsSuperseded(OutboxEntry entry) =>
        entry.Kind is NotificationKind.Updated or NotificationKind.Acknowledged
        && _newest.TryGetValue(ThreadOf(entry), out var newest) && newest != entry.Id;

    private async Task<string?> MessageRefAsync(OutboxEntry entry, CancellationToken ct)
    {
        if (_messageRefs.TryGetValue(ThreadOf(entry), out var known))
            return known;
        var stored = await incidents.GetMessageRefAsync(entry.Tenant, entry.Incident.Id, entry.ReceiverId, ct);
        if (stored is not null)
            _messageRefs[ThreadOf(entry)] = stored;
        return stored;
    }

    private async Task DeliverAsync(OutboxEntry entry, CancellationToken ct)
    {
        var receiver = await receivers.FindReceiverAsync(entry.Tenant, entry.ReceiverId, ct);
        if (receiver is null || !_notifiers.TryGetValue(receiver.Channel, out var notifier))
        {
            await FinishAsync(entry, receiver?.Channel ?? "unknown", NotifyResult.Fail("The receiver was deleted or its channel is no longer served."), ct);
            return;
        }

        var messageRef = await MessageRefAsync(entry, ct);
        var notification = entry.Notification(messageRef);
        var attempts = entry.Attempts;
        var untilSent = Backoff.Retry<NotifyResult>(
            outcome => outcome.Result is { Delivered: false, Retryable: true },
            first: TimeSpan.FromSeconds(1), max: TimeSpan.FromMinutes(5),
            requestedDelay: outcome => outcome.Result?.RetryAfter,
            onRetry: async args =>
            {
                Outcomes.Add(1, new("channel", notifier.Channel), new("outcome", "retried"));
                LogRetrying(notifier.Channel, entry.Incident.Id, args.Outcome.Result!.Error, args.RetryDelay);
                await outbox.UpdateAsync(entry with { Attempts = attempts, LastError = args.Outcome.Result.Error }, CancellationToken.None);
            },
            time: clock);
        var result = await untilSent.ExecuteAsync(async token =>
        {
            attempts++;
            try
            {
                return await notifier.NotifyAsync(receiver, notification, token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                return NotifyResult.Retry(e.GetType().Name + ": " + e.Message);
            }
        }, ct);
        if (result.MessageRef is { } sent && sent != messageRef)
        {
            _messageRefs[ThreadOf(entry)] = sent;
            await incidents.SetMessageRefAsync(entry.Tenant, entry.Incident.Id, entry.ReceiverId, sent, ct);
        }
        await FinishAsync(entry with { Attempts = attempts }, notifier.Channel, result, ct);
    }

    private async Task FinishAsync(OutboxEntry entry, string channel, NotifyResult result, CancellationToken ct)
    {
        var finished = result.Delivered
            ? entry with { State = OutboxState.Delivered, LastError = null }
            : entry with { State = OutboxState.DeadLettered, LastError = result.Error };
        await outbox.UpdateAsync(finished, ct);
        Outcomes.Add(1, new("channel", channel), new("outcome", result.Delivered ? "delivered" : "dead_lettered"));
        if (result.Delivered)
            LogDelivered(entry.Kind, entry.Incident.Id, channel, entry.Attempts);
        else
            LogDeadLettered(entry.Kind, entry.Incident.Id, channel, result.Error);
    }

    [LoggerMessage(LogLevel.Information, "Incident {IncidentId} {Kind} delivered via {Channel} (attempt {Attempts})")]
    private partial void LogDelivered(NotificationKind kind, string incidentId, string channel, int attempts);

    [LoggerMessage(LogLevel.Warning, "Incident {IncidentId} via {Channel} not delivered yet ({Error}); trying again in {Delay}")]
    private partial void LogRetrying(string channel, string incidentId, string? error, TimeSpan delay);

    [LoggerMessage(LogLevel.Error, "Incident {IncidentId} {Kind} via {Channel} refused for good and dead-lettered: {Error}")]
    private partial void LogDeadLettered(NotificationKind kind, string incidentId, string channel, string? error);

    [LoggerMessage(LogLevel.Information, "Resumed {Count} pending notifications of tenant {Tenant}")]
    private partial void LogResumed(int count, string tenant);

    [LoggerMessage(LogLevel.Error, "Could not deliver notification {Id}; it stays pending for the next start")]
    private partial void LogDeliveryFailed(Exception e, string id);
}
