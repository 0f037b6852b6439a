using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tests;

/// <summary>The anomaly store on the Brain's real table (dynalite), with a gate that holds one read back.</summary>
public sealed class AnomalyStoreTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    /// <summary>The real table, whose first read waits until the test opens the gate.</summary>
    private sealed class GatedTable(IKeyValueTable inner) : IKeyValueTable
    {
        public readonly TaskCompletionSource Reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _reads;

        public async Task<StoredItem?> GetAsync(string table, string partition, string sort, CancellationToken ct)
        {
            var item = await inner.GetAsync(table, partition, sort, ct);
            if (Interlocked.Increment(ref _reads) == 1)
            {
                Reading.TrySetResult();
                await Gate.Task.WaitAsync(ct);
            }
            return item;
        }

        public Task EnsureTableAsync(string table, CancellationToken ct) => inner.EnsureTableAsync(table, ct);
        public Task PutAsync(string table, IReadOnlyList<StoredItem> items, CancellationToken ct) => inner.PutAsync(table, items, ct);
        public IAsyncEnumerable<StoredItem> QueryAsync(string table, string partition, string? fromSort, string? toSort, CancellationToken ct) =>
            inner.QueryAsync(table, partition, fromSort, toSort, ct);
        public Task DeleteAsync(string table, string partition, string sort, CancellationToken ct) => inner.DeleteAsync(table, partition, sort, ct);
    }

    [Fact]
    public async Task A_summary_written_back_while_the_anomaly_resolves_never_reopens_it()
    {
        var table = new GatedTable(brain.Services.GetRequiredService<IKeyValueTable>());
        using var store = new AnomalyStore(table, brain.Services.GetRequiredService<IOptions<StorageOptions>>());
        var series = Series.Of("acme", new Dictionary<string, string> { ["__name__"] = "up", ["instance"] = "race-" + Guid.NewGuid().ToString("N") });
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var opened = new Anomaly(Anomaly.IdFor(series, at), series, AnomalyKinds.TargetDown, "up", 1, at);
        await store.SaveAsync(opened, CancellationToken.None);

        // The summary has read the open anomaly and is about to write it back when the resolve comes.
        var summary = store.SetSummaryAsync(opened with { Summary = "late summary", SummarySource = "deterministic" }, CancellationToken.None);
        await table.Reading.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var resolve = store.ResolveAsync(opened with { ResolvedAt = opened.OpenedAt.AddMinutes(1) }, CancellationToken.None);
        await Task.Delay(300);
        table.Gate.SetResult();
        await Task.WhenAll(summary, resolve).WaitAsync(TimeSpan.FromSeconds(10));

        var stored = Assert.Single(await store.ListAsync("acme", open: null, limit: 10_000, CancellationToken.None), a => a.Id == opened.Id);
        Assert.Equal(opened.OpenedAt.AddMinutes(1), stored.ResolvedAt);
        Assert.Equal("late summary", stored.Summary);
    }
}
