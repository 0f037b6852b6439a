using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using AiDevOps.Contracts;

namespace AiDevOps.Storage;

/// <summary>
/// Each tenant's write-ahead log: one small item per delivery (at most <see cref="MaxSamplesPerRecord"/> samples,
/// <see cref="WalCodec"/>), naming its series through a "series set" item written before it, and a watermark below
/// which the log is folded into chunks. Log items never change and expire by TTL, never by a paid delete.
/// </summary>
internal sealed class WriteAheadLog(IKeyValueTable table, string tableName, RecentWrites recent, TimeProvider clock)
{
    /// <summary>
    /// How long a log write may take and still be folded without a second look. A fold leaves the newest log items
    /// of this age alone; a writer whose write took longer rewrites it before it acknowledges.
    /// </summary>
    public static readonly TimeSpan WriteInFlight = TimeSpan.FromMinutes(1);

    /// <summary>Bounds every encoded payload (worst case ≈ 20 bytes a sample) far below Azure's 64 KiB per property.</summary>
    public const int MaxSamplesPerRecord = 2048;

    /// <summary>Log items expire this long after they are written: a Brain may be down a day and still fold them.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(2);

    private const string SetAttribute = "set";
    private const string FoldedThroughAttribute = "foldedThrough";
    private const string FoldStateSort = "state";

    private readonly ConcurrentDictionary<(string Tenant, string SetId), string[]> _sets = new();
    private readonly ConcurrentDictionary<string, LogCache> _logs = new();
    private long _lastLogTime;

    /// <summary>
    /// The unfolded log items of one tenant as this process last read them. A log item never changes, so each read
    /// queries only the log's recent end again: from its previous query's time less <see cref="WriteInFlight"/>,
    /// which catches every write under way then (slower writes are rewritten under a fresh key). It holds the
    /// encoded items, about 5 bytes a sample, for the unfolded two hours or so.
    /// </summary>
    private sealed class LogCache
    {
        public readonly Lock Gate = new();
        public readonly SortedList<string, StoredItem> Items = new(StringComparer.Ordinal);
        public long QueriedAt = -1;
    }

    /// <summary>
    /// Groups series, given in ascending order of id, into records of at most <see cref="MaxSamplesPerRecord"/> samples:
    /// in that order the same series make the same record and so reuse its series set.
    /// </summary>
    public static IEnumerable<List<(string Id, List<SamplePoint> Samples)>> PackRecords(IEnumerable<(string Id, List<SamplePoint> Samples)> series)
    {
        var record = new List<(string Id, List<SamplePoint> Samples)>();
        var count = 0;
        foreach (var (id, samples) in series)
        {
            // Most series bring a sample or a few: their list goes in as it is, copied only when it must be split.
            var parts = samples.Count <= MaxSamplesPerRecord ? [samples] : samples.Chunk(MaxSamplesPerRecord).Select(part => part.ToList());
            foreach (var part in parts)
            {
                if (count + part.Count > MaxSamplesPerRecord)
                {
                    yield return record;
                    (record, count) = ([], 0);
                }
                record.Add((id, part));
                count += part.Count;
            }
        }
        if (record.Count > 0)
            yield return record;
    }

    /// <summary>The log item of one record, keyed by the time of <paramref name="now"/>; its series set goes into <paramref name="metadata"/>.</summary>
    public StoredItem Item(string tenant, List<(string Id, List<SamplePoint> Samples)> record, DateTimeOffset now, List<StoredItem> metadata)
    {
        var ids = new string[record.Count];
        var setBytes = new byte[record.Sum(r => r.Id.Length / 2)];
        for (int i = 0, at = 0; i < record.Count; i++)
        {
            ids[i] = record[i].Id;
            if (Convert.FromHexString(ids[i], setBytes.AsSpan(at), out _, out var written) != OperationStatus.Done)
                throw new FormatException($"A series id is hexadecimal: '{ids[i]}' is not.");
            at += written;
        }
        var setId = Convert.ToHexStringLower(SHA256.HashData(setBytes).AsSpan(0, 16));
        _sets.TryAdd((tenant, setId), ids);
        // A set outlives every log item naming it: it is rewritten a day before it would expire.
        metadata.Add(new StoredItem(DataKeys.SeriesSets(tenant), setId)
        {
            Data = setBytes,
            ExpiresAt = (now + Lifetime + RecentWrites.Refresh * 2).ToUnixTimeSeconds(),
        });
        return new StoredItem(DataKeys.WriteAheadLog(tenant), Sort(now))
        {
            Attributes = new Dictionary<string, string> { [SetAttribute] = setId },
            Data = WalCodec.Encode(record.Select(r => (IReadOnlyList<SamplePoint>)r.Samples).ToList()),
            ExpiresAt = (now + Lifetime).ToUnixTimeSeconds(),
        };
    }

    /// <summary>
    /// Writes what the log items need that this process has not written lately (series sets, index entries) before
    /// the log items that name them, so a crash in between leaves nothing unreadable; returns once all are durable.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<StoredItem> metadata, List<StoredItem> log, DateTimeOffset started, CancellationToken ct)
    {
        var unwritten = metadata.Where(i => recent.NeedsWrite(i.Partition, i.Sort, started)).DistinctBy(i => (i.Partition, i.Sort)).ToList();
        if (unwritten.Count > 0)
            await table.PutAsync(tableName, unwritten, ct);
        await table.PutAsync(tableName, log, ct);
        await RewriteSlowWritesAsync(log, started, ct);
        recent.Written(unwritten, started);
    }

