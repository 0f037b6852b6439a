using AiDevOps.Contracts;
using AiDevOps.Storage.Query;
using Microsoft.Extensions.Options;

namespace AiDevOps.Storage;

/// <summary>
/// Samples as compressed chunks, one item per series per two-hour block, on any <see cref="IKeyValueTable"/>, in three
/// parts: an ingest goes to the <see cref="WriteAheadLog"/> (and the <see cref="SeriesIndex"/> learns new series) and
/// is acknowledged when that is durable; the <see cref="ChunkFolder"/> later turns a finished block's log into one
/// chunk per series; reads merge chunks with the log after the watermark.
/// </summary>
public sealed class ChunkedSampleStore : ISampleStore
{
    public static readonly TimeSpan BlockLength = TimeSpan.FromHours(2);

    /// <summary>Samples in one log record, or one chunk item, at most.</summary>
    public const int MaxSamplesPerRecord = WriteAheadLog.MaxSamplesPerRecord;

    private static readonly long BlockMs = (long)BlockLength.TotalMilliseconds;

    private readonly IKeyValueTable _table;
    private readonly string _tableName;
    private readonly StorageOptions _options;
    private readonly TimeProvider _clock;
    private readonly SeriesIndex _index;
    private readonly WriteAheadLog _log;
    private readonly ChunkFolder _folder;

    public ChunkedSampleStore(IKeyValueTable table, IOptions<StorageOptions> options, TimeProvider clock)
    {
        _table = table;
        _tableName = options.Value.DataTable;
        _options = options.Value;
        _clock = clock;
        var recent = new RecentWrites();
        _index = new SeriesIndex(table, _tableName, recent);
        _log = new WriteAheadLog(table, _tableName, recent, clock);
        _folder = new ChunkFolder(table, _tableName, _log, _options, clock);
    }

    public async Task AppendAsync(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var metadata = new List<StoredItem>();
        var log = new List<StoredItem>();
        var ordered = SeriesBatch.Ordered(batch);
        for (var start = 0; start < ordered.Count;)
        {
            var tenant = ordered[start].Series.Tenant;
            var end = start + 1;
            while (end < ordered.Count && ordered[end].Series.Tenant == tenant)
                end++;
            var indexExpiry = now + _options.RetentionFor(tenant) + RecentWrites.Refresh;
            metadata.AddRange(_index.ItemsFor(tenant, SeriesOf(ordered, start, end), indexExpiry, now));
            foreach (var record in WriteAheadLog.PackRecords(Logged(ordered, start, end)))
                log.Add(_log.Item(tenant, record, now, metadata));
            start = end;
        }
        await _log.WriteAsync(metadata, log, now, ct);
    }

    private static IEnumerable<Series> SeriesOf(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> ordered, int start, int end)
    {
        for (var i = start; i < end; i++)
            yield return ordered[i].Series;
    }

    /// <summary>What goes into the log, in id order: each series with samples, its list as it came when it is one.</summary>
    private static IEnumerable<(string Id, List<SamplePoint> Samples)> Logged(
        IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> ordered, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            var (series, samples) = ordered[i];
            if (samples.Count > 0)
                yield return (series.Id, samples as List<SamplePoint> ?? [.. samples]);
        }
    }

    public async Task<IReadOnlyList<SamplePoint>> ReadAsync(string tenant, string seriesId, long since, long until, int limit, CancellationToken ct) =>
        (await ReadManyAsync(tenant, [seriesId], since, until, ct))[seriesId].Take(limit).ToList();

    /// <summary>Series read at once by <see cref="ReadManyAsync"/>: enough to hide round trips, few enough not to flood the table.</summary>
    private const int ReadConcurrency = 8;

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<SamplePoint>>> ReadManyAsync(
        string tenant, IReadOnlyList<string> seriesIds, long since, long until, CancellationToken ct)
    {
        var unfolded = await _log.UnfoldedSamplesAsync(tenant, seriesIds, ct);
        var ids = seriesIds.Distinct().ToList();
        var merged = new IReadOnlyList<SamplePoint>[ids.Count];
        // Each series is its own partition, one query each: a chart of 100 series waited for 100 round trips in a row.
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = ct },
            async (i, token) => merged[i] = await MergedAsync(tenant, ids[i], since, until, unfolded[ids[i]], token));
        var result = new Dictionary<string, IReadOnlyList<SamplePoint>>(ids.Count, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
            result[ids[i]] = merged[i];
        return result;
    }

    public async Task<IReadOnlyList<SamplePoint>> LatestAsync(string tenant, string seriesId, int count, CancellationToken ct)
    {
        var unfolded = (await _log.UnfoldedSamplesAsync(tenant, [seriesId], ct))[seriesId];
        var now = _clock.GetUtcNow();
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
        from = Math.Max(from, (_clock.GetUtcNow() - _options.RetentionFor(tenant)).ToUnixTimeMilliseconds());
        if (from > to)
            return [];
        var merged = new Dictionary<long, double>();
        var partition = DataKeys.Chunks(tenant, seriesId);
        await foreach (var chunk in _table.QueryAsync(_tableName, partition, DataKeys.Time(BlockStart(from)), DataKeys.Time(to) + "~", ct))
        {
            foreach (var sample in ChunkCodec.Decode(chunk.Data))
                merged[sample.Timestamp] = sample.Value;
        }
        foreach (var sample in unfolded)
            merged[sample.Timestamp] = sample.Value;
        return merged.Where(s => s.Key >= from && s.Key <= to).OrderBy(s => s.Key).Select(s => new SamplePoint(s.Key, s.Value)).ToList();
    }

    /// <summary>Folds every complete block of the tenant's log into chunks; returns the number of samples folded.</summary>
    public Task<int> FoldAsync(string tenant, CancellationToken ct) => _folder.FoldAsync(tenant, ct);

    public Task<IReadOnlyList<Series>> FindSeriesAsync(
        string tenant, string metric, IReadOnlyList<LabelMatcher> matchers, int limit, CancellationToken ct) =>
        _index.FindAsync(tenant, metric, matchers, limit, ct);

    public Task<IReadOnlyList<string>> MetricNamesAsync(string tenant, CancellationToken ct) => _index.MetricNamesAsync(tenant, ct);

    internal static long BlockStart(long unixMilliseconds) => unixMilliseconds - ((unixMilliseconds % BlockMs) + BlockMs) % BlockMs;
}
