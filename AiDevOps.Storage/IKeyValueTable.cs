namespace AiDevOps.Storage;

/// <summary>
/// One item of a table: a partition key and a sort key (every partition key starts with the tenant, see
/// <see cref="DataKeys"/>), named text attributes, one optional binary payload and an optional expiry.
/// </summary>
public sealed record StoredItem(string Partition, string Sort)
{
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    public byte[]? Data { get; init; }

    /// <summary>Unix seconds after which the item is gone for readers, whether or not the backend deleted it yet.</summary>
    public long? ExpiresAt { get; init; }

    public bool IsLiveAt(DateTimeOffset now) => ExpiresAt is not { } expiry || expiry > now.ToUnixTimeSeconds();
}

/// <summary>
/// The little a backend must do for the Brain's stores: the same contract on DynamoDB and Azure Table Storage.
/// Reads never return expired items; a completed put means every item is durable.
/// </summary>
public interface IKeyValueTable
{
    /// <summary>Creates the table when missing (with expiry enabled where the backend has it) and waits until usable.</summary>
    Task EnsureTableAsync(string table, CancellationToken ct);

    Task PutAsync(string table, IReadOnlyList<StoredItem> items, CancellationToken ct);

    Task<StoredItem?> GetAsync(string table, string partition, string sort, CancellationToken ct);

    /// <summary>Items of one partition with <paramref name="fromSort"/> ≤ sort ≤ <paramref name="toSort"/> (null: unbounded), in sort order.</summary>
    IAsyncEnumerable<StoredItem> QueryAsync(string table, string partition, string? fromSort, string? toSort, CancellationToken ct);

    Task DeleteAsync(string table, string partition, string sort, CancellationToken ct);
}
