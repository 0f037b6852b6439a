using System.Globalization;
using AiDevOps.Brain.Detection;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

public sealed class AnomalyStore(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options)
{
    private readonly string _table = options.Value.DataTable;

    public Task SaveAsync(Anomaly anomaly, CancellationToken ct)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            [DataKeys.PartitionKey] = new(DataKeys.Anomalies(anomaly.Series.Tenant)),
            [DataKeys.SortKey] = new(anomaly.Id),
            ["labels"] = new() { M = anomaly.Series.Labels.ToDictionary(l => l.Key, l => new AttributeValue(l.Value)) },
            ["kind"] = new(anomaly.Kind),
            ["detector"] = new(anomaly.Detector),
            ["score"] = new() { N = DataKeys.Value(anomaly.Score) },
            ["openedAt"] = new() { N = anomaly.OpenedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
            ["open"] = new() { BOOL = anomaly.IsOpen },
        };
        if (anomaly.ResolvedAt is { } resolvedAt)
            item["resolvedAt"] = new() { N = resolvedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) };
        if (anomaly.Summary is not null)
            item["summary"] = new(anomaly.Summary);
        if (anomaly.SummarySource is not null)
            item["summarySource"] = new(anomaly.SummarySource);
        return dynamo.PutItemAsync(new PutItemRequest { TableName = _table, Item = item }, ct);
    }

    /// <summary>Marks a stored anomaly resolved, keeping what else was written to it (its summary).</summary>
    public Task ResolveAsync(Anomaly anomaly, CancellationToken ct) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _table,
            Key = new()
            {
                [DataKeys.PartitionKey] = new(DataKeys.Anomalies(anomaly.Series.Tenant)),
                [DataKeys.SortKey] = new(anomaly.Id),
            },
            UpdateExpression = "SET #open = :open, resolvedAt = :resolvedAt",
            ExpressionAttributeNames = new() { ["#open"] = "open" },
            ExpressionAttributeValues = new()
            {
                [":open"] = new() { BOOL = false },
                [":resolvedAt"] = new() { N = (anomaly.ResolvedAt ?? anomaly.OpenedAt).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
            },
        }, ct);

    /// <summary>A tenant's anomalies, newest first.</summary>
    public async Task<IReadOnlyList<Anomaly>> ListAsync(string tenant, bool? open, int limit, CancellationToken ct)
    {
        var request = new QueryRequest
        {
            TableName = _table,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue(DataKeys.Anomalies(tenant)) },
            ScanIndexForward = false,
        };
        if (open is { } wanted)
        {
            request.FilterExpression = "#open = :open";
            request.ExpressionAttributeNames = new() { ["#open"] = "open" };
            request.ExpressionAttributeValues[":open"] = new AttributeValue { BOOL = wanted };
        }
        var anomalies = new List<Anomaly>();
        await foreach (var item in dynamo.QueryAllAsync(request, limit, ct))
            anomalies.Add(ToAnomaly(tenant, item));
        return anomalies;
    }

    private static Anomaly ToAnomaly(string tenant, Dictionary<string, AttributeValue> item)
    {
        var labels = (item["labels"].M ?? []).ToDictionary(l => l.Key, l => l.Value.S ?? "");
        return new Anomaly(
            item[DataKeys.SortKey].S!,
            Series.Of(tenant, labels),
            item["kind"].S!,
            item["detector"].S!,
            DataKeys.ParseValue(item["score"].N!),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(item["openedAt"].N!, CultureInfo.InvariantCulture)),
            item.TryGetValue("resolvedAt", out var resolved)
                ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(resolved.N!, CultureInfo.InvariantCulture))
                : null,
            item.TryGetValue("summary", out var summary) ? summary.S : null,
            item.TryGetValue("summarySource", out var source) ? source.S : null);
    }
}
