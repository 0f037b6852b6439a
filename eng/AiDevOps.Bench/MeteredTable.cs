using System.Runtime.CompilerServices;
using System.Text;
using AiDevOps.Storage;
using Amazon.DynamoDBv2.Model;

namespace AiDevOps.Bench;

/// <summary>
/// Counts what DynamoDB would bill around a real table: a write costs ceil(item size / 1 KB) write units, a query
/// page ceil(bytes / 4 KB) read units (strongly consistent). Item sizes follow DynamoDB's rules: attribute names
/// plus values, numbers at about one byte per two digits.
/// </summary>
public sealed class MeteredTable(IKeyValueTable inner) : IKeyValueTable
{
    private readonly Dictionary<(string, string), long> _stored = [];

    public long WriteUnits { get; private set; }
    public long ItemsWritten { get; private set; }
    public long BytesWritten { get; private set; }
    public long Reads { get; private set; }
    public long ItemsRead { get; private set; }
    public long BytesRead { get; private set; }

    /// <summary>Bytes of every item still stored, by the partition kind (the part after the tenant: chunks, wal …).</summary>
    public IReadOnlyDictionary<string, long> StoredBytesByKind() =>
        _stored.GroupBy(s => s.Key.Item1.Split('|')[1]).ToDictionary(g => g.Key, g => g.Sum(s => s.Value));

    public Task EnsureTableAsync(string table, CancellationToken ct) => inner.EnsureTableAsync(table, ct);

    public async Task PutAsync(string table, IReadOnlyList<StoredItem> items, CancellationToken ct)
    {
        await inner.PutAsync(table, items, ct);
        foreach (var item in items)
        {
            var size = SizeOf(item);
            WriteUnits += (size + 1023) / 1024;
            ItemsWritten++;
            BytesWritten += size;
            _stored[(item.Partition, item.Sort)] = size;
        }
    }

    public async Task<StoredItem?> GetAsync(string table, string partition, string sort, CancellationToken ct)
    {
        var item = await inner.GetAsync(table, partition, sort, ct);
        Count(item is null ? [] : [item]);
        return item;
    }

    public async IAsyncEnumerable<StoredItem> QueryAsync(
        string table, string partition, string? fromSort, string? toSort, [EnumeratorCancellation] CancellationToken ct)
    {
        var items = new List<StoredItem>();
        await foreach (var item in inner.QueryAsync(table, partition, fromSort, toSort, ct))
            items.Add(item);
        Count(items);
        foreach (var item in items)
            yield return item;
    }

    public Task DeleteAsync(string table, string partition, string sort, CancellationToken ct)
    {
        _stored.Remove((partition, sort));
        return inner.DeleteAsync(table, partition, sort, ct);
    }

    /// <summary>Forgets write-ahead items, as DynamoDB's TTL deletes them (free of charge) once folded and expired.</summary>
    public void ExpireWriteAheadLog()
    {
        foreach (var key in _stored.Keys.Where(k => k.Item1.EndsWith("|wal", StringComparison.Ordinal)).ToList())
            _stored.Remove(key);
    }

    private void Count(List<StoredItem> items)
    {
        Reads++;
        ItemsRead += items.Count;
        BytesRead += items.Sum(SizeOf);
    }

    public static long SizeOf(StoredItem item) =>
        DynamoDbTable.ToAttributes(item).Sum(a => Encoding.UTF8.GetByteCount(a.Key) + ValueSize(a.Value));

    private static long ValueSize(AttributeValue value) =>
        value.S is not null ? Encoding.UTF8.GetByteCount(value.S)
        : value.B is not null ? value.B.Length
        : value.N is not null ? (value.N.TrimStart('-').Length + 1) / 2 + 1
        : throw new InvalidOperationException("Only S, B and N attributes are stored.");
}
