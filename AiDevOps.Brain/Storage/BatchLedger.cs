using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

/// <summary>
/// Batch ids already stored, so a delivery retried by an agent (at-least-once) is stored once. A batch is recorded
/// only after its samples are durable; a crash between the two means the retry stores it again, which the
/// sample layout absorbs (one item per series and timestamp).
/// </summary>
public sealed class BatchLedger(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options, TimeProvider clock)
{
    /// <summary>How long a batch id is remembered: far longer than any agent keeps retrying one batch.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromDays(7);

    private readonly string _table = options.Value.DataTable;

    public async Task<bool> ContainsAsync(string tenant, string batchId, CancellationToken ct)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = Key(tenant, batchId),
            ConsistentRead = true,
        }, ct);
        return response.Item is { Count: > 0 } item
            && (!item.TryGetValue(DataKeys.ExpiresAt, out var expires)
                || long.Parse(expires.N!, CultureInfo.InvariantCulture) > clock.GetUtcNow().ToUnixTimeSeconds());
    }

    public Task RecordAsync(string tenant, string batchId, CancellationToken ct)
    {
        var item = Key(tenant, batchId);
        item[DataKeys.ExpiresAt] = new AttributeValue
        {
            N = (clock.GetUtcNow() + Memory).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        return dynamo.PutItemAsync(new PutItemRequest { TableName = _table, Item = item }, ct);
    }

    private static Dictionary<string, AttributeValue> Key(string tenant, string batchId) => new()
    {
        [DataKeys.PartitionKey] = new AttributeValue(DataKeys.Batch(tenant, batchId)),
        [DataKeys.SortKey] = new AttributeValue("batch"),
    };

    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
