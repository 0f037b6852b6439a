using System.Numerics;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Storage;

/// <summary>
/// Compresses the samples of one series, Gorilla style (Pelkonen et al., VLDB 2015): timestamps as
/// delta-of-delta in variable-width buckets (a regular interval costs one bit), values as the XOR with the previous
/// value (an unchanged value costs one bit). Pure: bytes in, samples out. Values round-trip bit for bit, so NaN
/// payloads (Prometheus's stale marker), infinities and -0.0 survive.
/// </summary>
public static class ChunkCodec
{
    /// <summary>Encodes samples whose timestamps strictly increase; anything else is refused, not reordered.</summary>
    public static byte[] Encode(IReadOnlyList<SamplePoint> samples)
    {
        var writer = new BitWriter();
        writer.WriteVarint((ulong)samples.Count);
        if (samples.Count == 0)
            return writer.ToArray();

        writer.WriteVarint(ZigZag.Encode(samples[0].Timestamp));
        var previousBits = BitConverter.DoubleToUInt64Bits(samples[0].Value);
        writer.WriteBits(previousBits, 64);
        long previousTime = samples[0].Timestamp, previousDelta = 0;
        int windowLeading = -1, windowLength = 0;
        for (var i = 1; i < samples.Count; i++)
        {
            var time = samples[i].Timestamp;
            if (time <= previousTime)
                throw new ArgumentException(
                    $"Timestamps must strictly increase: sample {i} has {time} after {previousTime}.", nameof(samples));
            var delta = time - previousTime;
            if (i == 1)
                writer.WriteVarint((ulong)delta);
            else
                WriteDeltaOfDelta(writer, delta - previousDelta);
            (previousTime, previousDelta) = (time, delta);

            var bits = BitConverter.DoubleToUInt64Bits(samples[i].Value);
            WriteXor(writer, bits ^ previousBits, ref windowLeading, ref windowLength);
            previousBits = bits;
        }
        return writer.ToArray();
    }

    public static List<SamplePoint> Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new BitReader(encoded);
        var count = reader.ReadVarint();
        if (count > (ulong)encoded.Length * 8)
            throw new FormatException($"A chunk of {encoded.Length} bytes cannot hold {count} samples.");
        var samples = new List<SamplePoint>((int)count);
        if (count == 0)
            return samples;

        var time = ZigZag.Decode(reader.ReadVarint());
        var bits = reader.ReadBits(64);
        samples.Add(new SamplePoint(time, BitConverter.UInt64BitsToDouble(bits)));
        long delta = 0;
        int windowLeading = 0, windowLength = 0;
        for (var i = 1; i < (int)count; i++)
        {
            delta = i == 1 ? (long)reader.ReadVarint() : delta + ReadDeltaOfDelta(ref reader);
            time += delta;
            if (reader.ReadBit())
            {
                if (reader.ReadBit())
                {
                    windowLeading = (int)reader.ReadBits(6);
                    windowLength = (int)reader.ReadBits(6) + 1;
                }
                bits ^= reader.ReadBits(windowLength) << (64 - windowLeading - windowLength);
            }
            samples.Add(new SamplePoint(time, BitConverter.UInt64BitsToDouble(bits)));
        }
        return samples;
    }

    // Buckets sized for millisecond timestamps: scrape jitter of a few ms fits the first one.
    private static void WriteDeltaOfDelta(BitWriter writer, long dod)
    {
        if (dod == 0)
            writer.WriteBit(false);
        else if (dod is >= -63 and <= 64)
            Bucket(writer, 0b10, 2, dod, 7);
        else if (dod is >= -255 and <= 256)
            Bucket(writer, 0b110, 3, dod, 9);
        else if (dod is >= -2047 and <= 2048)
            Bucket(writer, 0b1110, 4, dod, 12);
        else
        {
            writer.WriteBits(0b1111, 4);
            writer.WriteBits((ulong)dod, 64);
        }
    }

    private static void Bucket(BitWriter writer, ulong prefix, int prefixBits, long dod, int width)
    {
        writer.WriteBits(prefix, prefixBits);
        // Offset so that [-(2^(w-1) - 1), 2^(w-1)] maps onto [0, 2^w - 1].
        writer.WriteBits((ulong)(dod + (1L << (width - 1)) - 1), width);
    }

    private static long ReadDeltaOfDelta(ref BitReader reader)
    {
        if (!reader.ReadBit())
            return 0;
        var width = !reader.ReadBit() ? 7 : !reader.ReadBit() ? 9 : !reader.ReadBit() ? 12 : 64;
        var raw = reader.ReadBits(width);
        return width == 64 ? (long)raw : (long)raw - (1L << (width - 1)) + 1;
    }

    private static void WriteXor(BitWriter writer, ulong xor, ref int windowLeading, ref int windowLength)
    {
        if (xor == 0)
        {
            writer.WriteBit(false);
            return;
        }
        writer.WriteBit(true);
        var leading = BitOperations.LeadingZeroCount(xor);
        var trailing = BitOperations.TrailingZeroCount(xor);
        if (windowLeading >= 0 && leading >= windowLeading && trailing >= 64 - windowLeading - windowLength)
        {
            // Fits the previous window: no need to say where the meaningful bits are.
            writer.WriteBit(false);
            writer.WriteBits(xor >> (64 - windowLeading - windowLength), windowLength);
            return;
        }
        windowLeading = leading;
        windowLength = 64 - leading - trailing;
        writer.WriteBit(true);
        writer.WriteBits((ulong)windowLeading, 6);
        writer.WriteBits((ulong)(windowLength - 1), 6);
        writer.WriteBits(xor >> trailing, windowLength);
    }
}
