using AiDevOps.Storage;
using AiDevOps.Contracts;
using CsCheck;

namespace AiDevOps.Storage.Tests;

public sealed class ChunkCodecTests
{
    private static readonly double[] Specials =
    [
        double.NaN, BitConverter.Int64BitsToDouble(0x7ff0000000000002), double.PositiveInfinity, double.NegativeInfinity,
        -0.0, 0.0, double.Epsilon, double.MaxValue, double.MinValue,
    ];

    /// <summary>Any double, with the values Prometheus really sends (stale-marker NaN, ±Inf, -0.0) made frequent.</summary>
    internal static readonly Gen<double> Values = Gen.Frequency(
        (4, Gen.Double),
        (2, Gen.Long.Select(BitConverter.Int64BitsToDouble)), // every bit pattern, NaN payloads included
        (2, Gen.Int[0, 3].Select(i => i * 0.25)),            // repeats, the common case
        (1, Gen.Int[0, 8].Select(i => Specials[i])));

    /// <summary>Strictly increasing timestamps: regular scrapes, jitter, gaps and huge jumps.</summary>
    internal static readonly Gen<List<SamplePoint>> Series =
        Gen.Select(
            Gen.Long[0, 1L << 45],
            Gen.Frequency(
                (4, Gen.Const(15_000L)),
                (2, Gen.Long[14_990, 15_010]),
                (1, Gen.Long[1, 5_000_000]),
                (1, Gen.Long[1, 1L << 40])).Array[0, 300],
            Values.Array[301])
        .Select((start, deltas, values) =>
        {
            var samples = new List<SamplePoint>(deltas.Length + 1) { new(start, values[0]) };
            for (var i = 0; i < deltas.Length; i++)
                samples.Add(new SamplePoint(samples[^1].Timestamp + deltas[i], values[i + 1]));
            return samples;
        });

    [Fact]
    public void Every_series_round_trips_bit_for_bit() =>
        Series.Sample(samples => AssertSameBits(samples, ChunkCodec.Decode(ChunkCodec.Encode(samples))), iter: 2000);

    /// <summary>Counters and gauges in integers or hundredths, which take the integer encodings, with jumps and resets.</summary>
    private static readonly Gen<List<SamplePoint>> Counters =
        Gen.Select(Gen.Long[0, 1L << 45], Gen.Long[-(1L << 40), 1L << 40], Gen.Frequency(
                (4, Gen.Long[0, 3000]), (1, Gen.Long[-100, 100]), (1, Gen.Long[-(1L << 50), 1L << 50])).Array[0, 300], Gen.Bool)
        .Select((start, first, steps, hundredths) =>
        {
            var samples = new List<SamplePoint>(steps.Length + 1);
            var value = first;
            for (var i = 0; i <= steps.Length; i++)
            {
                samples.Add(new SamplePoint(start + i * 15_000L, hundredths ? value / 100.0 : value));
                if (i < steps.Length)
                    value = Math.Clamp(value + steps[i], -(1L << 52), 1L << 52);
            }
            return samples;
        });

    [Fact]
    public void Counters_round_trip_and_cost_less_than_xor_would()
    {
        Counters.Sample(samples => AssertSameBits(samples, ChunkCodec.Decode(ChunkCodec.Encode(samples))), iter: 2000);
        var cpuSeconds = Enumerable.Range(0, 480).Select(i => new SamplePoint(i * 15_000L, (123_456_789 + i * 1_234L) / 100.0)).ToList();
        Assert.True(ChunkCodec.Encode(cpuSeconds).Length < 480 * 3, "a steady CPU-seconds counter takes under 3 bytes a sample");
    }

    [Fact]
    public void An_empty_chunk_round_trips() => Assert.Empty(ChunkCodec.Decode(ChunkCodec.Encode([])));

    [Fact]
    public void Timestamps_out_of_order_or_repeated_are_refused() =>
        Gen.Select(Series.Where(s => s.Count >= 2), Gen.Int, Gen.Bool).Sample((samples, at, repeat) =>
        {
            var i = 1 + (int)((uint)at % (uint)(samples.Count - 1));
            var previous = samples[i - 1].Timestamp;
            samples[i] = samples[i] with { Timestamp = repeat ? previous : previous - 1 };
            Assert.Throws<ArgumentException>(() => ChunkCodec.Encode(samples));
        });

    [Fact]
    public void A_regular_unchanging_series_costs_about_two_bits_a_sample()
    {
        var samples = Enumerable.Range(0, 480).Select(i => new SamplePoint(1_764_000_000_000 + i * 15_000L, 1)).ToList();
        Assert.True(ChunkCodec.Encode(samples).Length <= 480 * 2 / 8 + 20);
    }

    [Fact]
    public void Truncated_data_is_a_format_error_not_garbage()
    {
        var samples = Enumerable.Range(0, 50).Select(i => new SamplePoint(1_000 + i * 15_000L, i * 1.5)).ToList();
        var encoded = ChunkCodec.Encode(samples);
        Assert.Throws<FormatException>(() => ChunkCodec.Decode(encoded.AsSpan(0, encoded.Length / 2)));
    }

    internal static void AssertSameBits(IReadOnlyList<SamplePoint> expected, IReadOnlyList<SamplePoint> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i].Value), BitConverter.DoubleToInt64Bits(actual[i].Value));
        }
    }
}
