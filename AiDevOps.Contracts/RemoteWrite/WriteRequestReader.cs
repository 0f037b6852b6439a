using System.Text;

namespace AiDevOps.Contracts.RemoteWrite;

/// <summary>
/// Why a remote_write body breaks the protocol, with the field it breaks it at (<c>timeseries[2].samples[0].value</c>);
/// the inner exception of the <see cref="InvalidDataException"/> that <see cref="RemoteWriteCodec.Decode"/> throws.
/// </summary>
public sealed class RemoteWriteFormatException(string field, string message) : FormatException(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Reads a WriteRequest from the protobuf wire format, holding it to remote_write 1.0 where a generated parser is
/// lenient: a known field sent with the wrong wire type is an error (a generated parser keeps it as an unknown field,
/// so a varint "value" would be stored as 0 and a varint "timeseries" as no series at all), label names are unique
/// within a series, and strings are UTF-8. Fields this Brain does not know (metadata, exemplars, histograms, newer
/// ones) are skipped.
/// </summary>
internal static class WriteRequestReader
{
    private const int VarintType = 0, Fixed64Type = 1, LengthType = 2, Fixed32Type = 5;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [ThreadStatic]
    private static List<KeyValuePair<string, string>>? _labels;

    public static List<SeriesSamples> Read(ReadOnlySpan<byte> data)
    {
        var series = new List<SeriesSamples>();
        var at = 0;
        while (at < data.Length)
        {
            var (field, wireType) = ReadTag(data, ref at, FieldPath.Request);
            if (field == 1)
            {
                var path = FieldPath.Request with { Series = series.Count };
                series.Add(ReadSeries(Message(data, ref at, wireType, path, "a TimeSeries message"), path));
            }
            else
                Skip(data, ref at, wireType, FieldPath.Request);
        }
        return series;
    }

    private static SeriesSamples ReadSeries(ReadOnlySpan<byte> data, FieldPath path)
    {
        // One scratch list per thread: the reader runs start to end without yielding, and a series' labels then
        // become the process's one set of those labels (LabelSets), not a list and a dictionary per series.
        var labels = _labels ??= new List<KeyValuePair<string, string>>(16);
        labels.Clear();
        var samples = new List<SamplePoint>(1);
        var at = 0;
        while (at < data.Length)
        {
            var (field, wireType) = ReadTag(data, ref at, path);
            switch (field)
            {
                case 1:
                    var labelPath = path with { Part = "labels", Index = labels.Count };
                    var (name, value) = ReadLabel(Message(data, ref at, wireType, labelPath, "a Label message"), labelPath);
                    labels.Add(new KeyValuePair<string, string>(name, value));
                    break;
                case 2:
                    var samplePath = path with { Part = "samples", Index = samples.Count };
                    samples.Add(ReadSample(Message(data, ref at, wireType, samplePath, "a Sample message"), samplePath));
                    break;
                default:
                    Skip(data, ref at, wireType, path);
                    break;
            }
        }
        return new SeriesSamples(LabelSets.Of(labels, out var duplicate)
            ?? throw new RemoteWriteFormatException((path with { Part = "labels" }).ToString(),
                $"The label name '{Truncate(duplicate!)}' appears twice in {path}; remote_write 1.0 requires unique label names."), samples);
    }

    private static (string Name, string Value) ReadLabel(ReadOnlySpan<byte> data, FieldPath path)
    {
        string name = "", value = "";
        var at = 0;
        while (at < data.Length)
        {
            var (field, wireType) = ReadTag(data, ref at, path);
            if (field == 1)
                name = Text(Message(data, ref at, wireType, path with { Leaf = "name" }, "a string"), path with { Leaf = "name" });
            else if (field == 2)
                value = Text(Message(data, ref at, wireType, path with { Leaf = "value" }, "a string"), path with { Leaf = "value" });
            else
                Skip(data, ref at, wireType, path);
        }
        return (name, value);
    }

    private static SamplePoint ReadSample(ReadOnlySpan<byte> data, FieldPath path)
    {
        double value = 0;
        long timestamp = 0;
        var at = 0;
        while (at < data.Length)
        {
            var (field, wireType) = ReadTag(data, ref at, path);
            if (field == 1)
            {
                Expect(wireType, Fixed64Type, path with { Leaf = "value" }, "a double");
                value = BitConverter.Int64BitsToDouble((long)ReadFixed64(data, ref at, path with { Leaf = "value" }));
            }
            else if (field == 2)
            {
                Expect(wireType, VarintType, path with { Leaf = "timestamp" }, "an int64");
                timestamp = (long)ReadVarint(data, ref at, path with { Leaf = "timestamp" });
            }
            else
                Skip(data, ref at, wireType, path);
        }
        return new SamplePoint(timestamp, value);
    }

    private static (int Field, int WireType) ReadTag(ReadOnlySpan<byte> data, ref int at, FieldPath path)
    {
        var tag = ReadVarint(data, ref at, path);
        var field = tag >> 3;
        if (field is 0 or > int.MaxValue)
            throw new RemoteWriteFormatException(path.ToString(), $"A field of {path} has the invalid field number {field}.");
        return ((int)field, (int)(tag & 7));
    }

    private static ReadOnlySpan<byte> Message(ReadOnlySpan<byte> data, ref int at, int wireType, FieldPath path, string what)
    {
        Expect(wireType, LengthType, path, what);
        var length = ReadVarint(data, ref at, path);
        if (length > (ulong)(data.Length - at))
            throw new RemoteWriteFormatException(path.ToString(), $"{path} claims {length} bytes; only {data.Length - at} remain: the body is truncated.");
        var message = data.Slice(at, (int)length);
        at += (int)length;
        return message;
    }

    private static void Expect(int wireType, int expected, FieldPath path, string what)
    {
        if (wireType != expected)
            throw new RemoteWriteFormatException(path.ToString(),
                $"{path} is sent with wire type {WireTypeName(wireType)}; remote_write 1.0 defines it as {what} (wire type {WireTypeName(expected)}).");
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int at, int wireType, FieldPath path)
    {
        switch (wireType)
        {
            case VarintType:
                ReadVarint(data, ref at, path);
                break;
            case Fixed64Type:
                ReadFixed64(data, ref at, path);
                break;
            case LengthType:
                Message(data, ref at, wireType, path, "a length-delimited field");
                break;
            case Fixed32Type:
                if (data.Length - at < 4)
                    throw new RemoteWriteFormatException(path.ToString(), $"A fixed32 field of {path} is truncated.");
                at += 4;
                break;
            default:
                throw new RemoteWriteFormatException(path.ToString(), $"A field of {path} has wire type {WireTypeName(wireType)}, which remote_write does not use.");
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int at, FieldPath path)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= data.Length)
                throw new RemoteWriteFormatException(path.ToString(), $"A varint in {path} is truncated.");
            var b = data[at++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw new RemoteWriteFormatException(path.ToString(), $"A varint in {path} is longer than 10 bytes.");
    }

    private static ulong ReadFixed64(ReadOnlySpan<byte> data, ref int at, FieldPath path)
    {
        if (data.Length - at < 8)
            throw new RemoteWriteFormatException(path.ToString(), $"The fixed64 {path} is truncated.");
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[at..]);
        at += 8;
        return value;
    }

    private static string Text(ReadOnlySpan<byte> bytes, FieldPath path)
    {
        try
        {
            return LabelStrings.Of(bytes, StrictUtf8);
        }
        catch (DecoderFallbackException)
        {
            throw new RemoteWriteFormatException(path.ToString(), $"{path} is not valid UTF-8.");
        }
    }

    private static string WireTypeName(int wireType) => wireType switch
    {
        VarintType => "varint",
        Fixed64Type => "fixed64",
        LengthType => "length-delimited",
        3 or 4 => "group",
        Fixed32Type => "fixed32",
        _ => wireType.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}

/// <summary>
/// Where in a WriteRequest the reader is (<c>timeseries[2].samples[0].value</c>), as numbers: spelled out only for
/// an error, since a body of 10,000 series has some 300,000 such places.
/// </summary>
internal readonly record struct FieldPath(int Series, string? Part, int Index, string? Leaf)
{
    public static readonly FieldPath Request = new(-1, null, -1, null);

    public override string ToString()
    {
        if (Series < 0)
            return "the WriteRequest";
        var text = new StringBuilder("timeseries[").Append(Series).Append(']');
        if (Part is not null)
        {
            text.Append('.').Append(Part);
            if (Index >= 0)
                text.Append('[').Append(Index).Append(']');
        }
        if (Leaf is not null)
            text.Append('.').Append(Leaf);
        return text.ToString();
    }
}
