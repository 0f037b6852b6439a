using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;
using Google.Protobuf;
using Snappier;

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

    [Fact]
    public void Encodes_the_same_bytes_as_the_generated_protobuf_code()
    {
        // Unsorted labels, empty and non-ASCII strings, several samples, special values and timestamps of every varint
        // length (0 and negative among them), a value of 0 (left out, as generated code leaves out defaults).
        var series = new List<SeriesSamples>
        {
            new(new Dictionary<string, string> { ["zone"] = "é-北", [WellKnownLabels.MetricName] = "m", ["empty"] = "", ["a"] = new string('v', 200) },
                [new SamplePoint(0, 0), new SamplePoint(1, double.NaN), new SamplePoint(-5, double.NegativeInfinity), new SamplePoint(long.MaxValue, 1e300)]),
            new(new Dictionary<string, string> { [WellKnownLabels.MetricName] = "up" }, [new SamplePoint(1_700_000_000_000, 1)]),
        };
        var generated = new WriteRequest();
        foreach (var s in series)
        {
            var timeSeries = new TimeSeries();
            timeSeries.Labels.AddRange(s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new Label { Name = l.Key, Value = l.Value }));
            timeSeries.Samples.AddRange(s.Samples.Select(p => new Sample { Timestamp = p.Timestamp, Value = p.Value }));
            generated.Timeseries.Add(timeSeries);
        }

        Assert.Equal(generated.ToByteArray(), Snappy.DecompressToArray(RemoteWriteCodec.Encode(series)));
    }
}
