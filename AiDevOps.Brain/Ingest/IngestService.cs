using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Ingest;

/// <summary>
/// Takes a validated delivery: stores it (durable before the caller hears yes), hands the samples to the agent's
/// detection (<see cref="IAgentDetectionGrain"/>, on whichever Brain it is active) and notes the delivery. Only then
/// does the agent hear yes: a Brain that dies midway leaves the delivery to the agent's retry, and a retry the ledger
/// recognises is not stored again but judged again (detectors skip samples they have seen). Also takes an agent's
/// goodbye at a planned shutdown.
/// </summary>
public sealed class IngestService(
    ISampleStore store,
    BatchLedger batches,
    AgentRegistry agents,
    IGrainFactory grains,
    TimeProvider clock)
{
    public const string TelemetryName = "AiDevOps.Brain.Ingest";
    private static readonly ActivitySource Activities = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> Samples = Meter.CreateCounter<long>(
        "aidevops.brain.ingest.samples", description: "Samples stored from agents.");
    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>(
        "aidevops.brain.ingest.duplicate_batches", description: "Retried deliveries recognised by batch id and not stored again.");

    public async Task<IngestResponse> IngestAsync(AgentIdentity agent, IngestRequest request, string? batchId, AgentReport report, CancellationToken ct)
    {
        using var activity = Activities.StartActivity("ingest");
        activity?.SetTag("aidevops.agent", agent.AgentId);
        var batch = BySeries(agent.Tenant, request.Series);
        var sampleCount = batch.Sum(b => b.Samples.Count);
        var detection = grains.GetGrain<IAgentDetectionGrain>(DetectionKeys.Of(agent));
        if (batchId is not null && await batches.ContainsAsync(agent.Tenant, batchId, ct))
        {
            Duplicates.Add(1, new KeyValuePair<string, object?>("agent", agent.AgentId));
            await JudgeAsync(detection, batch, clock.GetUtcNow());
            return new IngestResponse(batch.Count, sampleCount, Duplicate: true);
        }

        // Accepted: from here the delivery is written whole even if the caller goes away (an agent's timeout, a
        // writer stopping). A write cut off midway leaves part of it stored and its batch id unrecorded, and an
        // aborted upload kills the local DynamoDB stand-in (dynalite rethrows the socket error).
        var whole = CancellationToken.None;
        await store.AppendAsync(batch, whole);
        if (batchId is not null)
            await batches.RecordAsync(agent.Tenant, batchId, whole);
        var receivedAt = clock.GetUtcNow();
        var usualGap = await JudgeAsync(detection, batch, receivedAt);
        await agents.RecordDeliveryAsync(agent, receivedAt, sampleCount, usualGap, report, whole);
        Samples.Add(sampleCount, new KeyValuePair<string, object?>("agent", agent.AgentId));
        activity?.SetTag("aidevops.samples", sampleCount);
        return new IngestResponse(batch.Count, sampleCount);
    }

    /// <summary>The agent's detection judges the delivery, told the labels of the series it does not know yet.</summary>
    private static async Task<TimeSpan?> JudgeAsync(
        IAgentDetectionGrain detection, List<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch, DateTimeOffset receivedAt)
    {
        var delivery = DeliveredBatch.Of(batch, receivedAt);
        var judgement = await detection.ObserveAsync(delivery);
        if (!judgement.Judged)
            judgement = await detection.ObserveAsync(delivery.WithLabels(batch, judgement.UnknownSeries));
        return judgement.Judged ? judgement.UsualGap : throw new InvalidOperationException("The agent's detection did not take the series it was told about.");
    }

    /// <summary>
    /// The delivery's samples by series, in the store's order (<see cref="SeriesBatch"/>); a series sent twice gets
    /// its samples joined. Copies no samples for the usual delivery, where each series appears once.
    /// </summary>
    private static List<(Series Series, IReadOnlyList<SamplePoint> Samples)> BySeries(string tenant, IReadOnlyList<SeriesSamples> delivered)
    {
        var batch = new List<(Series Series, IReadOnlyList<SamplePoint> Samples)>(delivered.Count);
        foreach (var one in delivered)
            batch.Add((Series.Of(tenant, one.Labels), one.Samples));
        SeriesBatch.Order(batch);
        return batch;
    }

    /// <summary>The agent is shutting down on purpose: its silence from now on is not an outage, until it delivers again.</summary>
    public async Task DepartAsync(AgentIdentity agent, CancellationToken ct)
    {
        var at = clock.GetUtcNow();
        await grains.GetGrain<IAgentDetectionGrain>(DetectionKeys.Of(agent)).DepartAsync(at);
        await agents.RecordDepartureAsync(agent, at, ct);
    }
}
