using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// A stored delivery as it goes to the agent's detection, on whichever Brain that runs: series ids and flat arrays
/// of timestamps and values, which cross between Brains as block copies. Labels travel only for series the
/// detection does not know yet (<see cref="Labels"/>, one entry per id, null where left out): behind a round-robin
/// balancer most deliveries go to another Brain, and labels made most of their cost there.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeliveredBatch(
    [property: Id(0)] string[] SeriesIds,
    [property: Id(1)] int[] Ends,
    [property: Id(2)] long[] Timestamps,
    [property: Id(3)] double[] Values,
    [property: Id(4)] DateTimeOffset ReceivedAt,
    [property: Id(5)] Series?[]? Labels = null)
{
    /// <summary>A delivery in store order; series <c>i</c>'s samples end before <c>Ends[i]</c>.</summary>
    public static DeliveredBatch Of(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch, DateTimeOffset receivedAt)
    {
        var ids = new string[batch.Count];
        var ends = new int[batch.Count];
        var count = 0;
        for (var i = 0; i < batch.Count; i++)
            count += batch[i].Samples.Count;
        var timestamps = new long[count];
        var values = new double[count];
        var at = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            ids[i] = batch[i].Series.Id;
            foreach (var sample in batch[i].Samples)
            {
                timestamps[at] = sample.Timestamp;
                values[at++] = sample.Value;
            }
            ends[i] = at;
        }
        return new DeliveredBatch(ids, ends, timestamps, values, receivedAt);
    }

    /// <summary>The same delivery with the series of <paramref name="wanted"/> (ids) named in full.</summary>
    public DeliveredBatch WithLabels(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch, IEnumerable<string> wanted)
    {
        var wantedIds = wanted.ToHashSet(StringComparer.Ordinal);
        return this with { Labels = [.. batch.Select(s => wantedIds.Contains(s.Series.Id) ? s.Series : null)] };
    }

    /// <summary>Series <c>i</c>'s samples.</summary>
    public SamplePoint[] SamplesOf(int i)
    {
        var start = i == 0 ? 0 : Ends[i - 1];
        var samples = new SamplePoint[Ends[i] - start];
        for (var k = 0; k < samples.Length; k++)
            samples[k] = new SamplePoint(Timestamps[start + k], Values[start + k]);
        return samples;
    }
}

/// <summary>What the agent's detection made of a delivery: the agent's usual gap, or the series it must be told about first.</summary>
[GenerateSerializer, Immutable]
public sealed record Judgement([property: Id(0)] TimeSpan? UsualGap, [property: Id(1)] string[] UnknownSeries)
{
    public bool Judged => UnknownSeries.Length == 0;
}
