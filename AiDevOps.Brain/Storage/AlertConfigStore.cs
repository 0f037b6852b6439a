using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

/// <summary>Where a tenant's alerts go: a channel (e.g. <c>telegram</c>) and an address on it (e.g. a chat id).</summary>
public sealed record Receiver(string Channel, string Address);

/// <summary>The <c>-alert-configs</c> table: one item per receiver, keyed by tenant.</summary>
public sealed class AlertConfigStore(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options)
{
    private readonly string _table = options.Value.AlertConfigsTable;

    public Task PutReceiverAsync(string tenant, Receiver receiver, CancellationToken ct) =>
        dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = new()
            {
                [DataKeys.PartitionKey] = new(tenant),
                [DataKeys.SortKey] = new($"{receiver.Channel}|{receiver.Address}"),
                ["channel"] = new(receiver.Channel),
                ["address"] = new(receiver.Address),
            },
        }, ct);

    public async Task<IReadOnlyList<Receiver>> ListReceiversAsync(string tenant, CancellationToken ct)
    {
        var receivers = new List<Receiver>();
        await foreach (var item in dynamo.QueryPartitionAsync(_table, tenant, int.MaxValue, ct))
            receivers.Add(new Receiver(item["channel"].S!, item["address"].S!));
        return receivers;
    }
}
