using System.Buffers;
using System.Text;
using AiDevOps.Contracts;

namespace AiDevOps.Agent.Collection;

/// <summary>
/// A scraped page as text in reused buffers, given back on dispose: read as a string, a 10,000-series page was a new
/// string and its growing byte buffers on the large object heap every scrape, which the GC only gives back in full
/// collections.
/// </summary>
public sealed class ScrapeBody : IDisposable
{
    // A pool of its own, a few arrays per size: the shared pool would keep a page-sized array per thread.
    private static readonly ArrayPool<char> Chars = ArrayPool<char>.Create(maxArrayLength: 1 << 30, maxArraysPerBucket: 4);
    private char[]? _chars;
    private readonly int _length;

    private ScrapeBody(char[] chars, int length) => (_chars, _length) = (chars, length);

    /// <summary>The page, UTF-8 as the exposition formats require, without a byte order mark.</summary>
    public ReadOnlySpan<char> Text => _chars.AsSpan(0, _length) is var text && text.StartsWith('\uFEFF') ? text[1..] : text;

    public static async Task<ScrapeBody> ReadAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var (bytes, length) = await BodyBuffers.ReadToEndAsync(stream, content.Headers.ContentLength, ct);
        try
        {
            var chars = Chars.Rent(Encoding.UTF8.GetMaxCharCount(length));
            return new ScrapeBody(chars, Encoding.UTF8.GetChars(bytes, 0, length, chars, 0));
        }
        finally
        {
            BodyBuffers.Pool.Return(bytes);
        }
    }

    public void Dispose()
    {
        if (_chars is { } chars)
            Chars.Return(chars);
        _chars = null;
    }
}
