using AiDevOps.Storage;
using AiDevOps.Contracts;
using CsCheck;

namespace AiDevOps.Storage.Tests;

public sealed class WalCodecTests
{
    // Deliveries may carry samples in any order, repeated, and far apart: the log keeps them as they came.
    private static readonly Gen<List<SamplePoint>> AnySamples =
        Gen.Select(Gen.Long[0, 1L << 45], ChunkCodecTests.Values).Select((t, v) => new SamplePoint(t, v)).List[0, 20];

    private static readonly Gen<double> NodeExporterValues = Gen.OneOf(
        Gen.Long[0, 1L << 40].Select(v => (double)v),
        Gen.Long[0, 10_000_000].Select(v => v / 100.0));

    // The usual delivery: one sample per series, all at one timestamp.
    private static readonly Gen<List<List<SamplePoint>>> OneRound =
        Gen.Select(Gen.Long[0, 1L << 45], ChunkCodecTests.Values.List[1, 40])
            .Select((t, values) => values.Select(v => new List<SamplePoint> { new(t, v) }).ToList());

    [Fact]
    public void Every_record_round_trips_bit_for_bit() =>
        Gen.OneOf(AnySamples.List[0, 40], OneRound).Sample(record =>
        {
            var decoded = WalCodec.Decode(WalCodec.Encode(record.Select(s => (IReadOnlyList<SamplePoint>)s).ToList()));
            Assert.Equal(record.Count, decoded.Count);
            for (var i = 0; i < record.Count; i++)
                ChunkCodecTests.AssertSameBits(record[i], decoded[i]);
        }, iter: 1000);

    [Fact]
    public void Decoding_a_few_series_gives_what_decoding_all_gives_for_them() =>
        Gen.Select(Gen.OneOf(AnySamples.List[1, 40], OneRound), Gen.Int.Array[0, 5]).Sample((record, picks) =>
        {
            var encoded = WalCodec.Encode(record.Select(s => (IReadOnlyList<SamplePoint>)s).ToList());
            var positions = picks.Select(p => (int)((uint)p % (uint)record.Count)).Distinct().ToDictionary(p => p, _ => new List<SamplePoint>());
            WalCodec.DecodeSeries(encoded, positions);
            foreach (var (position, samples) in positions)
                ChunkCodecTests.AssertSameBits(record[position], samples);
        });

    [Fact]
    public void Integers_and_hundredths_take_a_few_bytes_not_eight() =>
        NodeExporterValues.Sample(value =>
        {
            var encoded = WalCodec.Encode([[new SamplePoint(1_764_000_000_000, value)]]);
            Assert.True(encoded.Length <= 2 + 7 + 7, $"{value} took {encoded.Length} bytes");
        });
}
