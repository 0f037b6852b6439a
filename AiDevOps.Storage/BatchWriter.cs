using AiDevOps.Contracts;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace AiDevOps.Storage;

/// <summary>
/// Writes any number of items with BatchWriteItem (25 a call, DynamoDB's limit), a few calls at once, and writes the
/// items DynamoDB left unprocessed again with <see cref="Backoff"/> until they are all in, so a completed call means
/// every item is durable.
/// </summary>
public sealed class BatchWriter(IAmazonDynamoDB dynamo)
{
    private const int MaxItemsPerCall = 25;
    private const int Parallelism = 4;
    private const int MaxRetries = 7;

    // The outcome is how many items are still unprocessed.
    private static readonly Polly.ResiliencePipeline<int> UntilAllIn = Backoff.Retry<int>(
        outcome => outcome.Result > 0, first: TimeSpan.FromMilliseconds(100), max: TimeSpan.FromSeconds(5), maxRetries: MaxRetries);

    public async Task WriteAsync(string table, IReadOnlyList<Dictionary<string, AttributeValue>> items, CancellationToken ct)
    {
        var chunks = items.Chunk(MaxItemsPerCall).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (chunk, token) => await WriteChunkAsync(table, chunk, token));
    }

    private async Task WriteChunkAsync(string table, Dictionary<string, AttributeValue>[] chunk, CancellationToken ct)
    {
        var pending = chunk.Select(item => new WriteRequest { PutRequest = new PutRequest { Item = item } }).ToList();
        var left = await UntilAllIn.ExecuteAsync(async token =>
        {
            var response = await dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [table] = pending } }, token);
            pending = response.UnprocessedItems is not null && response.UnprocessedItems.TryGetValue(table, out var unprocessed) ? unprocessed : [];
            return pending.Count;
        }, ct);
        if (left > 0)
            throw new InvalidOperationException($"DynamoDB left {left} items of {table} unprocessed after {MaxRetries + 1} attempts.");
    }
}
