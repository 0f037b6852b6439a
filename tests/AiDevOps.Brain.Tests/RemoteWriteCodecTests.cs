using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;

namespace AiDevOps.Brain.Tests;

public sealed class RemoteWriteCodecTests
{
    private const int Limit = 1 << 20;

    private static byte[] Body(string instance) => RemoteWriteCodec.Encode(
    [
        new SeriesSamples(new Dictionary<string, string>
        {
            [WellKnownLabels.MetricName] = "node_load1",
            ["job"] = "node",
            ["instance"] = instance,
        }, [new SamplePoint(1_700_000_000_000, 0.5)]),
    ]);

    [Fact]
    public void Labels_decode_sorted_by_name_with_every_value()
    {
        var labels = Assert.Single(RemoteWriteCodec.Decode(Body("db-1:9100"), Limit)).Labels;
        Assert.Equal([WellKnownLabels.MetricName, "instance", "job"], labels.Keys);
        Assert.Equal("db-1:9100", labels["instance"]);
    }

    [Fact]
    public void A_label_string_seen_before_is_the_same_string_not_a_new_one_per_request()
    {
        var instance = "db-" + Guid.NewGuid().ToString("N");
        var first = Assert.Single(RemoteWriteCodec.Decode(Body(instance), Limit)).Labels;
        var second = Assert.Single(RemoteWriteCodec.Decode(Body(instance), Limit)).Labels;

        Assert.Same(first["instance"], second["instance"]);
        Assert.Same(first.Keys.First(), second.Keys.First());
    }

    [Fact]
    public void A_label_value_longer_than_the_pool_keeps_is_still_decoded_whole()
    {
        var instance = new string('x', 300);
        var labels = Assert.Single(RemoteWriteCodec.Decode(Body(instance), Limit)).Labels;
        Assert.Equal(instance, labels["instance"]);
    }
}
