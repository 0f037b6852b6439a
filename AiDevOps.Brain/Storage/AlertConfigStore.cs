using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

/// <summary>Where a tenant's alerts go: a channel (e.g. <c>telegram</c>) and an address on it (e.g. a chat id).</summary>
public sealed record Receiver(string Channel, string Address);

/// <summary>The <c>-alert-configs</c> table: one item per receiver, keyed by tenant.</summary>
public sealed class AlertConfigStore(IKeyValueTable table, IOptions<StorageOptions> options)
{
    private readonly string _table = options.Value.AlertConfigsTable;

    public Task PutReceiverAsync(string tenant, Receiver receiver, CancellationToken ct) =>
        table.PutAsync(_table,
        [
            new StoredItem(tenant, $"{receiver.Channel}|{receiver.Address}")
            {
                Attributes = new Dictionary<string, string> { ["channel"] = receiver.Channel, ["address"] = receiver.Address },
            },
        ], ct);

    public async Task<IReadOnlyList<Receiver>> ListReceiversAsync(string tenant, CancellationToken ct)
    {
        var receivers = new List<Receiver>();
        await foreach (var item in table.QueryAsync(_table, tenant, null, null, ct))
            receivers.Add(new Receiver(item.Attributes["channel"], item.Attributes["address"]));
        return receivers;
    }
}
