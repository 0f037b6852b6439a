using System.Text;

namespace AiDevOps.Testing;

/// <summary>One fuzzed request: the headers that describe its body, and the body.</summary>
public sealed record HostileRequest(string? ContentType, string? ContentEncoding, byte[] Body, string Mutation);

/// <summary>
/// A deterministic fuzzer of request bodies: valid JSON or protobuf bodies mutated (bit flips, truncations,
/// inserted tokens, nulls, huge numbers, deep nesting) under random content types, charsets and encodings.
/// </summary>
public sealed class HostileRequests(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string?[] ContentTypes =
    [
        null, "application/json", "application/json; charset=utf-8", "application/json; charset=", "application/json; charset=klingon",
        "application/json; charset=\"\"", "application/json; charset=utf-16", "application/json;;charset", "text/plain",
        "application/x-protobuf", "application/x-protobuf; charset=klingon", "application/x-protobuf; proto=prometheus.WriteRequest",
        "application/problem+json", "multipart/form-data; boundary=", "application/x-www-form-urlencoded", "*/*", "application/",
    ];

    private static readonly string?[] ContentEncodings = [null, "snappy", "gzip", "identity", "br, snappy", "x-unknown", ""];

    private static readonly string[] JsonTokens =
    [
        "null", "1e309", "-1e400", "99999999999999999999999999", "-9223372036854775809", "NaN", "\"\\uD800\"", "\"\\u0000\"",
        "{}", "[]", "\"\"", "true", ",", ":", "{\"__name__\":null}", "\"__name__\":null,", "\"job\":null,\"job\":null,",
        new string('[', 300) + new string(']', 300), new string('{', 100), "\"" + new string('x', 5000) + "\"",
    ];

    /// <summary>A mutation of a valid JSON body, with mostly JSON-ish headers.</summary>
    public HostileRequest NextJson(string validJson)
    {
        var (body, mutation) = _random.Next(10) switch
        {
            0 => (Encoding.UTF8.GetBytes(validJson), "unchanged"),
            1 or 2 => Insert(Encoding.UTF8.GetBytes(validJson), Encoding.UTF8.GetBytes(Pick(JsonTokens))),
            3 => ReplaceValue(validJson),
            4 => (Encoding.UTF8.GetBytes(new string('[', 5000)), "deep nesting"),
            5 => Truncate(Encoding.UTF8.GetBytes(validJson)),
            _ => Flip(Encoding.UTF8.GetBytes(validJson)),
        };
        return new HostileRequest(_random.Next(3) == 0 ? Pick(ContentTypes) : "application/json",
            _random.Next(5) == 0 ? Pick(ContentEncodings) : null, body, mutation);
    }

    /// <summary>A mutation of a valid remote_write body (uncompressed protobuf), compressed or not, with mostly protobuf headers.</summary>
    public HostileRequest NextProtobuf(byte[] validProtobuf, Func<byte[], byte[]> compress)
    {
        var (raw, mutation) = _random.Next(8) switch
        {
            0 => (validProtobuf, "unchanged"),
            1 => Insert(validProtobuf, RandomBytes(_random.Next(1, 12))),
            2 => Truncate(validProtobuf),
            3 => (RandomBytes(_random.Next(0, 200)), "random bytes"),
            _ => Flip(validProtobuf),
        };
        var (body, compressed) = _random.Next(6) switch
        {
            0 => (raw, "uncompressed"),
            1 => Flip(compress(raw)),
            2 => Truncate(compress(raw)),
            _ => (compress(raw), "snappy"),
        };
        return new HostileRequest(_random.Next(4) == 0 ? Pick(ContentTypes) : "application/x-protobuf",
            _random.Next(4) == 0 ? Pick(ContentEncodings) : "snappy", body, $"{mutation}, {compressed}");
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private (byte[], string) Insert(byte[] body, byte[] inserted)
    {
        var at = _random.Next(body.Length + 1);
        return ([.. body[..at], .. inserted, .. body[at..]], $"inserted {inserted.Length} bytes at {at}");
    }

    private (byte[], string) Truncate(byte[] body)
    {
        var length = _random.Next(body.Length);
        return (body[..length], $"truncated to {length}");
    }

    private (byte[], string) Flip(byte[] body)
    {
        var copy = (byte[])body.Clone();
        var flips = _random.Next(1, 6);
        for (var i = 0; i < flips && copy.Length > 0; i++)
            copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        return (copy, $"{flips} bit flips");
    }

    /// <summary>Replaces one JSON string or number value with null or a hostile value.</summary>
    private (byte[], string) ReplaceValue(string json)
    {
        var colons = Enumerable.Range(0, json.Length).Where(i => json[i] == ':').ToArray();
        if (colons.Length == 0)
            return (Encoding.UTF8.GetBytes(json), "unchanged");
        var at = colons[_random.Next(colons.Length)] + 1;
        var end = at;
        if (end < json.Length && json[end] == '"')
            end = json.IndexOf('"', end + 1) + 1;
        else
            while (end < json.Length && (char.IsAsciiDigit(json[end]) || json[end] is '-' or '.' or 'e' or 'E' or '+'))
                end++;
        var value = Pick(["null", "1e309", "-1", "0", "18446744073709551616", "\"\"", "{}", "[null]", "\"\\ud800\""]);
        return (Encoding.UTF8.GetBytes(json[..at] + value + json[end..]), $"value at {at} replaced with {value}");
    }
}

/// <summary>Protobuf wire format written by hand, for bodies the generated code would never write.</summary>
public static class ProtobufWire
{
    public const int Varint = 0, Fixed64 = 1, Length = 2;

    public static byte[] Tag(int field, int wireType) => VarintBytes((ulong)((field << 3) | wireType));

    public static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    public static byte[] Field(int field, byte[] message) => [.. Tag(field, Length), .. VarintBytes((ulong)message.Length), .. message];

    public static byte[] TextField(int field, string value) => Field(field, Encoding.UTF8.GetBytes(value));

    public static byte[] DoubleField(int field, double value) => [.. Tag(field, Fixed64), .. BitConverter.GetBytes(value)];

    public static byte[] VarintField(int field, long value) => [.. Tag(field, Varint), .. VarintBytes((ulong)value)];

    /// <summary>A remote_write Label (name = 1, value = 2).</summary>
    public static byte[] Label(string name, string value) => Field(1, [.. TextField(1, name), .. TextField(2, value)]);

    /// <summary>A remote_write Sample (value = 1, double; timestamp = 2, int64).</summary>
    public static byte[] Sample(double value, long timestamp) => Field(2, [.. DoubleField(1, value), .. VarintField(2, timestamp)]);

    /// <summary>A WriteRequest of the given TimeSeries bodies (timeseries = 1).</summary>
    public static byte[] WriteRequest(params byte[][] series) => series.SelectMany(s => Field(1, s)).ToArray();
}
