using System.Numerics;
using AiDevOps.Contracts;

namespace AiDevOps.Storage;

/// <summary>
/// Compresses the samples of one series. Timestamps are Gorilla's delta-of-delta in variable-width buckets (a
/// regular interval costs one bit; Pelkonen et al., VLDB 2015). Values take the smaller of two encodings: Gorilla's
/// XOR with the previous value, or, when every value is an integer or a whole number of hundredths (byte counters,
/// USER_HZ CPU seconds, load averages: most of node_exporter), the difference to the previous one in a
/// variable-width window — a counter moving by a few thousand costs a dozen bits where XOR costs thirty.
/// Pure: bytes in, samples out. Values round-trip bit for bit, so NaN payloads (Prometheus's stale marker),
/// infinities and -0.0 survive (they simply rule the integer encoding out).
/// </summary>
public static class ChunkCodec
{
    private enum ValueEncoding : byte
    {
        Xor = 0,
        Integers = 1,
        Hundredths = 2,
    }

    /// <summary>Encodes samples whose timestamps strictly increase; anything else is refused, not reordered.</summary>
    public static byte[] Encode(IReadOnlyList<SamplePoint> samples)
    {
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].Timestamp <= samples[i - 1].Timestamp)
                throw new ArgumentException(
                    $"Timestamps must strictly increase: sample {i} has {samples[i].Timestamp} after {samples[i - 1].Timestamp}.", nameof(samples));
        }
        var best = Encode(samples, ValueEncoding.Xor);
        foreach (var scaled in new[] { ValueEncoding.Integers, ValueEncoding.Hundredths })
        {
            var scale = scaled == ValueEncoding.Integers ? 1 : 100;
            if (samples.Count > 0 && samples.All(s => ExactValues.TryScale(s.Value, scale, out _)))
            {
                var candidate = Encode(samples, scaled);
                if (candidate.Length < best.Length)
                    best = candidate;
                break; // integers are hundredths too, and never cost more as integers
            }
        }
        return best;
    }

    private static byte[] Encode(IReadOnlyList<SamplePoint> samples, ValueEncoding encoding)
    {
        var writer = new BitWriter();
        writer.WriteVarint((ulong)samples.Count);
        if (samples.Count == 0)
            return writer.ToArray();
        writer.WriteBits((ulong)encoding, 8);
        var values = new ValueWriter(writer, encoding);
        writer.WriteVarint(ZigZag.Encode(samples[0].Timestamp));
        values.WriteFirst(samples[0].Value);
        long previousTime = samples[0].Timestamp, previousDelta = 0;
        for (var i = 1; i < samples.Count; i++)
        {
            var delta = samples[i].Timestamp - previousTime;
            if (i == 1)
                writer.WriteVarint((ulong)delta);
            else
                WriteDeltaOfDelta(writer, delta - previousDelta);
            (previousTime, previousDelta) = (samples[i].Timestamp, delta);
            values.WriteNext(samples[i].Value);
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
        var encoding = (ValueEncoding)reader.ReadBits(8);
        if (encoding is not (ValueEncoding.Xor or ValueEncoding.Integers or ValueEncoding.Hundredths))
            throw new FormatException($"Unknown value encoding {(byte)encoding} in a chunk.");
        var values = new ValueReader(encoding);

        var time = ZigZag.Decode(reader.ReadVarint());
        samples.Add(new SamplePoint(time, values.ReadFirst(ref reader)));
        long delta = 0;
        for (var i = 1; i < (int)count; i++)
        {
            delta = i == 1 ? (long)reader.ReadVarint() : delta + ReadDeltaOfDelta(ref reader);
            time += delta;
            samples.Add(new SamplePoint(time, values.ReadNext(ref reader)));
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

    /// <summary>
    /// Both value encodings write "0" for an unchanged value, else "1", then "0" + the bits inside the previous
    /// window or "1" + a new window (6 bits each for its position and length) + the bits. XOR windows the XOR's
    /// meaningful bits; the integer encodings write the difference's sign bit first and window its magnitude.
    /// </summary>
    private sealed class ValueWriter(BitWriter writer, ValueEncoding encoding)
    {
        private readonly long _scale = encoding == ValueEncoding.Hundredths ? 100 : 1;
        private ulong _previousBits;
        private long _previous;
        private int _windowLeading = -1, _windowLength;

        public void WriteFirst(double value)
        {
            if (encoding == ValueEncoding.Xor)
            {
                _previousBits = BitConverter.DoubleToUInt64Bits(value);
                writer.WriteBits(_previousBits, 64);
                return;
            }
            ExactValues.TryScale(value, _scale, out _previous);
            writer.WriteVarint(ZigZag.Encode(_previous));
        }

        public void WriteNext(double value)
        {
            if (encoding == ValueEncoding.Xor)
            {
                var bits = BitConverter.DoubleToUInt64Bits(value);
                WriteChange(bits ^ _previousBits, negative: false);
                _previousBits = bits;
                return;
            }
            ExactValues.TryScale(value, _scale, out var scaled);
            var difference = scaled - _previous;
            _previous = scaled;
            // Sign and magnitude rather than zig-zag, so a difference in whole pages (4096 bytes) keeps its
            // trailing zeros for the window to drop.
            WriteChange((ulong)Math.Abs(difference), negative: difference < 0);
        }

        private void WriteChange(ulong change, bool negative)
        {
            if (change == 0)
            {
                writer.WriteBit(false);
                return;
            }
            writer.WriteBit(true);
            if (encoding != ValueEncoding.Xor)
                writer.WriteBit(negative);
            var leading = BitOperations.LeadingZeroCount(change);
            var trailing = BitOperations.TrailingZeroCount(change);
            // Reuse the window when the bits fit and it wastes less than a new header would cost.
            if (_windowLeading >= 0 && leading >= _windowLeading && trailing >= 64 - _windowLeading - _windowLength
                && (64 - leading - trailing) + 12 > _windowLength)
            {
                writer.WriteBit(false);
                writer.WriteBits(change >> (64 - _windowLeading - _windowLength), _windowLength);
                return;
            }
            _windowLeading = leading;
            _windowLength = 64 - leading - trailing;
            writer.WriteBit(true);
            writer.WriteBits((ulong)_windowLeading, 6);
            writer.WriteBits((ulong)(_windowLength - 1), 6);
            writer.WriteBits(change >> trailing, _windowLength);
        }
    }

    private ref struct ValueReader(ValueEncoding encoding)
    {
        private ulong _previousBits;
        private long _previous;
        private int _windowLeading, _windowLength;

        public double ReadFirst(ref BitReader reader)
        {
            if (encoding == ValueEncoding.Xor)
            {
                _previousBits = reader.ReadBits(64);
                return BitConverter.UInt64BitsToDouble(_previousBits);
            }
            _previous = ZigZag.Decode(reader.ReadVarint());
            return Value();
        }

        public double ReadNext(ref BitReader reader)
        {
            ulong change = 0;
            var negative = false;
            if (reader.ReadBit())
            {
                negative = encoding != ValueEncoding.Xor && reader.ReadBit();
                if (reader.ReadBit())
                {
                    _windowLeading = (int)reader.ReadBits(6);
                    _windowLength = (int)reader.ReadBits(6) + 1;
                }
                change = reader.ReadBits(_windowLength) << (64 - _windowLeading - _windowLength);
            }
            if (encoding == ValueEncoding.Xor)
            {
                _previousBits ^= change;
                return BitConverter.UInt64BitsToDouble(_previousBits);
            }
            _previous += negative ? -(long)change : (long)change;
            return Value();
        }

        private readonly double Value() => encoding == ValueEncoding.Hundredths ? _previous / 100.0 : _previous;
    }
}

/// <summary>Which doubles an integer holds exactly, scaled by 1 or 100: shared by the chunk and log codecs.</summary>
internal static class ExactValues
{
    private const double MaxExactInteger = 9007199254740992; // 2^53: every integer up to it is a double.

    /// <summary>True when <paramref name="value"/> × <paramref name="scale"/> is an integer that decodes to the same bits.</summary>
    public static bool TryScale(double value, long scale, out long scaled)
    {
        var rounded = Math.Round(value * scale);
        scaled = Math.Abs(rounded) < MaxExactInteger ? (long)rounded : 0;
        // Decoding must give back the same bits, which keeps -0.0 and NaN out.
        return Math.Abs(rounded) < MaxExactInteger
            && BitConverter.DoubleToInt64Bits(scale == 1 ? scaled : scaled / (double)scale) == BitConverter.DoubleToInt64Bits(value);
    }
}
