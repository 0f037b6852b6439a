using AiDevOps.Brain.Ingest;
using AiDevOps.Contracts;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tests;

public sealed class DetectionBacklogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Ingest_waits_while_the_detectors_are_behind_and_goes_on_once_they_catch_up()
    {
        var backlog = Backlog(maxSamples: 10_000);
        await backlog.EnqueueAsync(Batch(6_000), CancellationToken.None).WaitAsync(Timeout);

        var second = backlog.EnqueueAsync(Batch(6_000), CancellationToken.None);
        await Task.Delay(200);
        Assert.False(second.IsCompleted, "room was given beyond Ingest:DetectionBacklogSamples");
        Assert.Equal(6_000, backlog.QueuedSamples);

        await using var reader = backlog.ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync());
        backlog.Done(reader.Current);
        await second.WaitAsync(Timeout);
        Assert.Equal(6_000, backlog.QueuedSamples);
    }

    [Fact]
    public async Task A_batch_larger_than_the_bound_is_taken_when_nothing_else_waits_so_nothing_stored_is_dropped()
    {
        var backlog = Backlog(maxSamples: 10_000);
        await backlog.EnqueueAsync(Batch(50_000), CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(50_000, backlog.QueuedSamples);
    }

    [Fact]
    public void A_bound_out_of_range_stops_the_Brain_naming_the_option()
    {
        var error = BrainFactory.StartupError(("Ingest:DetectionBacklogSamples", "5"));
        Assert.Contains("Ingest:DetectionBacklogSamples must be between 10000 and 100000000", error, StringComparison.Ordinal);
    }

    private static DetectionBacklog Backlog(int maxSamples) =>
        new(Options.Create(new IngestOptions { DetectionBacklogSamples = maxSamples }));

    private static IngestedBatch Batch(int samples)
    {
        var series = Series.Of("acme", new Dictionary<string, string> { [WellKnownLabels.MetricName] = "node_load1" });
        var points = Enumerable.Range(0, samples).Select(i => new SamplePoint(i * 15_000L, 1)).ToList();
        return new IngestedBatch([(series, points)], samples);
    }
}
