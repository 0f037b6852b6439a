using System.Buffers;

namespace AiDevOps.Contracts;

/// <summary>
/// Bodies read into reused arrays: a scraped page or a remote_write body is mostly larger than 85 KB, and read into a
/// growing <see cref="MemoryStream"/> it was new large-object-heap garbage per request, which the GC only gives back in
/// full collections.
/// </summary>
public static class BodyBuffers
{
    private const int InitialBytes = 64 * 1024;

    // A declared length is only believed up to here: the buffer grows with what actually arrives.
    private const int MaxInitialBytes = 16 * 1024 * 1024;

    /// <summary>
    /// A pool of its own, a few arrays per size: the shared pool keeps an array of each size per thread, and requests
    /// run on whichever pool thread is free, so a megabyte buffer would stay alive once per thread.
    /// </summary>
    public static ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(maxArrayLength: 1 << 30, maxArraysPerBucket: 4);

    /// <summary>Reads <paramref name="stream"/> to its end into an array of <see cref="Pool"/>; the caller returns it.</summary>
    public static async Task<(byte[] Bytes, int Length)> ReadToEndAsync(Stream stream, long? declaredLength, CancellationToken ct)
    {
        var bytes = Pool.Rent((int)Math.Clamp(declaredLength ?? 0, InitialBytes, MaxInitialBytes));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == bytes.Length)
                {
                    var larger = Pool.Rent(bytes.Length * 2);
                    bytes.AsSpan(0, length).CopyTo(larger);
                    Pool.Return(bytes);
                    bytes = larger;
                }
                var read = await stream.ReadAsync(bytes.AsMemory(length), ct);
                if (read == 0)
                    return (bytes, length);
                length += read;
            }
        }
        catch
        {
            Pool.Return(bytes);
            throw;
        }
    }
}
