using AiDevOps.Storage.Query;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;

namespace AiDevOps.Storage;

/// <summary>
/// Samples as compressed chunks, one item per series per two-hour block, on any <see cref="IKeyValueTable"/>.
/// <para>
/// An ingest writes one small write-ahead item per delivery (at most <see cref="MaxSamplesPerRecord"/> samples each,
/// <see cref="WalCodec"/>), naming its series through a "series set" item written once, and is acknowledged when
/// that is durable. <see cref="FoldAsync"/> later turns a finished block's write-ahead items into one
/// <see cref="ChunkCodec"/> chunk per series and moves a per-tenant watermark past them; reads merge chunks with the
/// write-ahead items after the watermark. Write-ahead items expire by TTL, never by a paid delete.
/// </para>
/// </summary>
public sealed class ChunkedSampleStore(IKeyValueTable table, IOptions<StorageOptions> options, TimeProvider clock) : ISampleStore
{
    public static readonly TimeSpan BlockLength = TimeSpan.FromHours(2);

    /// <summary>How long after a block ends its write-ahead items are folded: late deliveries of it still get in.</summary>
    public static readonly TimeSpan FoldGrace = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a log write may take and still be folded without a second look. A fold leaves the newest log items
    /// of this age alone; a writer whose write took longer checks the watermark before it acknowledges.
    /// </summary>
    public static readonly TimeSpan WriteInFlight = TimeSpan.FromMinutes(1);

    /// <summary>Bounds every encoded payload (worst case ≈ 20 bytes a sample) far below Azure's 64 KiB per property.</summary>
    public const int MaxSamplesPerRecord = 2048;

    /// <summary>Write-ahead items expire this long after they are written: a Brain may be down a day and still fold them.</summary>
    public static readonly TimeSpan WriteAheadLifetime = TimeSpan.FromDays(2);

    private const string LabelsAttribute = "labels";
    private const string SetAttribute = "set";
    private const string FoldedThroughAttribute = "foldedThrough";
    private const string FoldStateSort = "state";
    private static readonly long BlockMs = (long)BlockLength.TotalMilliseconds;
    private static readonly TimeSpan IndexRefresh = TimeSpan.FromDays(1);

    private readonly string _table = options.Value.DataTable;
    private readonly StorageOptions _options = options.Value;

    // When this process last wrote each index item and series set, so it rewrites them only to push their expiry.
    private readonly ConcurrentDictionary<(string Tenant, string Partition, string Sort), DateTimeOffset> _written = new();
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

