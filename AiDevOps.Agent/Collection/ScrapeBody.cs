using System.Buffers;
using System.Text;

namespace AiDevOps.Agent.Collection;

/// <summary>
/// A scraped page as text in reused buffers, given back on dispose: read as a string, a 10,000-series page was a new
/// string and its growing byte buffers on the large object heap every scrape, which the GC only gives back in full
/// collections.
/// </summary>
public sealed class ScrapeBody : IDisposable
{
    private const int InitialBytes = 64 * 1024;

    // A claimed length is only believed up to here: the buffer grows with what actually arrives.
    private const int MaxInitialBytes = 16 * 1024 * 1024;

    // Pools of their own, a few arrays per size: the shared pool would keep a page-sized array per thread.
    private static readonly ArrayPool<byte> Bytes = ArrayPool<byte>.Create(maxArrayLength: 1 << 30, maxArraysPerBucket: 4);
    private static readonly ArrayPool<char> Chars = ArrayPool<char>.Create(maxArrayLength: 1 << 30, maxArraysPerBucket: 4);
    private char[]? _chars;
    private readonly int _length;

    private ScrapeBody(char[] chars, int length) => (_chars, _length) = (chars, length);

    /// <summary>The page, UTF-8 as the exposition formats require, without a byte order mark.</summary>
    public ReadOnlySpan<char> Text => _chars.AsSpan(0, _length) is var text && text.StartsWith('\uFEFF') ? text[1..] : text;

    public static async Task<ScrapeBody> ReadAsync(HttpContent content, CancellationToken ct)
    {
        var bytes = Bytes.Rent((int)Math.Clamp(content.Headers.ContentLength ?? 0, InitialBytes, MaxInitialBytes));
        try
        {
            var length = 0;
            await using var stream = await content.ReadAsStreamAsync(ct);
            while (true)
            {
                if (length == bytes.Length)
                {
                    var larger = Bytes.Rent(bytes.Length * 2);
                    bytes.AsSpan(0, length).CopyTo(larger);
                    Bytes.Return(bytes);
                    bytes = larger;
                }
                var read = await stream.ReadAsync(bytes.AsMemory(length), ct);
                if (read == 0)
                    break;
                length += read;
            }
            var chars = Chars.Rent(Encoding.UTF8.GetMaxCharCount(length));
            return new ScrapeBody(chars, Encoding.UTF8.GetChars(bytes, 0, length, chars, 0));
        }
        finally
        {
            Bytes.Return(bytes);
        }
    }

    public void Dispose()
    {
        if (_chars is { } chars)
            Chars.Return(chars);
        _chars = null;
    }
}
