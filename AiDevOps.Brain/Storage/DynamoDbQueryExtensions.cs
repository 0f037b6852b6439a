using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace AiDevOps.Brain.Storage;

internal static class DynamoDbQueryExtensions
{
    /// <summary>Every item of one partition, in sort-key order, up to <paramref name="limit"/>.</summary>
    public static IAsyncEnumerable<Dictionary<string, AttributeValue>> QueryPartitionAsync(
        this IAmazonDynamoDB dynamo, string table, string partitionKey, int limit, CancellationToken ct) =>
        dynamo.QueryAllAsync(new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue(partitionKey) },
        }, limit, ct);

    /// <summary>Follows a query's pages until <paramref name="limit"/> items or the end.</summary>
    public static async IAsyncEnumerable<Dictionary<string, AttributeValue>> QueryAllAsync(
        this IAmazonDynamoDB dynamo, QueryRequest request, int limit, [EnumeratorCancellation] CancellationToken ct)
    {
        var yielded = 0;
        do
        {
            var response = await dynamo.QueryAsync(request, ct);
            foreach (var item in response.Items ?? [])
            {
                yield return item;
                if (++yielded >= limit)
                    yield break;
            }
            request.ExclusiveStartKey = response.LastEvaluatedKey;
        } while (request.ExclusiveStartKey is { Count: > 0 });
    }
}
