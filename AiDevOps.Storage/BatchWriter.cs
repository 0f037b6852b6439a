using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace AiDevOps.Storage;

/// <summary>
/// Writes any number of items with BatchWriteItem (25 a call, DynamoDB's limit), a few calls at once, and retries
/// unprocessed items with exponential backoff until they are all in, so a completed call means every item is durable.
/// </summary>
public sealed class BatchWriter(IAmazonDynamoDB dynamo)
{
    private const int MaxItemsPerCall = 25;
    private const int Parallelism = 4;
    private const int MaxAttempts = 8;

    public async Task WriteAsync(string table, IReadOnlyList<Dictionary<string, AttributeValue>> items, CancellationToken ct)
    {
        var chunks = items.Chunk(MaxItemsPerCall).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (chunk, token) => await WriteChunkAsync(table, chunk, token));
    }

    private async Task WriteChunkAsync(string table, Dictionary<string, AttributeValue>[] chunk, CancellationToken ct)
    {
        var pending = chunk.Select(item => new WriteRequest { PutRequest = new PutRequest { Item = item } }).ToList();
        for (var attempt = 1; ; attempt++)
        {
            var response = await dynamo.BatchWriteItemAsync(
                new BatchWriteItemRequest { RequestItems = new() { [table] = pending } }, ct);
            if (response.UnprocessedItems is null || !response.UnprocessedItems.TryGetValue(table, out var left) || left.Count == 0)
                return;
            if (attempt == MaxAttempts)
                throw new InvalidOperationException(
                    $"DynamoDB left {left.Count} items of {table} unprocessed after {MaxAttempts} attempts.");
            pending = left;
            await Task.Delay(TimeSpan.FromMilliseconds(50 * Math.Pow(2, attempt) * (0.5 + Random.Shared.NextDouble())), ct);
        }
    }
}
