using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace AiDevOps.Storage;

/// <summary>
/// <see cref="IKeyValueTable"/> on Azure Table Storage. Azure has no TTL, so expiry is a property that reads honour.
/// Table names allow letters and digits only, and keys refuse <c>/ \ # ?</c> and control characters, so both are
/// escaped here and nowhere else.
/// </summary>
public sealed class AzureTablesTable(TableServiceClient service, TimeProvider clock) : IKeyValueTable
{
    private const string DataProperty = "d";
    private const string ExpiryProperty = "ttl";
    // An entity group transaction holds at most 100 entities of one partition and 4 MiB of request, in which
    // binary travels as base64 (4/3 of its size).
    private const int MaxEntitiesPerTransaction = 100;
    private const int MaxBytesPerTransaction = 2 * 1024 * 1024;
    // A fold writes one chunk to each of many partitions: a few transactions at once, as BatchWriter does on DynamoDB.
    private const int Parallelism = 4;

    public async Task EnsureTableAsync(string table, CancellationToken ct) =>
        await service.CreateTableIfNotExistsAsync(TableName(table), ct);

    public async Task PutAsync(string table, IReadOnlyList<StoredItem> items, CancellationToken ct)
    {
        var client = service.GetTableClient(TableName(table));
        await Parallel.ForEachAsync(items.GroupBy(i => i.Partition), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (partition, token) =>
            {
                var transaction = new List<TableTransactionAction>();
                var bytes = 0;
                foreach (var item in partition.DistinctBy(i => i.Sort))
                {
                    var size = (item.Data?.Length ?? 0) + item.Attributes.Sum(a => a.Value.Length * 2) + 256;
                    if (transaction.Count == MaxEntitiesPerTransaction || bytes + size > MaxBytesPerTransaction)
                    {
                        await client.SubmitTransactionAsync(transaction, token);
                        (transaction, bytes) = ([], 0);
                    }
                    transaction.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(item)));
                    bytes += size;
                }
                if (transaction.Count > 0)
                    await client.SubmitTransactionAsync(transaction, token);
            });
    }

    public async Task<StoredItem?> GetAsync(string table, string partition, string sort, CancellationToken ct)
    {
        var response = await service.GetTableClient(TableName(table))
            .GetEntityIfExistsAsync<TableEntity>(EscapeKey(partition), EscapeKey(sort), cancellationToken: ct);
        return response.HasValue && ToItem(response.Value!) is var item && item.IsLiveAt(clock.GetUtcNow()) ? item : null;
    }

    public async IAsyncEnumerable<StoredItem> QueryAsync(
        string table, string partition, string? fromSort, string? toSort, [EnumeratorCancellation] CancellationToken ct)
    {
        var filter = new StringBuilder(TableClient.CreateQueryFilter($"PartitionKey eq {EscapeKey(partition)}"));
        if (fromSort is not null)
            filter.Append(" and ").Append(TableClient.CreateQueryFilter($"RowKey ge {EscapeKey(fromSort)}"));
        if (toSort is not null)
            filter.Append(" and ").Append(TableClient.CreateQueryFilter($"RowKey le {EscapeKey(toSort)}"));
        var now = clock.GetUtcNow();
        await foreach (var entity in service.GetTableClient(TableName(table)).QueryAsync<TableEntity>(filter.ToString(), cancellationToken: ct))
        {
            if (ToItem(entity) is var item && item.IsLiveAt(now))
                yield return item;
        }
    }

    public async Task DeleteAsync(string table, string partition, string sort, CancellationToken ct) =>
        await service.GetTableClient(TableName(table)).DeleteEntityAsync(EscapeKey(partition), EscapeKey(sort), ETag.All, ct);

    public static string TableName(string table) => string.Concat(table.Where(char.IsAsciiLetterOrDigit));

    private static TableEntity ToEntity(StoredItem item)
    {
        var entity = new TableEntity(EscapeKey(item.Partition), EscapeKey(item.Sort));
        foreach (var (name, value) in item.Attributes)
            entity[name] = value;
        if (item.Data is not null)
            entity[DataProperty] = item.Data;
        if (item.ExpiresAt is { } expiry)
            entity[ExpiryProperty] = expiry;
        return entity;
    }

    private static StoredItem ToItem(TableEntity entity) =>
        new(UnescapeKey(entity.PartitionKey), UnescapeKey(entity.RowKey))
        {
            Attributes = entity
                .Where(p => p.Value is string && p.Key is not ("PartitionKey" or "RowKey" or "odata.etag"))
                .ToDictionary(p => p.Key, p => (string)p.Value),
            Data = entity.GetBinary(DataProperty),
            ExpiresAt = entity.GetInt64(ExpiryProperty),
        };

    // Percent-escapes what Azure refuses in keys (and '%' itself); '%' sorts below digits and letters, so escaped
    // keys keep the order of time-based keys, which contain none of these characters.
    private static string EscapeKey(string key)
    {
        if (!key.Any(NeedsEscape))
            return key;
        var escaped = new StringBuilder(key.Length + 8);
        foreach (var c in key)
        {
            if (NeedsEscape(c))
                escaped.Append('%').Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            else
                escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static string UnescapeKey(string key)
    {
        if (!key.Contains('%', StringComparison.Ordinal))
            return key;
        var plain = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == '%')
            {
                plain.Append((char)Convert.ToInt32(key.Substring(i + 1, 4), 16));
                i += 4;
            }
            else
                plain.Append(key[i]);
        }
        return plain.ToString();
    }

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
}
