using System.Buffers;
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

    /// <summary>Work buffers of the encoder and the decoder.</summary>
    private static ArrayPool<byte> Buffers => BodyBuffers.Pool;

    /// <summary>The body for <paramref name="series"/>; the work buffers are reused, only the body is new.</summary>
    public static byte[] Encode(IReadOnlyList<SeriesSamples> series)
    {
        var length = WriteRequestWriter.Size(series);
        var request = Buffers.Rent(length);
        var compressed = Buffers.Rent(Snappy.GetMaxCompressedLength(length));
        try
        {
            WriteRequestWriter.Write(series, request);
            return compressed.AsSpan(0, Snappy.Compress(request.AsSpan(0, length), compressed)).ToArray();
        }
        finally
        {
            Buffers.Return(compressed);
            Buffers.Return(request);
        }
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

        // The decoded series hold strings, not the buffer, so it goes back at once.
        var buffer = Buffers.Rent(length);
        try
        {
            var request = buffer.AsSpan(0, length);
            try
            {
                Snappy.Decompress(body, request);
            }
            catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
            {
                throw new InvalidDataException("The body is not valid snappy: " + e.Message, e);
            }
            return WriteRequestReader.Read(request);
        }
        catch (RemoteWriteFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        finally
        {
            Buffers.Return(buffer);
        }
    }
}
