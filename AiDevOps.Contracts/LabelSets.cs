using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace AiDevOps.Contracts;

/// <summary>
/// Label sets, one <see cref="LabelDictionary"/> each for the whole process: a fleet sends the same series in every
/// request and an exporter in every scrape, so a new sorted array per series per request was most of what ingest
/// allocated (and, in the Brain, a new series id hashed each time; see <c>Series.Of</c>) when only the samples are new.
/// Bounded like <see cref="RemoteWrite.LabelStrings"/>: past <see cref="MaxSets"/> new sets are made and not kept.
/// </summary>
public static class LabelSets
{
    public const int MaxSets = 100_000;

    private static readonly ByContent Comparer = new();
    private static readonly ConcurrentDictionary<LabelDictionary, LabelDictionary> Pool = new(Comparer);
    private static readonly ConcurrentDictionary<LabelDictionary, LabelDictionary>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, string>>> BySpan =
        Pool.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, string>>>();
    private static int _count;

    /// <summary>
    /// The set of <paramref name="labels"/>, which it sorts by name; null when a name appears twice, then named in
    /// <paramref name="duplicate"/>. The list stays the caller's: a new set copies it.
    /// </summary>
    public static LabelDictionary? Of(List<KeyValuePair<string, string>> labels, out string? duplicate)
    {
        var sorted = CollectionsMarshal.AsSpan(labels);
        duplicate = LabelDictionary.SortFindingDuplicate(sorted);
        if (duplicate is not null)
            return null;
        if (BySpan.TryGetValue(sorted, out var shared))
            return shared;
        var set = LabelDictionary.OfSorted(sorted.ToArray());
        if (Volatile.Read(ref _count) < MaxSets && Pool.TryAdd(set, set))
            Interlocked.Increment(ref _count);
        return set;
    }

    /// <summary>Sets are equal when their names and values are, in order (both sides are sorted).</summary>
    private sealed class ByContent : IEqualityComparer<LabelDictionary>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, string>>, LabelDictionary>
    {
        public bool Equals(LabelDictionary? x, LabelDictionary? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && Equals(x.Sorted, y));

        public int GetHashCode(LabelDictionary obj) => GetHashCode(obj.Sorted);

        public bool Equals(ReadOnlySpan<KeyValuePair<string, string>> alternate, LabelDictionary other)
        {
            var labels = other.Sorted;
            if (alternate.Length != labels.Length)
                return false;
            for (var i = 0; i < labels.Length; i++)
            {
                if (!string.Equals(alternate[i].Key, labels[i].Key, StringComparison.Ordinal) ||
                    !string.Equals(alternate[i].Value, labels[i].Value, StringComparison.Ordinal))
                    return false;
            }
            return true;
        }

        public int GetHashCode(ReadOnlySpan<KeyValuePair<string, string>> alternate)
        {
            var hash = new HashCode();
            foreach (var (name, value) in alternate)
            {
                hash.Add(name, StringComparer.Ordinal);
                hash.Add(value, StringComparer.Ordinal);
            }
            return hash.ToHashCode();
        }

        public LabelDictionary Create(ReadOnlySpan<KeyValuePair<string, string>> alternate) => LabelDictionary.OfSorted(alternate.ToArray());
    }
}
