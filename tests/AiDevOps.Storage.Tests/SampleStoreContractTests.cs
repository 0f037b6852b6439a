using AiDevOps.Storage;
using AiDevOps.Storage.Query;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;

namespace AiDevOps.Storage.Tests;

/// <summary>
/// The storage contract, run against every backend: what one backend does, the other must do too. Each test uses
/// fresh tenant names, so tests share one table without seeing each other.
/// </summary>
public abstract class SampleStoreContractTests<TBackend>(TBackend backend) : IClassFixture<TBackend>
    where TBackend : class, IStorageBackend
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private const long Step = 15_000;
    private readonly ManualClock _clock = new(Start);
    private readonly string _tenant = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly StorageOptions _options = new() { TablePrefix = "contract" };

    private async Task<ChunkedSampleStore> StoreAsync(Func<IKeyValueTable, IKeyValueTable>? wrap = null)
    {
        var table = backend.Table(_clock);
        table = wrap?.Invoke(table) ?? table;
        await table.EnsureTableAsync(_options.DataTable, CancellationToken.None);
        await table.EnsureTableAsync(_options.AlertConfigsTable, CancellationToken.None);
        return new ChunkedSampleStore(table, Options.Create(_options), _clock);
    }

    private Series Cpu(string instance, string? tenant = null) => Series.Of(tenant ?? _tenant, new Dictionary<string, string>
    {
        ["__name__"] = "node_cpu_seconds_total", ["instance"] = instance, ["job"] = "node", ["mode"] = "idle",
    });

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>One delivery per step from <see cref="Start"/>, the clock following; each series counts up by 1.5.</summary>
    private async Task IngestAsync(ChunkedSampleStore store, IReadOnlyList<Series> series, int steps, int firstStep = 0)
    {
        for (var i = firstStep; i < firstStep + steps; i++)
        {
            _clock.Now = Start.AddMilliseconds(i * Step);
            await store.AppendAsync(series.Select(s => (s, (IReadOnlyList<SamplePoint>)[new SamplePoint(Ms(_clock.Now), i * 1.5)])).ToList(), default);
        }
    }

    [Fact]
    public async Task Appended_samples_read_back_oldest_first_with_the_last_write_of_a_timestamp_winning()
    {
        var store = await StoreAsync();
        var series = Cpu("a:9100");
        var t = Ms(Start);
        await store.AppendAsync([(series, [new(t + 30_000, 3), new(t, 1), new(t + 15_000, double.NaN)])], default);
        await store.AppendAsync([(series, [new(t, -0.0)])], default);

        var read = await store.ReadAsync(_tenant, series.Id, t, t + 60_000, 100, default);

        ChunkCodecTests.AssertSameBits([new(t, -0.0), new(t + 15_000, double.NaN), new(t + 30_000, 3)], read);
        Assert.Equal([t + 15_000], (await store.ReadAsync(_tenant, series.Id, t + 1, t + 29_999, 100, default)).Select(s => s.Timestamp));
        Assert.Single(await store.ReadAsync(_tenant, series.Id, t, t + 60_000, 1, default));
    }

    [Fact]
    public async Task Acknowledged_samples_survive_a_restart_before_and_after_folding()
    {
        var series = new[] { Cpu("a:9100"), Cpu("b:9100") };
        // 2 h 30 min: one block to fold and half a block still in the log.
        await IngestAsync(await StoreAsync(), series, steps: 600);
        var expected = Enumerable.Range(0, 600).Select(i => new SamplePoint(Ms(Start) + i * Step, i * 1.5)).ToList();
        var range = (Ms(Start), Ms(Start) + 600 * Step);

        var restarted = await StoreAsync();
        ChunkCodecTests.AssertSameBits(expected, await restarted.ReadAsync(_tenant, series[1].Id, range.Item1, range.Item2, 10_000, default));

        _clock.Now = Start.AddHours(4).AddMinutes(3);
        Assert.Equal(2 * 600, await restarted.FoldAsync(_tenant, default) + await restarted.FoldAsync(_tenant, default));
        Assert.Equal(0, await restarted.FoldAsync(_tenant, default));
        var afterFold = await StoreAsync();
        ChunkCodecTests.AssertSameBits(expected, await afterFold.ReadAsync(_tenant, series[1].Id, range.Item1, range.Item2, 10_000, default));
        ChunkCodecTests.AssertSameBits(expected[^10..], await afterFold.LatestAsync(_tenant, series[1].Id, 10, default));
    }

    [Fact]
    public async Task A_store_that_has_read_before_sees_what_another_Brain_appended_since()
    {
        var reader = await StoreAsync();
        var writer = await StoreAsync();
        var series = Cpu("a:9100");
        await IngestAsync(writer, [series], steps: 3);
        Assert.Equal(3, (await reader.ReadAsync(_tenant, series.Id, 0, DataKeys.MaxTime, 100, default)).Count);

        await IngestAsync(writer, [series], steps: 8, firstStep: 3);
        Assert.Equal(11, (await reader.ReadAsync(_tenant, series.Id, 0, DataKeys.MaxTime, 100, default)).Count);
        _clock.Now = Start.AddHours(2).AddMinutes(4);
        await writer.FoldAsync(_tenant, default);
        Assert.Equal(11, (await reader.ReadAsync(_tenant, series.Id, 0, DataKeys.MaxTime, 100, default)).Count);
    }

    [Fact]
    public async Task A_log_write_that_a_fold_passed_over_is_written_again_before_it_is_acknowledged()
    {
        var otherBrain = await StoreAsync();
        var series = Cpu("slow:9100");
        var at = Start.AddHours(2).AddSeconds(-1);
        // The write lands only after another Brain folded the block and moved the watermark past it.
        var store = await StoreAsync(table => new SlowLogWrites(table, async () =>
        {
            _clock.Now = Start.AddHours(2).AddMinutes(4);
            Assert.Equal(0, await otherBrain.FoldAsync(_tenant, default));
        }));
        _clock.Now = at;
        await store.AppendAsync([(series, [new SamplePoint(Ms(at), 5)])], default);

        Assert.Single(await otherBrain.ReadAsync(_tenant, series.Id, 0, DataKeys.MaxTime, 10, default));
        _clock.Now = Start.AddHours(4).AddMinutes(4);
        Assert.Equal(1, await otherBrain.FoldAsync(_tenant, default));
        Assert.Single(await (await StoreAsync()).ReadAsync(_tenant, series.Id, 0, DataKeys.MaxTime, 10, default));
    }

    /// <summary>Runs <paramref name="meanwhile"/> before the first write-ahead write reaches the table.</summary>
    private sealed class SlowLogWrites(IKeyValueTable inner, Func<Task> meanwhile) : IKeyValueTable
    {
        private Func<Task>? _pending = meanwhile;

        public async Task PutAsync(string table, IReadOnlyList<StoredItem> items, CancellationToken ct)
        {
            if (_pending is { } run && items.Any(i => i.Partition.EndsWith("|wal", StringComparison.Ordinal)))
            {
                _pending = null;
                await run();
            }
            await inner.PutAsync(table, items, ct);
        }

        public Task EnsureTableAsync(string table, CancellationToken ct) => inner.EnsureTableAsync(table, ct);
        public Task<StoredItem?> GetAsync(string table, string partition, string sort, CancellationToken ct) => inner.GetAsync(table, partition, sort, ct);
        public IAsyncEnumerable<StoredItem> QueryAsync(string table, string partition, string? fromSort, string? toSort, CancellationToken ct) =>
            inner.QueryAsync(table, partition, fromSort, toSort, ct);
        public Task DeleteAsync(string table, string partition, string sort, CancellationToken ct) => inner.DeleteAsync(table, partition, sort, ct);
    }

    [Fact]
    public async Task Late_samples_of_a_folded_block_are_merged_on_read()
    {
        var store = await StoreAsync();
        var series = Cpu("a:9100");
        await IngestAsync(store, [series], steps: 10);
        _clock.Now = Start.AddHours(2).AddMinutes(3);
        Assert.Equal(10, await store.FoldAsync(_tenant, default));

        await store.AppendAsync([(series, [new SamplePoint(Ms(Start) + 5, 42), new SamplePoint(Ms(Start), 7)])], default);
        var read = await store.ReadAsync(_tenant, series.Id, Ms(Start), Ms(Start) + Step, 100, default);
        Assert.Equal([(Ms(Start), 7.0), (Ms(Start) + 5, 42.0), (Ms(Start) + Step, 1.5)], read.Select(s => (s.Timestamp, s.Value)));

        _clock.Now = Start.AddHours(4).AddMinutes(3);
        await store.FoldAsync(_tenant, default);
        Assert.Equal(read, await (await StoreAsync()).ReadAsync(_tenant, series.Id, Ms(Start), Ms(Start) + Step, 100, default));
    }

    [Fact]
    public async Task A_tenant_never_sees_another_tenants_samples_series_or_metrics()
    {
        var store = await StoreAsync();
        var other = "o" + Guid.NewGuid().ToString("N")[..12];
        var mine = Cpu("a:9100");
        await store.AppendAsync([(mine, [new SamplePoint(Ms(Start), 1)])], default);

        // Same labels in another tenant: the id is the same, the data must not be.
        Assert.Equal(mine.Id, Cpu("a:9100", other).Id);
        Assert.Empty(await store.ReadAsync(other, mine.Id, 0, DataKeys.MaxTime, 100, default));
        Assert.Empty(await store.LatestAsync(other, mine.Id, 10, default));
        Assert.Empty(await store.FindSeriesAsync(other, mine.Metric, [], 100, default));
        Assert.Empty(await store.MetricNamesAsync(other, default));
        _clock.Now = Start.AddHours(2).AddMinutes(3);
        await store.FoldAsync(other, default);
        await store.FoldAsync(_tenant, default);
        Assert.Empty(await store.ReadAsync(other, mine.Id, 0, DataKeys.MaxTime, 100, default));
        Assert.Single(await store.ReadAsync(_tenant, mine.Id, 0, DataKeys.MaxTime, 100, default));
    }

    [Fact]
    public async Task Samples_older_than_the_tenants_retention_are_never_returned()
    {
        _options.TenantRetention[_tenant] = TimeSpan.FromHours(3);
        var store = await StoreAsync();
        var series = Cpu("a:9100");
        await IngestAsync(store, [series], steps: 4);
        _clock.Now = Start.AddHours(2).AddMinutes(3);
        await store.FoldAsync(_tenant, default);
        Assert.Equal(4, (await store.ReadAsync(_tenant, series.Id, 0, DataKeys.MaxTime, 100, default)).Count);

        _clock.Now = Start.AddHours(3).AddSeconds(20); // the first two samples are now older than 3 h
        Assert.Equal([2 * Step, 3 * Step], (await store.ReadAsync(_tenant, series.Id, 0, DataKeys.MaxTime, 100, default)).Select(s => s.Timestamp - Ms(Start)));
        _clock.Now = Start.AddHours(6);
        Assert.Empty(await store.ReadAsync(_tenant, series.Id, 0, DataKeys.MaxTime, 100, default));
        Assert.Empty(await store.LatestAsync(_tenant, series.Id, 10, default));
    }

    private static readonly string[] Hosts = ["a:9100", "b:9100", "c:9200"];

    [Fact]
    public async Task Series_are_found_by_metric_and_every_kind_of_label_matcher()
    {
        var store = await StoreAsync();
        await store.AppendAsync([.. Hosts.Select(i => (Cpu(i), (IReadOnlyList<SamplePoint>)[new SamplePoint(Ms(Start), 1)]))], default);

        async Task<string[]> Instances(params LabelMatcher[] matchers) =>
            [.. (await store.FindSeriesAsync(_tenant, "node_cpu_seconds_total", matchers, 100, default)).Select(s => s.Labels["instance"]).Order()];

        Assert.Equal(["a:9100", "b:9100", "c:9200"], await Instances());
        Assert.Equal(["b:9100"], await Instances(LabelMatcher.Create("instance", MatchOperator.Equal, "b:9100")));
        Assert.Equal(["a:9100", "c:9200"], await Instances(LabelMatcher.Create("instance", MatchOperator.NotEqual, "b:9100")));
        Assert.Equal(["a:9100", "b:9100"], await Instances(LabelMatcher.Create("instance", MatchOperator.Regex, ".*:9100")));
        Assert.Equal(["c:9200"], await Instances(LabelMatcher.Create("instance", MatchOperator.NotRegex, "[ab]:.*"), LabelMatcher.Create("job", MatchOperator.Equal, "node")));
        Assert.Equal(["node_cpu_seconds_total"], await store.MetricNamesAsync(_tenant, default));
    }

    [Fact]
    public async Task A_dense_series_is_split_into_items_that_stay_small()
    {
        var store = await StoreAsync();
        var series = Cpu("dense:9100");
        // 2 h at one sample a second, random values: the worst case for compression.
        var random = new Random(4);
        var samples = Enumerable.Range(0, 7200).Select(i => new SamplePoint(Ms(Start) + i * 1000L, random.NextDouble())).ToList();
        _clock.Now = Start.AddHours(2);
        await store.AppendAsync([(series, samples)], default);
        _clock.Now = Start.AddHours(2).AddMinutes(3);
        Assert.Equal(7200, await store.FoldAsync(_tenant, default));

        ChunkCodecTests.AssertSameBits(samples, await store.ReadAsync(_tenant, series.Id, 0, DataKeys.MaxTime, 10_000, default));
        Assert.True(ChunkCodec.Encode(samples.Take(ChunkedSampleStore.MaxSamplesPerRecord).ToList()).Length < 48 * 1024);
    }
}

public sealed class DynamoDbSampleStoreTests(DynaliteBackend backend) : SampleStoreContractTests<DynaliteBackend>(backend);

public sealed class AzureTablesSampleStoreTests(AzuriteBackend backend) : SampleStoreContractTests<AzuriteBackend>(backend);
