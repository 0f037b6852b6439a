using System.Collections.Concurrent;
using System.Text;

namespace AiDevOps.Contracts.RemoteWrite;

/// <summary>
/// Label names and values, one string each for the whole process: a fleet sends the same names, hosts, jobs and
/// modes in every request (and an exporter in every scrape), and decoding them afresh was a string per label per
/// series per request (most of what a request allocated). Bounded: past <see cref="MaxStrings"/> (≈ 10 MB of short
/// strings) new ones are decoded and not kept, so high-cardinality values cannot grow it; longer strings are never kept.
/// </summary>
public static class LabelStrings
{
    public const int MaxStrings = 100_000;
    private const int MaxPooledLength = 128;

    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByChars = Pool.GetAlternateLookup<ReadOnlySpan<char>>();
    private static int _count;

    /// <summary>The string of <paramref name="utf8"/>; throws <see cref="DecoderFallbackException"/> when it is not valid.</summary>
    public static string Of(ReadOnlySpan<byte> utf8, Encoding strictUtf8)
    {
        if (utf8.Length > MaxPooledLength)
            return strictUtf8.GetString(utf8);
        Span<char> buffer = stackalloc char[MaxPooledLength];
        var chars = buffer[..strictUtf8.GetChars(utf8, buffer)];
        return Of(chars);
    }

    /// <summary>The string of <paramref name="chars"/>.</summary>
    public static string Of(ReadOnlySpan<char> chars)
    {
        if (chars.Length > MaxPooledLength)
            return new string(chars);
        if (ByChars.TryGetValue(chars, out var pooled))
            return pooled;
        var text = new string(chars);
        if (Volatile.Read(ref _count) < MaxStrings && Pool.TryAdd(text, text))
            Interlocked.Increment(ref _count);
        return text;
    }
}
