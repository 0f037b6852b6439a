using System.Globalization;
using AiDevOps.Contracts;

namespace AiDevOps.Storage;

/// <summary>
/// Folds a tenant's write-ahead log into chunks, one item per series per <see cref="ChunkedSampleStore.BlockLength"/>
/// block (<see cref="ChunkCodec"/>), once the block is complete, then moves the log's watermark past what it folded.
/// </summary>
internal sealed class ChunkFolder(IKeyValueTable table, string tableName, WriteAheadLog log, StorageOptions options, TimeProvider clock)
{
    /// <summary>How long after a block ends its log items are folded: late deliveries of it still get in.</summary>
    public static readonly TimeSpan FoldGrace = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Folds the log items of every block that ended at least <see cref="FoldGrace"/> (plus
    /// <see cref="WriteAheadLog.WriteInFlight"/>) ago into chunks, then moves the watermark. Samples of the still-open
    /// block are carried into one new log item. Safe to repeat after a crash: chunk keys derive from the block and the
    /// fold's boundary, so a rerun overwrites them. Returns the number of samples folded into chunks.
    /// </summary>
    public async Task<int> FoldAsync(string tenant, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var boundary = ChunkedSampleStore.BlockStart((now - FoldGrace - WriteAheadLog.WriteInFlight).ToUnixTimeMilliseconds());
        var through = DataKeys.Time(boundary + (long)FoldGrace.TotalMilliseconds);
        var watermark = await log.WatermarkAsync(tenant, ct);
        if (string.CompareOrdinal(watermark, through) >= 0)
            return 0;

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var folded = await FoldLogAsync(tenant, watermark, through, boundary, pass: 0, seen, now, ct);
        await log.MoveWatermarkAsync(tenant, through, ct);
        // The second look: log writes that finished after the first read (see WriteAheadLog.WriteAsync).
        return folded + await FoldLogAsync(tenant, watermark, through, boundary, pass: 1, seen, now, ct);
    }

    /// <summary>Folds the log items in (after, through] not <paramref name="seen"/> yet; returns the samples folded.</summary>
    private async Task<int> FoldLogAsync(
        string tenant, string? after, string through, long boundary, int pass, HashSet<string> seen, DateTimeOffset now, CancellationToken ct)
    {
        var bySeries = new Dictionary<string, Dictionary<long, double>>(StringComparer.Ordinal);
        await foreach (var (item, ids, records) in log.ReadAsync(tenant, after, through, ct))
        {
            if (!seen.Add(item.Sort))
                continue;
            for (var i = 0; i < ids.Length; i++)
            {
                if (!bySeries.TryGetValue(ids[i], out var samples))
                    bySeries[ids[i]] = samples = [];
                foreach (var sample in records[i])
                    samples[sample.Timestamp] = sample.Value;
            }
        }

        var retention = options.RetentionFor(tenant);
        var oldest = (now - retention).ToUnixTimeMilliseconds();
        var chunks = new List<StoredItem>();
        var carried = new List<(string Id, List<SamplePoint> Samples)>();
        var folded = 0;
        foreach (var (id, samples) in bySeries)
        {
            var ordered = samples.Where(s => s.Key >= oldest).OrderBy(s => s.Key).Select(s => new SamplePoint(s.Key, s.Value)).ToList();
            carried.Add((id, ordered.Where(s => s.Timestamp >= boundary).ToList()));
            foreach (var block in ordered.Where(s => s.Timestamp < boundary).GroupBy(s => ChunkedSampleStore.BlockStart(s.Timestamp)))
            {
                var expiry = DateTimeOffset.FromUnixTimeMilliseconds(block.Key) + ChunkedSampleStore.BlockLength + retention;
                var part = 0;
                foreach (var piece in block.Chunk(WriteAheadLog.MaxSamplesPerRecord))
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
        await table.PutAsync(tableName, chunks, ct);

        var carry = carried.Where(c => c.Samples.Count > 0).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        if (carry.Count > 0)
        {
            var metadata = new List<StoredItem>();
            var items = WriteAheadLog.PackRecords(carry).Select(record => log.Item(tenant, record, now, metadata) with
            {
                // After everything folded now, before anything written later.
                Sort = through + "." + Guid.NewGuid().ToString("N"),
            }).ToList();
            await table.PutAsync(tableName, metadata.DistinctBy(i => i.Sort).ToList(), ct);
            await table.PutAsync(tableName, items, ct);
        }
        return folded;
    }
}
