using AiDevOps.Contracts;

namespace AiDevOps.Storage;

/// <summary>
/// Encodes one delivery's samples for the write-ahead log: every series of a delivery, in the order of its series
/// set. The usual delivery (one sample per series, all at one timestamp, as an Agent's collection round gives) is
/// written as that timestamp once and then the values alone; any other as a count and timestamp differences per
/// series. Values are short varints when they are integers or hundredths, as most node_exporter values are; any
/// other value takes its 8 bytes. Lossless like <see cref="ChunkCodec"/>.
/// </summary>
public static class WalCodec
{
    private const ulong IntegerTag = 0, HundredthsTag = 1, RawTag = 2;

    public static byte[] Encode(IReadOnlyList<IReadOnlyList<SamplePoint>> samplesPerSeries)
    {
        var writer = new BitWriter();
        var uniform = samplesPerSeries.Count > 0 && samplesPerSeries.All(s => s.Count == 1 && s[0].Timestamp == samplesPerSeries[0][0].Timestamp);
        writer.WriteVarint((ulong)samplesPerSeries.Count << 1 | (uniform ? 1UL : 0));
        if (uniform)
        {
            writer.WriteVarint(ZigZag.Encode(samplesPerSeries[0][0].Timestamp));
            foreach (var samples in samplesPerSeries)
                WriteValue(writer, samples[0].Value);
            return writer.ToArray();
        }
        long previousTime = 0;
        foreach (var samples in samplesPerSeries)
        {
            writer.WriteVarint((ulong)samples.Count);
            foreach (var sample in samples)
            {
                writer.WriteVarint(ZigZag.Encode(sample.Timestamp - previousTime));
                previousTime = sample.Timestamp;
                WriteValue(writer, sample.Value);
            }
        }
        return writer.ToArray();
    }

    public static List<List<SamplePoint>> Decode(ReadOnlySpan<byte> encoded)
    {
        var result = new List<List<SamplePoint>>();
        var seriesCount = Visit(encoded, (series, sample) =>
        {
            while (result.Count <= series)
                result.Add([]);
            result[series].Add(sample);
        });
        while (result.Count < seriesCount)
            result.Add([]);
        return result;
    }

    /// <summary>
    /// Adds the samples of the series at the given positions of the record to their lists, stepping over the
    /// others without allocating: a read of a few series decodes a tenant's whole unfolded log this way.
    /// </summary>
    public static void DecodeSeries(ReadOnlySpan<byte> encoded, IReadOnlyDictionary<int, List<SamplePoint>> positions) =>
        Visit(encoded, (series, sample) =>
        {
            if (positions.TryGetValue(series, out var samples))
                samples.Add(sample);
        });

    /// <summary>Calls <paramref name="sample"/> for every sample with its series' position; returns the number of series.</summary>
    private static int Visit(ReadOnlySpan<byte> encoded, Action<int, SamplePoint> sample)
    {
        var reader = new BitReader(encoded);
        var header = reader.ReadVarint();
        var seriesCount = header >> 1;
        if (seriesCount > (ulong)encoded.Length)
            throw new FormatException($"A WAL record of {encoded.Length} bytes cannot hold {seriesCount} series.");
        if ((header & 1) == 1)
        {
            var timestamp = ZigZag.Decode(reader.ReadVarint());
            for (var s = 0; s < (int)seriesCount; s++)
                sample(s, new SamplePoint(timestamp, ReadValue(ref reader)));
            return (int)seriesCount;
        }
        long time = 0;
        for (var s = 0; s < (int)seriesCount; s++)
        {
            var count = reader.ReadVarint();
            if (count > (ulong)encoded.Length)
                throw new FormatException($"A WAL record of {encoded.Length} bytes cannot hold {count} samples.");
            for (ulong i = 0; i < count; i++)
            {
                time += ZigZag.Decode(reader.ReadVarint());
                sample(s, new SamplePoint(time, ReadValue(ref reader)));
            }
        }
        return (int)seriesCount;
    }

    private static void WriteValue(BitWriter writer, double value)
    {
        if (ExactValues.TryScale(value, 1, out var integer))
            writer.WriteVarint(ZigZag.Encode(integer) << 2 | IntegerTag);
        else if (ExactValues.TryScale(value, 100, out var hundredths))
            writer.WriteVarint(ZigZag.Encode(hundredths) << 2 | HundredthsTag);
        else
        {
            writer.WriteVarint(RawTag);
            writer.WriteBits(BitConverter.DoubleToUInt64Bits(value), 64);
        }
    }

    private static double ReadValue(ref BitReader reader)
    {
        var header = reader.ReadVarint();
        return (header & 3) switch
        {
            IntegerTag => ZigZag.Decode(header >> 2),
            HundredthsTag => ZigZag.Decode(header >> 2) / 100.0,
            RawTag => BitConverter.UInt64BitsToDouble(reader.ReadBits(64)),
            _ => throw new FormatException($"Unknown value tag {header & 3} in a WAL record."),
        };
    }
}