    public async Task AppendAsync(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var metadata = new List<StoredItem>();
        var log = new List<StoredItem>();
        foreach (var tenantBatch in batch.GroupBy(b => b.Series.Tenant))
        {
            var tenant = tenantBatch.Key;
            var indexExpiry = (now + _options.RetentionFor(tenant) + IndexRefresh).ToUnixTimeSeconds();
            foreach (var series in tenantBatch.Select(b => b.Series).DistinctBy(s => s.Id))
            {
                if (NeedsWrite(DataKeys.SeriesByMetric(tenant, series.Metric), series.Id, now))
                {
                    metadata.Add(new StoredItem(DataKeys.SeriesByMetric(tenant, series.Metric), series.Id)
                    {
                        Attributes = new Dictionary<string, string> { [LabelsAttribute] = JsonSerializer.Serialize(series.Labels) },
                        ExpiresAt = indexExpiry,
                    });
                }
                if (NeedsWrite(DataKeys.Metrics(tenant), series.Metric, now))
                    metadata.Add(new StoredItem(DataKeys.Metrics(tenant), series.Metric) { ExpiresAt = indexExpiry });
            }
            var merged = tenantBatch.GroupBy(b => b.Series.Id)
                .Select(g => (Id: g.Key, Samples: g.SelectMany(b => b.Samples).ToList()))
                .Where(s => s.Samples.Count > 0);
            foreach (var record in PackRecords(merged))
                log.Add(WriteAheadItem(tenant, record, now, metadata));
        }
        // Series sets before the log items that name them: a crash in between leaves nothing unreadable.
        var unwritten = metadata.Where(i => NeedsWrite(i.Partition, i.Sort, now)).DistinctBy(i => (i.Partition, i.Sort)).ToList();
        if (unwritten.Count > 0)
            await table.PutAsync(_table, unwritten, ct);
        await table.PutAsync(_table, log, ct);
        await RewriteSlowWritesAsync(log, now, ct);
        foreach (var item in unwritten)
            _written[(TenantOf(item.Partition), item.Partition, item.Sort)] = now;
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
            log = log.Select(i => i with { Sort = LogSort(started) }).ToList();
            await table.PutAsync(_table, log, ct);
        }
    }

    private bool NeedsWrite(string partition, string sort, DateTimeOffset now) =>
        !_written.TryGetValue((TenantOf(partition), partition, sort), out var at) || now - at > IndexRefresh;

    private static string TenantOf(string partition) => partition[..partition.IndexOf('|', StringComparison.Ordinal)];

    /// <summary>Groups series (sorted by id) into records of at most <see cref="MaxSamplesPerRecord"/> samples.</summary>
    private static IEnumerable<List<(string Id, List<SamplePoint> Samples)>> PackRecords(IEnumerable<(string Id, List<SamplePoint> Samples)> series)
    {
        var record = new List<(string Id, List<SamplePoint> Samples)>();
        var count = 0;
        foreach (var (id, samples) in series.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            foreach (var part in samples.Chunk(MaxSamplesPerRecord))
            {
                if (count + part.Length > MaxSamplesPerRecord)
                {
                    yield return record;
                    (record, count) = ([], 0);
                }
                record.Add((id, [.. part]));
                count += part.Length;
            }
        }
        if (record.Count > 0)
            yield return record;
    }

    private StoredItem WriteAheadItem(string tenant, List<(string Id, List<SamplePoint> Samples)> record, DateTimeOffset now, List<StoredItem> metadata)
    {
        var ids = record.Select(r => r.Id).ToArray();
        var setBytes = ids.SelectMany(Convert.FromHexString).ToArray();
        var setId = Convert.ToHexStringLower(SHA256.HashData(setBytes).AsSpan(0, 16));
        _sets.TryAdd((tenant, setId), ids);
        // A set outlives every log item naming it: it is rewritten a day before it would expire.
        metadata.Add(new StoredItem(DataKeys.SeriesSets(tenant), setId)
        {
            Data = setBytes,
            ExpiresAt = (now + WriteAheadLifetime + IndexRefresh * 2).ToUnixTimeSeconds(),
        });
        return new StoredItem(DataKeys.WriteAheadLog(tenant), LogSort(now))
        {
            Attributes = new Dictionary<string, string> { [SetAttribute] = setId },
            Data = WalCodec.Encode(record.Select(r => (IReadOnlyList<SamplePoint>)r.Samples).ToList()),
            ExpiresAt = (now + WriteAheadLifetime).ToUnixTimeSeconds(),
        };
    }

    private string LogSort(DateTimeOffset now) => DataKeys.Time(NextLogTime(now)) + "." + Guid.NewGuid().ToString("N");

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

    public async Task<IReadOnlyList<SamplePoint>> ReadAsync(string tenant, string seriesId, long since, long until, int limit, CancellationToken ct) =>
        (await ReadManyAsync(tenant, [seriesId], since, until, ct))[seriesId].Take(limit).ToList();

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<SamplePoint>>> ReadManyAsync(
        string tenant, IReadOnlyList<string> seriesIds, long since, long until, CancellationToken ct)
    {
        var unfolded = await UnfoldedSamplesAsync(tenant, seriesIds, ct);
        var result = new Dictionary<string, IReadOnlyList<SamplePoint>>(StringComparer.Ordinal);
        foreach (var id in seriesIds.Distinct())
            result[id] = await MergedAsync(tenant, id, since, until, unfolded[id], ct);
        return result;
    }

    public async Task<IReadOnlyList<SamplePoint>> LatestAsync(string tenant, string seriesId, int count, CancellationToken ct)
    {
        var unfolded = (await UnfoldedSamplesAsync(tenant, [seriesId], ct))[seriesId];
        var now = clock.GetUtcNow();
        // Look back a few blocks first and further only when that is not enough: the usual case reads one item.
        for (var lookback = BlockLength * 2; ; lookback *= 4)
        {
            var samples = await MergedAsync(tenant, seriesId, (now - lookback).ToUnixTimeMilliseconds(), DataKeys.MaxTime, unfolded, ct);
            if (samples.Count >= count || lookback >= _options.RetentionFor(tenant))
                return samples.Skip(Math.Max(0, samples.Count - count)).ToList();
        }
    }

    /// <summary>Chunks of [from, to] merged with the write-ahead samples: the later write of a timestamp wins.</summary>
    private async Task<List<SamplePoint>> MergedAsync(
        string tenant, string seriesId, long from, long to, List<SamplePoint> unfolded, CancellationToken ct)
    {
        from = Math.Max(from, (clock.GetUtcNow() - _options.RetentionFor(tenant)).ToUnixTimeMilliseconds());
        if (from > to)
            return [];
        var merged = new Dictionary<long, double>();
        var partition = DataKeys.Chunks(tenant, seriesId);
        await foreach (var chunk in table.QueryAsync(_table, partition, DataKeys.Time(BlockStart(from)), DataKeys.Time(to) + "~", ct))
        {
            foreach (var sample in ChunkCodec.Decode(chunk.Data))
                merged[sample.Timestamp] = sample.Value;
        }
        foreach (var sample in unfolded)
            merged[sample.Timestamp] = sample.Value;
        return merged.Where(s => s.Key >= from && s.Key <= to).OrderBy(s => s.Key).Select(s => new SamplePoint(s.Key, s.Value)).ToList();
    }

    /// <summary>The write-ahead samples of the given series after the watermark: one pass over the log for all of them.</summary>
    private async Task<Dictionary<string, List<SamplePoint>>> UnfoldedSamplesAsync(string tenant, IReadOnlyList<string> seriesIds, CancellationToken ct)
    {
        var samples = seriesIds.Distinct().ToDictionary(id => id, _ => new List<SamplePoint>(), StringComparer.Ordinal);
        foreach (var item in await UnfoldedLogAsync(tenant, ct))
        {
            var ids = await SeriesSetAsync(tenant, item.Attributes[SetAttribute], ct);
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

    private async Task<string?> FoldedThroughAsync(string tenant, CancellationToken ct) =>
        (await table.GetAsync(_table, DataKeys.FoldState(tenant), FoldStateSort, ct))?.Attributes[FoldedThroughAttribute];

    /// <summary>Write-ahead items after the watermark, in write order.</summary>
    private async Task<List<StoredItem>> UnfoldedLogAsync(string tenant, CancellationToken ct)
    {
        var watermark = await FoldedThroughAsync(tenant, ct);
        var cache = _logs.GetOrAdd(tenant, _ => new LogCache());
        var queriedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        string? from;
        lock (cache.Gate)
        {
            while (cache.Items.Count > 0 && string.CompareOrdinal(cache.Items.Keys[0], watermark) <= 0)
                cache.Items.RemoveAt(0);
            var recent = cache.QueriedAt < 0 ? null : DataKeys.Time(Math.Max(0, cache.QueriedAt - (long)WriteInFlight.TotalMilliseconds));
            from = string.CompareOrdinal(recent, watermark) > 0 ? recent : watermark;
        }
        var fresh = new List<StoredItem>();
        await foreach (var item in table.QueryAsync(_table, DataKeys.WriteAheadLog(tenant), from, null, ct))
            fresh.Add(item);
        lock (cache.Gate)
        {
            foreach (var item in fresh)
                cache.Items[item.Sort] = item;
            cache.QueriedAt = Math.Max(cache.QueriedAt, queriedAt);
            return cache.Items.Values.Where(i => string.CompareOrdinal(i.Sort, watermark) > 0).ToList();
        }
    }

    private async Task<string[]> SeriesSetAsync(string tenant, string setId, CancellationToken ct)
    {
        if (_sets.TryGetValue((tenant, setId), out var cached))
            return cached;
        var item = await table.GetAsync(_table, DataKeys.SeriesSets(tenant), setId, ct)
            ?? throw new InvalidOperationException($"Series set {setId} of tenant {tenant} is missing; it is written before any log item naming it.");
        var ids = item.Data!.Chunk(16).Select(Convert.ToHexStringLower).ToArray();
        _sets.TryAdd((tenant, setId), ids);
        return ids;
    }

    /// <summary>
    /// Folds the write-ahead items of every block that ended at least <see cref="FoldGrace"/> (plus
    /// <see cref="WriteInFlight"/>) ago into chunks, then moves the watermark. Samples of the still-open block are
    /// carried into one new write-ahead item. Safe to repeat after a crash: chunk keys derive from the block and the
    /// fold's boundary, so a rerun overwrites them. Returns the number of samples folded into chunks.
    /// </summary>
    public async Task<int> FoldAsync(string tenant, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var boundary = BlockStart((now - FoldGrace - WriteInFlight).ToUnixTimeMilliseconds());
        var through = DataKeys.Time(boundary + (long)FoldGrace.TotalMilliseconds);
        var watermark = await FoldedThroughAsync(tenant, ct);
        if (string.CompareOrdinal(watermark, through) >= 0)
            return 0;

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var folded = await FoldLogAsync(tenant, watermark, through, boundary, pass: 0, seen, now, ct);
        await table.PutAsync(_table,
        [
            new StoredItem(DataKeys.FoldState(tenant), FoldStateSort)
            {
                Attributes = new Dictionary<string, string> { [FoldedThroughAttribute] = through },
            },
        ], ct);
        // The second look: log writes that finished after the first read (see RewriteSlowWritesAsync).
        return folded + await FoldLogAsync(tenant, watermark, through, boundary, pass: 1, seen, now, ct);
    }

    /// <summary>Folds the log items in (after, through] not <paramref name="seen"/> yet; returns the samples folded.</summary>
    private async Task<int> FoldLogAsync(
        string tenant, string? after, string through, long boundary, int pass, HashSet<string> seen, DateTimeOffset now, CancellationToken ct)
    {
        var bySeries = new Dictionary<string, Dictionary<long, double>>(StringComparer.Ordinal);
        await foreach (var item in table.QueryAsync(_table, DataKeys.WriteAheadLog(tenant), after, through, ct))
        {
            if (item.Sort == after || !seen.Add(item.Sort))
                continue;
            var ids = await SeriesSetAsync(tenant, item.Attributes[SetAttribute], ct);
            var records = WalCodec.Decode(item.Data);
            for (var i = 0; i < ids.Length; i++)
            {
                if (!bySeries.TryGetValue(ids[i], out var samples))
                    bySeries[ids[i]] = samples = [];
                foreach (var sample in records[i])
                    samples[sample.Timestamp] = sample.Value;
            }
        }

        var retention = _options.RetentionFor(tenant);
        var oldest = (now - retention).ToUnixTimeMilliseconds();
        var chunks = new List<StoredItem>();
        var carried = new List<(string Id, List<SamplePoint> Samples)>();
        var folded = 0;
        foreach (var (id, samples) in bySeries)
        {
            var ordered = samples.Where(s => s.Key >= oldest).OrderBy(s => s.Key).Select(s => new SamplePoint(s.Key, s.Value)).ToList();
            carried.Add((id, ordered.Where(s => s.Timestamp >= boundary).ToList()));
            foreach (var block in ordered.Where(s => s.Timestamp < boundary).GroupBy(s => BlockStart(s.Timestamp)))
            {
                var expiry = DateTimeOffset.FromUnixTimeMilliseconds(block.Key + BlockMs) + retention;
                var part = 0;
                foreach (var piece in block.Chunk(MaxSamplesPerRecord))
                {
                    // Block first, so a time range is a key range; then this fold and pass, so later samples of a
                    // block add an item that sorts (and wins) after the earlier ones instead of overwriting them.
                    chunks.Add(new StoredItem(DataKeys.Chunks(tenant, id),
                        $"{DataKeys.Time(block.Key)}.{DataKeys.Time(boundary)}.{pass}{part++.ToString("D2", CultureInfo.InvariantCulture)}")
                    {
                        Data = ChunkCodec.Encode(piece),
                        ExpiresAt = expiry.ToUnixTimeSeconds(),
                    });
                    folded += piece.Length;
                }
            }
        }
        await table.PutAsync(_table, chunks, ct);

        var carry = carried.Where(c => c.Samples.Count > 0).ToList();
        if (carry.Count > 0)
        {
            var metadata = new List<StoredItem>();
            var log = PackRecords(carry).Select(record => WriteAheadItem(tenant, record, now, metadata) with
            {
                // After everything folded now, before anything written later.
                Sort = through + "." + Guid.NewGuid().ToString("N"),
            }).ToList();
            await table.PutAsync(_table, metadata.DistinctBy(i => i.Sort).ToList(), ct);
            await table.PutAsync(_table, log, ct);
        }
        return folded;
    }

    public async Task<IReadOnlyList<Series>> FindSeriesAsync(
        string tenant, string metric, IReadOnlyList<LabelMatcher> matchers, int limit, CancellationToken ct)
    {
        var found = new List<Series>();
        await foreach (var item in table.QueryAsync(_table, DataKeys.SeriesByMetric(tenant, metric), null, null, ct))
        {
            var labels = JsonSerializer.Deserialize<Dictionary<string, string>>(item.Attributes[LabelsAttribute])!;
            if (!matchers.All(m => m.Matches(labels)))
                continue;
            found.Add(Series.Of(tenant, labels));
            if (found.Count >= limit)
                break;
        }
        return found;
    }

    public async Task<IReadOnlyList<string>> MetricNamesAsync(string tenant, CancellationToken ct)
    {
        var names = new List<string>();
        await foreach (var item in table.QueryAsync(_table, DataKeys.Metrics(tenant), null, null, ct))
            names.Add(item.Sort);
        return names;
    }

    private static long BlockStart(long unixMilliseconds) => unixMilliseconds - ((unixMilliseconds % BlockMs) + BlockMs) % BlockMs;
}
