using System.Text.Json;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Anomalies;

public sealed class AnomalyStore(IKeyValueTable table, IOptions<StorageOptions> options) : IDisposable
{
    private readonly string _table = options.Value.DataTable;

    // The recorder resolves and the dispatcher adds summaries, each reading the item and writing it back: one at a
    // time, or a summary written back from before a resolve would reopen the anomaly (it did, when a resolve and a
    // summary that had timed out met in the same moment). Within one Brain; several Brains need conditional writes.
    private readonly SemaphoreSlim _updates = new(1, 1);

    public void Dispose() => _updates.Dispose();

    public Task SaveAsync(Anomaly anomaly, CancellationToken ct) => table.PutAsync(_table, [ToItem(anomaly)], ct);

    /// <summary>Marks a stored anomaly resolved, keeping what else was written to it (its summary).</summary>
    public Task ResolveAsync(Anomaly anomaly, CancellationToken ct) =>
        UpdateAsync(anomaly, stored => stored with { ResolvedAt = anomaly.ResolvedAt ?? anomaly.OpenedAt }, ct);

    /// <summary>
    /// Adds the summary to a stored anomaly and keeps the rest as stored: the summary can take seconds, and an
    /// anomaly that resolved meanwhile must stay resolved.
    /// </summary>
    public Task SetSummaryAsync(Anomaly anomaly, CancellationToken ct) =>
        UpdateAsync(anomaly, stored => stored with { Summary = anomaly.Summary, SummarySource = anomaly.SummarySource }, ct);

    /// <summary>Changes one part of the anomaly as stored (or of <paramref name="anomaly"/> when none is), so two writers each keep the other's part.</summary>
    private async Task UpdateAsync(Anomaly anomaly, Func<Anomaly, Anomaly> change, CancellationToken ct)
    {
        await _updates.WaitAsync(ct);
        try
        {
            var stored = await table.GetAsync(_table, DataKeys.Anomalies(anomaly.Series.Tenant), anomaly.Id, ct);
            await SaveAsync(change(stored is null ? anomaly : ToAnomaly(anomaly.Series.Tenant, stored)), ct);
        }
        finally
        {
            _updates.Release();
        }
    }

    public async Task<Anomaly?> GetAsync(string tenant, string id, CancellationToken ct) =>
        await table.GetAsync(_table, DataKeys.Anomalies(tenant), id, ct) is { } item ? ToAnomaly(tenant, item) : null;

    /// <summary>A tenant's anomalies, newest first (ids sort by opening time).</summary>
    public async Task<IReadOnlyList<Anomaly>> ListAsync(string tenant, bool? open, int limit, CancellationToken ct)
    {
        var anomalies = new List<Anomaly>();
        await foreach (var item in table.QueryAsync(_table, DataKeys.Anomalies(tenant), null, null, ct))
        {
            var anomaly = ToAnomaly(tenant, item);
            if (open is not { } wanted || anomaly.IsOpen == wanted)
                anomalies.Add(anomaly);
        }
        anomalies.Reverse();
        return anomalies.Take(limit).ToList();
    }

    private static StoredItem ToItem(Anomaly anomaly)
    {
        var attributes = new Dictionary<string, string>
        {
            ["labels"] = JsonSerializer.Serialize(anomaly.Series.Labels),
            ["kind"] = anomaly.Kind,
            ["detector"] = anomaly.Detector,
            ["score"] = DataKeys.Value(anomaly.Score),
            ["openedAt"] = DataKeys.Instant(anomaly.OpenedAt),
        };
        if (anomaly.ResolvedAt is { } resolvedAt)
            attributes["resolvedAt"] = DataKeys.Instant(resolvedAt);
        if (anomaly.Summary is not null)
            attributes["summary"] = anomaly.Summary;
        if (anomaly.SummarySource is not null)
            attributes["summarySource"] = anomaly.SummarySource;
        if (anomaly.Evidence is not null)
            attributes["evidence"] = anomaly.Evidence;
        if (anomaly.Expected is { } expected)
            attributes["expected"] = DataKeys.Value(expected);
        if (anomaly.ExhaustionAt is { } exhaustion)
            attributes["exhaustionAt"] = DataKeys.Instant(exhaustion);
        if (anomaly.Agent is not null)
            attributes["agent"] = anomaly.Agent;
        return new StoredItem(DataKeys.Anomalies(anomaly.Series.Tenant), anomaly.Id) { Attributes = attributes };
    }

    private static Anomaly ToAnomaly(string tenant, StoredItem item)
    {
        var a = item.Attributes;
        return new Anomaly(
            item.Sort,
            Series.Of(tenant, JsonSerializer.Deserialize<Dictionary<string, string>>(a["labels"])!),
            a["kind"],
            a["detector"],
            DataKeys.ParseValue(a["score"]),
            DataKeys.ParseInstant(a["openedAt"]),
            a.TryGetValue("resolvedAt", out var resolved) ? DataKeys.ParseInstant(resolved) : null,
            a.GetValueOrDefault("summary"),
            a.GetValueOrDefault("summarySource"),
            a.GetValueOrDefault("evidence"),
            a.TryGetValue("expected", out var expected) ? DataKeys.ParseValue(expected) : null,
            a.TryGetValue("exhaustionAt", out var exhaustion) ? DataKeys.ParseInstant(exhaustion) : null,
            a.GetValueOrDefault("agent"));
    }
}