    /// <summary>
    /// A log write that took longer than <see cref="WriteInFlight"/> may have landed behind readers and folds that
    /// had already read past its key (a fold may even have moved its watermark past it). It is written again under
    /// a fresh key, until a write is quick, before the caller hears yes; the fold takes a second look after moving
    /// its watermark, so one of the two always sees the other. Reading both copies is harmless: same samples.
    /// </summary>
    private async Task RewriteSlowWritesAsync(List<StoredItem> log, DateTimeOffset started, CancellationToken ct)
    {
        while (clock.GetUtcNow() - started >= WriteInFlight)
        {
            started = clock.GetUtcNow();
            log = log.Select(i => i with { Sort = Sort(started) }).ToList();
            await table.PutAsync(tableName, log, ct);
        }
    }

    private string Sort(DateTimeOffset now) => DataKeys.Time(NextLogTime(now)) + "." + Guid.NewGuid().ToString("N");

    /// <summary>
    /// The time in a log item's key: the clock, but strictly increasing within this process, so that of two writes of
    /// one timestamp the later one sorts, and wins, last even when both land in the same millisecond.
    /// </summary>
    private long NextLogTime(DateTimeOffset now)
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastLogTime);
            var next = Math.Max(now.ToUnixTimeMilliseconds(), last + 1);
            if (Interlocked.CompareExchange(ref _lastLogTime, next, last) == last)
                return next;
        }
    }

    /// <summary>The samples of the given series after the watermark: one pass over the log for all of them.</summary>
    public async Task<Dictionary<string, List<SamplePoint>>> UnfoldedSamplesAsync(string tenant, IReadOnlyList<string> seriesIds, CancellationToken ct)
    {
        var samples = seriesIds.Distinct().ToDictionary(id => id, _ => new List<SamplePoint>(), StringComparer.Ordinal);
        foreach (var item in await UnfoldedAsync(tenant, ct))
        {
            var ids = await SeriesSetAsync(tenant, item, ct);
            var positions = new Dictionary<int, List<SamplePoint>>();
            foreach (var (id, found) in samples)
            {
                var index = Array.BinarySearch(ids, id, StringComparer.Ordinal);
                if (index >= 0)
                    positions[index] = found;
            }
            if (positions.Count > 0)
                WalCodec.DecodeSeries(item.Data, positions);
        }
        return samples;
    }

    /// <summary>Log items after the watermark, in write order.</summary>
    private async Task<List<StoredItem>> UnfoldedAsync(string tenant, CancellationToken ct)
    {
        var watermark = await WatermarkAsync(tenant, ct);
        var cache = _logs.GetOrAdd(tenant, _ => new LogCache());
        var queriedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        string? from;
        lock (cache.Gate)
        {
            while (cache.Items.Count > 0 && string.CompareOrdinal(cache.Items.Keys[0], watermark) <= 0)
                cache.Items.RemoveAt(0);
            var recentEnd = cache.QueriedAt < 0 ? null : DataKeys.Time(Math.Max(0, cache.QueriedAt - (long)WriteInFlight.TotalMilliseconds));
            from = string.CompareOrdinal(recentEnd, watermark) > 0 ? recentEnd : watermark;
        }
        var fresh = new List<StoredItem>();
        await foreach (var item in table.QueryAsync(tableName, DataKeys.WriteAheadLog(tenant), from, null, ct))
            fresh.Add(item);
        lock (cache.Gate)
        {
            foreach (var item in fresh)
                cache.Items[item.Sort] = item;
            cache.QueriedAt = Math.Max(cache.QueriedAt, queriedAt);
            return cache.Items.Values.Where(i => string.CompareOrdinal(i.Sort, watermark) > 0).ToList();
        }
    }

    /// <summary>The log items in (<paramref name="after"/>, <paramref name="through"/>], each with the ids of its series and their samples.</summary>
    public async IAsyncEnumerable<(StoredItem Item, string[] SeriesIds, List<List<SamplePoint>> Samples)> ReadAsync(
        string tenant, string? after, string through, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in table.QueryAsync(tableName, DataKeys.WriteAheadLog(tenant), after, through, ct))
        {
            if (item.Sort != after)
                yield return (item, await SeriesSetAsync(tenant, item, ct), WalCodec.Decode(item.Data));
        }
    }

    private async Task<string[]> SeriesSetAsync(string tenant, StoredItem logItem, CancellationToken ct)
    {
        var setId = logItem.Attributes[SetAttribute];
        if (_sets.TryGetValue((tenant, setId), out var cached))
            return cached;
        var item = await table.GetAsync(tableName, DataKeys.SeriesSets(tenant), setId, ct)
            ?? throw new InvalidOperationException($"Series set {setId} of tenant {tenant} is missing; it is written before any log item naming it.");
        var ids = item.Data!.Chunk(16).Select(Convert.ToHexStringLower).ToArray();
        _sets.TryAdd((tenant, setId), ids);
        return ids;
    }

    /// <summary>The key of the last log item folded into chunks; null before the first fold.</summary>
    public async Task<string?> WatermarkAsync(string tenant, CancellationToken ct) =>
        (await table.GetAsync(tableName, DataKeys.FoldState(tenant), FoldStateSort, ct))?.Attributes[FoldedThroughAttribute];

    public Task MoveWatermarkAsync(string tenant, string through, CancellationToken ct) =>
        table.PutAsync(tableName,
        [
            new StoredItem(DataKeys.FoldState(tenant), FoldStateSort)
            {
                Attributes = new Dictionary<string, string> { [FoldedThroughAttribute] = through },
            },
        ], ct);
}
