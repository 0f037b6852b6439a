using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Tenancy;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tests;

/// <summary>One agent's detection as its grain drives it, on plain values: the compact delivery, owners, stamps.</summary>
public sealed class AgentDetectionTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-06T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly AgentIdentity Edge = new("edge", "acme");

    private static AgentDetection NewDetection() => new(Edge, new DetectionOptions(),
        new AgentDirectory(Options.Create(new AgentKeysOptions { Agents = [new AgentKeyOptions { Id = "edge", Tenant = "acme", KeySha256 = new string('a', 64) }] })));

    private static List<(Series Series, IReadOnlyList<SamplePoint> Samples)> Delivery(long at, double up, params string[] instances) =>
        [.. instances.Select(i => (Series.Of("acme", new Dictionary<string, string> { ["__name__"] = "up", ["instance"] = i }), (IReadOnlyList<SamplePoint>)[new SamplePoint(at, up)]))];

    [Fact]
    public void A_delivery_carries_labels_only_for_series_the_detection_does_not_know()
    {
        var detection = NewDetection();
        var first = Delivery(T0.ToUnixTimeMilliseconds(), 1, "a:9100", "b:9100");
        var compact = DeliveredBatch.Of(first, T0);

        Assert.Equal([first[0].Series.Id, first[1].Series.Id], detection.Unknown(compact));
        Assert.Empty(detection.Unknown(compact.WithLabels(first, [first[0].Series.Id, first[1].Series.Id])));
        Assert.Empty(detection.Observe(compact));

        // Known now: the next delivery needs no labels, and a target going down opens its anomaly, stamped with its agent.
        var down = DeliveredBatch.Of(Delivery(T0.AddSeconds(15).ToUnixTimeMilliseconds(), 0, "a:9100", "b:9100"), T0.AddSeconds(15));
        Assert.Empty(detection.Unknown(down));
        var opened = detection.Observe(down);
        Assert.Equal(2, opened.Count);
        Assert.All(opened, change => Assert.Equal("edge", change.Anomaly.Agent));
        Assert.True(detection.Owns(opened[0].Anomaly, legacyOwner: "other"));
        Assert.False(detection.Owns(opened[0].Anomaly with { Agent = "other" }, legacyOwner: "edge"));
        Assert.True(detection.Owns(opened[0].Anomaly with { Agent = null }, legacyOwner: "edge"));
    }

    [Fact]
    public void A_compact_delivery_keeps_every_series_samples_in_order()
    {
        List<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch =
        [
            (Series.Of("acme", new Dictionary<string, string> { ["__name__"] = "x" }), [new SamplePoint(1, 1.5), new SamplePoint(2, 2.5)]),
            (Series.Of("acme", new Dictionary<string, string> { ["__name__"] = "y" }), []),
            (Series.Of("acme", new Dictionary<string, string> { ["__name__"] = "z" }), [new SamplePoint(3, double.NaN)]),
        ];

        var compact = DeliveredBatch.Of(batch, T0);

        Assert.Equal([new SamplePoint(1, 1.5), new SamplePoint(2, 2.5)], compact.SamplesOf(0));
        Assert.Empty(compact.SamplesOf(1));
        Assert.True(double.IsNaN(Assert.Single(compact.SamplesOf(2)).Value));
        Assert.Equal(new Series?[] { null, batch[1].Series, null }, compact.WithLabels(batch, [batch[1].Series.Id]).Labels!);
    }

    [Fact]
    public void A_series_idle_past_ForgetIdleSeries_must_be_named_again()
    {
        var detection = NewDetection();
        var batch = Delivery(T0.ToUnixTimeMilliseconds(), 1, "a:9100");
        var compact = DeliveredBatch.Of(batch, T0);
        detection.Unknown(compact.WithLabels(batch, [batch[0].Series.Id]));
        detection.Observe(compact);

        detection.Tick(T0 + new DetectionOptions().ForgetIdleSeries + TimeSpan.FromMinutes(2));

        Assert.Equal([batch[0].Series.Id], detection.Unknown(compact));
    }
}
