using System.Text;

namespace AiDevOps.Contracts.RemoteWrite;

/// <summary>
/// Writes a WriteRequest in the protobuf wire format straight from <see cref="SeriesSamples"/>: sizes first, then the
/// bytes into one buffer of exactly that size. Building the generated message graph first cost an object per label
/// and per sample and a second copy of the body (12 MB for a scrape of 10,000 series, all garbage a moment later).
/// Fields at their default value are left out, as generated code does, so the bytes are the same. Labels go sorted by
/// name, as Prometheus sends them and receivers may rely on (a <see cref="LabelDictionary"/> already is).
/// </summary>
internal static class WriteRequestWriter
{
    private const byte TimeSeriesTag = 1 << 3 | 2, LabelTag = 1 << 3 | 2, SampleTag = 2 << 3 | 2;
    private const byte NameTag = 1 << 3 | 2, ValueTag = 2 << 3 | 2, DoubleTag = 1 << 3 | 1, TimestampTag = 2 << 3;

    /// <summary>The encoded size of the request holding <paramref name="series"/>.</summary>
    public static int Size(IReadOnlyList<SeriesSamples> series)
    {
        var size = 0;
        for (var i = 0; i < series.Count; i++)
            size += Field(SeriesSize(LabelDictionary.Of(series[i].Labels), series[i].Samples));
        return size;
    }

    /// <summary>Writes the request into <paramref name="buffer"/>, which holds at least <see cref="Size"/> bytes.</summary>
    public static void Write(IReadOnlyList<SeriesSamples> series, Span<byte> buffer)
    {
        var at = 0;
        for (var k = 0; k < series.Count; k++)
        {
            var s = series[k];
            var labels = LabelDictionary.Of(s.Labels);
            buffer[at++] = TimeSeriesTag;
            WriteVarint(buffer, ref at, (ulong)SeriesSize(labels, s.Samples));
            foreach (var (name, value) in labels.Sorted)
            {
                buffer[at++] = LabelTag;
                WriteVarint(buffer, ref at, (ulong)LabelSize(name, value));
                WriteString(buffer, ref at, NameTag, name);
                WriteString(buffer, ref at, ValueTag, value);
            }
            for (var i = 0; i < s.Samples.Count; i++)
            {
                var sample = s.Samples[i];
                buffer[at++] = SampleTag;
                WriteVarint(buffer, ref at, (ulong)SampleSize(sample));
                if (BitConverter.DoubleToInt64Bits(sample.Value) != 0)
                {
                    buffer[at++] = DoubleTag;
                    BitConverter.TryWriteBytes(buffer[at..], sample.Value);
                    at += sizeof(double);
                }
                if (sample.Timestamp != 0)
                {
                    buffer[at++] = TimestampTag;
                    WriteVarint(buffer, ref at, (ulong)sample.Timestamp);
                }
            }
        }
    }

    private static int SeriesSize(LabelDictionary labels, IReadOnlyList<SamplePoint> samples)
    {
        var size = 0;
        foreach (var (name, value) in labels.Sorted)
            size += Field(LabelSize(name, value));
        for (var i = 0; i < samples.Count; i++)
            size += Field(SampleSize(samples[i]));
        return size;
    }

    private static int LabelSize(string name, string value) => StringSize(name) + StringSize(value);

    private static int SampleSize(SamplePoint sample) =>
        (BitConverter.DoubleToInt64Bits(sample.Value) != 0 ? 1 + sizeof(double) : 0)
        + (sample.Timestamp != 0 ? 1 + VarintSize((ulong)sample.Timestamp) : 0);

    private static int StringSize(string text) => text.Length == 0 ? 0 : Field(Encoding.UTF8.GetByteCount(text));

    /// <summary>A length-delimited field of <paramref name="length"/> bytes: its tag, its length, its bytes.</summary>
    private static int Field(int length) => 1 + VarintSize((ulong)length) + length;

    private static int VarintSize(ulong value) => (64 - (int)ulong.LeadingZeroCount(value | 1) + 6) / 7;

    private static void WriteString(Span<byte> buffer, ref int at, byte tag, string text)
    {
        if (text.Length == 0)
            return;
        buffer[at++] = tag;
        WriteVarint(buffer, ref at, (ulong)Encoding.UTF8.GetByteCount(text));
        at += Encoding.UTF8.GetBytes(text, buffer[at..]);
    }

    private static void WriteVarint(Span<byte> buffer, ref int at, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[at++] = (byte)value;
    }
}
