using Google.Protobuf;
using Snappier;

namespace AiDevOps.Contracts.RemoteWrite;

/// <summary>
/// Prometheus remote_write 1.0 bodies: a protobuf WriteRequest compressed with the snappy block format, sent with
/// <c>Content-Type: application/x-protobuf</c>, <c>Content-Encoding: snappy</c> and
/// <c>X-Prometheus-Remote-Write-Version: 0.1.0</c>.
/// </summary>
public static class RemoteWriteCodec
{
    public const string ContentType = "application/x-protobuf";
    public const string ContentEncoding = "snappy";
    public const string VersionHeader = "X-Prometheus-Remote-Write-Version";
    public const string Version = "0.1.0";

    /// <summary>An idempotency key: a retried request carries the same id, and the Brain stores it once.</summary>
    public const string BatchIdHeader = "X-AiDevOps-Batch-Id";

    /// <summary>A snappy block expands at most 64 bytes per 3-byte copy element, so never more than 22× its size.</summary>
    private const int MaxExpansionPerByte = 22;

    public static byte[] Encode(IReadOnlyList<SeriesSamples> series) => Snappy.CompressToArray(ToWriteRequest(series).ToByteArray());

    public static WriteRequest ToWriteRequest(IReadOnlyList<SeriesSamples> series)
    {
        var request = new WriteRequest();
        foreach (var s in series)
        {
            var timeSeries = new TimeSeries();
            // Prometheus sorts labels by name; receivers may rely on it.
            foreach (var (name, value) in s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
                timeSeries.Labels.Add(new Label { Name = name, Value = value });
            foreach (var sample in s.Samples)
                timeSeries.Samples.Add(new Sample { Timestamp = sample.Timestamp, Value = sample.Value });
            request.Timeseries.Add(timeSeries);
        }
        return request;
    }

    /// <summary>
    /// Decodes a snappy-compressed WriteRequest; throws <see cref="InvalidDataException"/> on a body that is not one,
    /// with a <see cref="RemoteWriteFormatException"/> inside naming the field when the protobuf breaks remote_write 1.0.
    /// </summary>
    public static IReadOnlyList<SeriesSamples> Decode(ReadOnlySpan<byte> body, int maxDecompressedBytes)
    {
        int length;
        try
        {
            length = Snappy.GetUncompressedLength(body);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException("The body is not snappy-compressed: " + e.Message, e);
        }
        if (length < 0)
            throw new InvalidDataException("The body is not snappy-compressed: its length header is out of range.");
        if (length > maxDecompressedBytes)
            throw new InvalidDataException($"The body decompresses to {length} bytes; at most {maxDecompressedBytes} are accepted.");
        // Snappy's densest element, a 3-byte copy, makes at most 64 bytes: a block claiming more than that allows is
        // lying, and is refused before its claimed size is allocated (a fuzzer's 10-byte body could claim 100 MB).
        if (length > (long)body.Length * MaxExpansionPerByte)
            throw new InvalidDataException($"The body claims {length} bytes decompressed; {body.Length} snappy bytes hold at most {(long)body.Length * MaxExpansionPerByte}.");

        var buffer = new byte[length];
        try
        {
            Snappy.Decompress(body, buffer);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException("The body is not valid snappy: " + e.Message, e);
        }

        try
        {
            return WriteRequestReader.Read(buffer);
        }
        catch (RemoteWriteFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
