using System.Globalization;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;

namespace AiDevOps.Storage;

/// <summary>
/// <see cref="IKeyValueTable"/> on DynamoDB: string keys <c>pk</c>/<c>sk</c>, text attributes as strings, the payload
/// as binary <c>d</c>, the expiry as the TTL attribute <c>ttl</c> so DynamoDB deletes expired items for free.
/// </summary>
public sealed partial class DynamoDbTable(IAmazonDynamoDB dynamo, BatchWriter writer, TimeProvider clock, ILogger<DynamoDbTable> logger)
    : IKeyValueTable
{
    public const string DataAttribute = "d";
    public const string ExpiryAttribute = "ttl";

    public async Task EnsureTableAsync(string table, CancellationToken ct)
    {
        // Described first: on AWS the tables come with the deployment, and the Brain's role may describe them but
        // not create them (least privilege), so a create attempt there would be refused rather than found in use.
        try
        {
            await dynamo.DescribeTableAsync(table, ct);
        }
        catch (ResourceNotFoundException)
        {
            await CreateTableAsync(table, ct);
        }
        while ((await dynamo.DescribeTableAsync(table, ct)).Table.TableStatus != TableStatus.ACTIVE)
            await Task.Delay(500, ct);
        await EnableTimeToLiveAsync(table, ct);
    }

    private async Task CreateTableAsync(string table, CancellationToken ct)
    {
        try
        {
            await dynamo.CreateTableAsync(new CreateTableRequest
            {
                TableName = table,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions =
                [
                    new AttributeDefinition(DataKeys.PartitionKey, ScalarAttributeType.S),
                    new AttributeDefinition(DataKeys.SortKey, ScalarAttributeType.S),
                ],
                KeySchema =
                [
                    new KeySchemaElement(DataKeys.PartitionKey, KeyType.HASH),
                    new KeySchemaElement(DataKeys.SortKey, KeyType.RANGE),
                ],
            }, ct);
            LogCreated(table);
        }
        catch (ResourceInUseException)
        {
            // Created meanwhile by another Brain instance.
        }
    }

    private async Task EnableTimeToLiveAsync(string table, CancellationToken ct)
    {
        try
        {
            var current = await dynamo.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = table }, ct);
            if (current.TimeToLiveDescription?.TimeToLiveStatus is { } status
                && (status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING))
                return;
            await dynamo.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = table,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = ExpiryAttribute, Enabled = true },
            }, ct);
        }
        catch (AmazonDynamoDBException e) when (e.ErrorCode == "UnknownOperationException")
        {
            // Local stand-ins (dynalite) have no TTL; reads skip expired items anyway, they just stay on disk.
            LogNoTimeToLive(table);
        }
    }

    public Task PutAsync(string table, IReadOnlyList<StoredItem> items, CancellationToken ct) =>
        writer.WriteAsync(table, items.Select(ToAttributes).ToList(), ct);

    public async Task<StoredItem?> GetAsync(string table, string partition, string sort, CancellationToken ct)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = table,
            Key = Key(partition, sort),
            ConsistentRead = true,
        }, ct);
        return response.Item is { Count: > 0 } item && ToItem(item) is var found && found.IsLiveAt(clock.GetUtcNow()) ? found : null;
    }

    public async IAsyncEnumerable<StoredItem> QueryAsync(
        string table, string partition, string? fromSort, string? toSort, [EnumeratorCancellation] CancellationToken ct)
    {
        var request = new QueryRequest
        {
            TableName = table,
            // Strongly consistent, so a read right after an acknowledged write sees it.
            ConsistentRead = true,
            KeyConditionExpression = (fromSort, toSort) switch
            {
                (null, null) => "pk = :pk",
                (not null, null) => "pk = :pk AND sk >= :from",
                (null, not null) => "pk = :pk AND sk <= :to",
                _ => "pk = :pk AND sk BETWEEN :from AND :to",
            },
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue(partition) },
        };
        if (fromSort is not null)
            request.ExpressionAttributeValues[":from"] = new AttributeValue(fromSort);
        if (toSort is not null)
            request.ExpressionAttributeValues[":to"] = new AttributeValue(toSort);
        var now = clock.GetUtcNow();
        do
        {
            var response = await dynamo.QueryAsync(request, ct);
            foreach (var item in response.Items ?? [])
            {
                if (ToItem(item) is var found && found.IsLiveAt(now))
                    yield return found;
            }
            request.ExclusiveStartKey = response.LastEvaluatedKey;
        } while (request.ExclusiveStartKey is { Count: > 0 });
    }

    public Task DeleteAsync(string table, string partition, string sort, CancellationToken ct) =>
        dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = table, Key = Key(partition, sort) }, ct);

    private static Dictionary<string, AttributeValue> Key(string partition, string sort) => new()
    {
        [DataKeys.PartitionKey] = new AttributeValue(partition),
        [DataKeys.SortKey] = new AttributeValue(sort),
    };

    public static Dictionary<string, AttributeValue> ToAttributes(StoredItem item)
    {
        var attributes = Key(item.Partition, item.Sort);
        foreach (var (name, value) in item.Attributes)
            attributes[name] = new AttributeValue(value);
        if (item.Data is not null)
            attributes[DataAttribute] = new AttributeValue { B = new MemoryStream(item.Data) };
        if (item.ExpiresAt is { } expiry)
            attributes[ExpiryAttribute] = new AttributeValue { N = expiry.ToString(CultureInfo.InvariantCulture) };
        return attributes;
    }

    private static StoredItem ToItem(Dictionary<string, AttributeValue> attributes) =>
        new(attributes[DataKeys.PartitionKey].S, attributes[DataKeys.SortKey].S)
        {
            // Numbers read as their text: items written before this layout kept times and counts as numbers.
            Attributes = attributes
                .Where(a => a.Key is not (DataKeys.PartitionKey or DataKeys.SortKey or DataAttribute or ExpiryAttribute) && (a.Value.S ?? a.Value.N) is not null)
                .ToDictionary(a => a.Key, a => a.Value.S ?? a.Value.N),
            Data = attributes.TryGetValue(DataAttribute, out var data) ? data.B.ToArray() : null,
            ExpiresAt = attributes.TryGetValue(ExpiryAttribute, out var expiry)
                ? long.Parse(expiry.N, CultureInfo.InvariantCulture) : null,
        };

    [LoggerMessage(LogLevel.Information, "Created DynamoDB table {Table}")]
    private partial void LogCreated(string table);

    [LoggerMessage(LogLevel.Information, "DynamoDB at this endpoint has no TTL (a local stand-in); expired items of {Table} stay stored but are never read")]
    private partial void LogNoTimeToLive(string table);
}
