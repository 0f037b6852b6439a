using System.Text.Json;
using AiDevOps.Storage.Query;

namespace AiDevOps.Storage;

/// <summary>
/// The series index of every tenant: one item per series under its metric (with its labels) and one per metric name,
/// both kept a day past the tenant's retention and rewritten by <see cref="RecentWrites"/> to stay alive.
/// </summary>
internal sealed class SeriesIndex(IKeyValueTable table, string tableName, RecentWrites recent)
{
    private const string LabelsAttribute = "labels";

    /// <summary>The index items a batch of a tenant needs that this process has not written lately.</summary>
    public IEnumerable<StoredItem> ItemsFor(string tenant, IEnumerable<Series> series, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var expiry = expiresAt.ToUnixTimeSeconds();
        var metrics = DataKeys.Metrics(tenant);
        var partitions = new Dictionary<string, string>(StringComparer.Ordinal); // a batch has many series of few metrics
        foreach (var one in series)
        {
            if (!partitions.TryGetValue(one.Metric, out var partition))
                partitions[one.Metric] = partition = DataKeys.SeriesByMetric(tenant, one.Metric);
            if (recent.NeedsWrite(partition, one.Id, now))
            {
                yield return new StoredItem(partition, one.Id)
                {
                    Attributes = new Dictionary<string, string> { [LabelsAttribute] = JsonSerializer.Serialize(one.Labels) },
                    ExpiresAt = expiry,
                };
            }
            if (recent.NeedsWrite(metrics, one.Metric, now))
                yield return new StoredItem(metrics, one.Metric) { ExpiresAt = expiry };
        }
    }

    public async Task<IReadOnlyList<Series>> FindAsync(string tenant, string metric, IReadOnlyList<LabelMatcher> matchers, int limit, CancellationToken ct)
    {
        var found = new List<Series>();
        await foreach (var item in table.QueryAsync(tableName, DataKeys.SeriesByMetric(tenant, metric), null, null, ct))
        {
            var labels = JsonSerializer.Deserialize<Dictionary<string, string>>(item.Attributes[LabelsAttribute])!;
            if (!matchers.All(m => m.Matches(labels)))
                continue;
            found.Add(Series.Of(tenant, labels));
            if (found.Count >= limit)
                break;
        }
        return found;
    }

    public async Task<IReadOnlyList<string>> MetricNamesAsync(string tenant, CancellationToken ct)
    {
        var names = new List<string>();
        await foreach (var item in table.QueryAsync(tableName, DataKeys.Metrics(tenant), null, null, ct))
            names.Add(item.Sort);
        return names;
    }
}
