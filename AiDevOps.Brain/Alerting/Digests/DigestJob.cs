using System.Diagnostics.Metrics;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;
using Quartz;

namespace AiDevOps.Brain.Alerting.Digests;

/// <summary>
/// Posts a tenant's digest of the past 24 hours to every receiver of the tenant whose channel takes digests. A
/// digest is not a page: it goes out silently, is tried a few times, and is not kept in the outbox.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class DigestJob(
    IncidentStore incidents,
    AnomalyStore anomalies,
    SilenceStore silences,
    AlertConfigStore receivers,
    IEnumerable<INotifier> notifiers,
    AlertDispatcher dispatcher,
    TimeProvider clock,
    ILogger<DigestJob> logger) : IJob
{
    public const string TenantKey = "tenant";
    private static readonly Meter Meter = new(AlertDispatcher.TelemetryName);
    private static readonly Counter<long> Sent = Meter.CreateCounter<long>("aidevops.brain.digests", description: "Daily digests by outcome.");

    public static JobKey KeyFor(string tenant) => new("digest-" + tenant, "alerting");

    /// <summary>Every Brain schedules every tenant's digest; the Brain running the tenant's alerting sends it, once.</summary>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var tenant = context.MergedJobDataMap.GetString(TenantKey)!;
        if (dispatcher.Serves(tenant))
            await SendAsync(tenant, cancellationToken);
    }

    public async Task<Digest> SendAsync(string tenant, CancellationToken ct)
    {
        var until = clock.GetUtcNow();
        var digest = Digest.Of(tenant, until.AddDays(-1), until,
            await incidents.ListAsync(tenant, open: null, limit: 10_000, ct),
            await anomalies.ListAsync(tenant, open: null, limit: 10_000, ct),
            await silences.ListAsync(tenant, ct));
        var channels = notifiers.ToDictionary(n => n.Channel, StringComparer.OrdinalIgnoreCase);
        var tries = Backoff.Retry<NotifyResult>(o => o.Result is { Delivered: false, Retryable: true }, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30),
            maxRetries: 3, requestedDelay: o => o.Result?.RetryAfter, time: clock);
        foreach (var receiver in await receivers.ListReceiversAsync(tenant, ct))
        {
            if (!channels.TryGetValue(receiver.Channel, out var notifier))
                continue;
            if (await notifier.SendDigestAsync(receiver, digest, ct) is not { } first)
                continue;
            var result = first.Delivered || !first.Retryable
                ? first
                : await tries.ExecuteAsync(async token => await notifier.SendDigestAsync(receiver, digest, token) ?? first, ct);
            Sent.Add(1, new KeyValuePair<string, object?>("outcome", result.Delivered ? "delivered" : "failed"));
            if (!result.Delivered)
                LogNotSent(tenant, receiver.Channel, result.Error);
        }
        return digest;
    }

    [LoggerMessage(LogLevel.Warning, "The daily digest of {Tenant} did not reach a {Channel} receiver: {Error}")]
    private partial void LogNotSent(string tenant, string channel, string? error);
}
