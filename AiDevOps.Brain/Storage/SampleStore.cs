using System.Collections.Concurrent;
using AiDevOps.Contracts;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

/// <summary>Samples and the series index in the <c>-data</c> table.</summary>
public sealed class SampleStore(IAmazonDynamoDB dynamo, BatchWriter writer, IOptions<StorageOptions> options)
{
    private const string ValueAttribute = "v";
    private const string LabelsAttribute = "labels";
    private readonly string _table = options.Value.DataTable;

    // Series already in the index; a restart only costs one idempotent rewrite per series.
    private readonly ConcurrentDictionary<(string Tenant, string Id), byte> _indexed = new();

    /// <summary>Stores the samples and indexes new series; returns once every item is durable.</summary>
    public async Task AppendAsync(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        var newSeries = batch.Select(b => b.Series).DistinctBy(s => s.Id)
            .Where(s => !_indexed.ContainsKey((s.Tenant, s.Id))).ToList();
        foreach (var series in newSeries)
        {
            items.Add(new()
            {
                [DataKeys.PartitionKey] = new AttributeValue(DataKeys.SeriesByMetric(series.Tenant, series.Metric)),
                [DataKeys.SortKey] = new AttributeValue(series.Id),
                [LabelsAttribute] = new AttributeValue { M = series.Labels.ToDictionary(l => l.Key, l => new AttributeValue(l.Value)) },
            });
            items.Add(new()
            {
                [DataKeys.PartitionKey] = new AttributeValue(DataKeys.Metrics(series.Tenant)),
                [DataKeys.SortKey] = new AttributeValue(series.Metric),
            });
        }
        foreach (var (series, samples) in batch)
        {
            // One item per (series, timestamp): a repeated sample overwrites itself instead of duplicating.
            foreach (var sample in samples.DistinctBy(s => s.Timestamp))
            {
                items.Add(new()
                {
                    [DataKeys.PartitionKey] = new AttributeValue(DataKeys.Samples(series.Tenant, series.Id)),
                    [DataKeys.SortKey] = new AttributeValue(DataKeys.Time(sample.Timestamp)),
                    [ValueAttribute] = new AttributeValue(DataKeys.Value(sample.Value)),
                });
            }
        }
        // BatchWriteItem refuses two puts of one key in a call; the metric-name items repeat across series.
        items = items.DistinctBy(i => (i[DataKeys.PartitionKey].S, i[DataKeys.SortKey].S)).ToList();
        await writer.WriteAsync(_table, items, ct);
        foreach (var series in newSeries)
            _indexed.TryAdd((series.Tenant, series.Id), 0);
    }

    /// <summary>Samples of one series in [from, to], oldest first.</summary>
    public async Task<IReadOnlyList<SamplePoint>> ReadAsync(string tenant, string seriesId, long from, long to, int limit, CancellationToken ct)
    {
        var request = new QueryRequest
        {
            TableName = _table,
            KeyConditionExpression = "pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues = new()
            {
                [":pk"] = new AttributeValue(DataKeys.Samples(tenant, seriesId)),
                [":from"] = new AttributeValue(DataKeys.Time(Math.Max(0, from))),
                [":to"] = new AttributeValue(DataKeys.Time(Math.Max(0, to))),
            },
        };
        var samples = new List<SamplePoint>();
        await foreach (var item in dynamo.QueryAllAsync(request, limit, ct))
            samples.Add(ToSample(item));
        return samples;
    }

    /// <summary>The latest <paramref name="count"/> samples of one series, oldest first.</summary>
    public async Task<IReadOnlyList<SamplePoint>> LatestAsync(string tenant, string seriesId, int count, CancellationToken ct)
    {
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = _table,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue(DataKeys.Samples(tenant, seriesId)) },
            ScanIndexForward = false,
            Limit = count,
        }, ct);
        return (response.Items ?? []).Select(ToSample).Reverse().ToList();
    }

    /// <summary>Series of one metric whose labels equal every given matcher.</summary>
    public async Task<IReadOnlyList<Series>> FindSeriesAsync(
        string tenant, string metric, IReadOnlyDictionary<string, string> equalTo, int limit, CancellationToken ct)
    {
        var found = new List<Series>();
        await foreach (var item in dynamo.QueryPartitionAsync(_table, DataKeys.SeriesByMetric(tenant, metric), int.MaxValue, ct))
        {
            var labels = (item[LabelsAttribute].M ?? []).ToDictionary(l => l.Key, l => l.Value.S ?? "");
            if (equalTo.All(m => labels.TryGetValue(m.Key, out var v) ? v == m.Value : m.Value.Length == 0))
                found.Add(Series.Of(tenant, labels));
            if (found.Count >= limit)
                break;
        }
        return found;
    }

    public async Task<IReadOnlyList<string>> MetricNamesAsync(string tenant, CancellationToken ct)
    {
        var names = new List<string>();
        await foreach (var item in dynamo.QueryPartitionAsync(_table, DataKeys.Metrics(tenant), int.MaxValue, ct))
            names.Add(item[DataKeys.SortKey].S!);
        return names;
    }

    private static SamplePoint ToSample(Dictionary<string, AttributeValue> item) =>
        new(DataKeys.ParseTime(item[DataKeys.SortKey].S!), DataKeys.ParseValue(item[ValueAttribute].S!));
}
