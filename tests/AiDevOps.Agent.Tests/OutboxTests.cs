using AiDevOps.Agent.Delivery;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;

namespace AiDevOps.Agent.Tests;

public class OutboxTests
{
    private static SeriesSamples Series(string name, int samples) =>
        new(new Dictionary<string, string> { ["__name__"] = name, ["job"] = "j" }, Enumerable.Range(1, samples).Select(i => new SamplePoint(i, i)).ToList());

    [Fact]
    public void Batches_hold_at_most_the_limit_and_split_a_long_series_without_losing_a_sample()
    {
        var batches = Outbox.Batches([Series("a", 3), Series("b", 12), Series("c", 1)], maxSamples: 5).ToList();

        Assert.All(batches, b => Assert.True(b.Sum(s => s.Samples.Count) <= 5));
        Assert.Equal(16, batches.Sum(b => b.Sum(s => s.Samples.Count)));
        var b = batches.SelectMany(x => x).Where(s => s.Labels["__name__"] == "b").SelectMany(s => s.Samples).Select(s => s.Timestamp);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), b);
    }

    [Fact]
    public void Remote_write_round_trips_labels_and_special_values()
    {
        var series = new List<SeriesSamples>
        {
            new(new Dictionary<string, string> { ["__name__"] = "up", ["instance"] = "a:9100", ["job"] = "node" },
                [new SamplePoint(1700000000000, 1), new SamplePoint(1700000015000, double.NaN), new SamplePoint(1700000030000, double.NegativeInfinity)]),
        };
        var decoded = RemoteWriteCodec.Decode(RemoteWriteCodec.Encode(series), 1 << 20);

        var only = Assert.Single(decoded);
        Assert.Equal(series[0].Labels, only.Labels);
        Assert.Equal([1700000000000L, 1700000015000, 1700000030000], only.Samples.Select(s => s.Timestamp));
        Assert.True(double.IsNaN(only.Samples[1].Value));
        Assert.Equal(double.NegativeInfinity, only.Samples[2].Value);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4, 5 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(new byte[0])]
    public void Garbage_is_refused_as_invalid_data(byte[] garbage) =>
        Assert.Throws<InvalidDataException>(() => RemoteWriteCodec.Decode(garbage, 1 << 20));

    [Fact]
    public void A_body_that_would_decompress_past_the_limit_is_refused_before_decompressing()
    {
        var big = RemoteWriteCodec.Encode([Series("big", 10_000)]);
        Assert.Contains("at most 1024", Assert.Throws<InvalidDataException>(() => RemoteWriteCodec.Decode(big, 1024)).Message);
    }
}
