using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace AiDevOps.Contracts;

/// <summary>
/// A series' labels, sorted by name (ordinal) in one array: what a series keeps for as long as it is in use, so one
/// object and its strings rather than a tree of nodes. Read-only; lookups by binary search over a handful of names.
/// </summary>
public sealed class LabelDictionary : IReadOnlyDictionary<string, string>
{
    private readonly KeyValuePair<string, string>[] _labels;

    private LabelDictionary(KeyValuePair<string, string>[] sorted) => _labels = sorted;

    public static LabelDictionary Of(IReadOnlyDictionary<string, string> labels)
    {
        if (labels is LabelDictionary set)
            return set;
        var sorted = new KeyValuePair<string, string>[labels.Count];
        var i = 0;
        foreach (var label in labels)
            sorted[i++] = label;
        SortFindingDuplicate(sorted);
        return new LabelDictionary(sorted);
    }

    /// <summary>Labels already sorted by name, each name once: the array becomes the set's.</summary>
    internal static LabelDictionary OfSorted(KeyValuePair<string, string>[] sorted) => new(sorted);

    /// <summary>Sorts <paramref name="labels"/> by name; the first name that appears twice, or null.</summary>
    internal static string? SortFindingDuplicate(Span<KeyValuePair<string, string>> labels)
    {
        labels.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 1; i < labels.Length; i++)
        {
            if (labels[i].Key == labels[i - 1].Key)
                return labels[i].Key;
        }
        return null;
    }

    public int Count => _labels.Length;

    /// <summary>The labels in name order, read without an enumerator object.</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> Sorted => _labels;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No label '{key}'.");

    public IEnumerable<string> Keys => _labels.Select(l => l.Key);

    public IEnumerable<string> Values => _labels.Select(l => l.Value);

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _labels[index].Value : null;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_labels).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        int low = 0, high = _labels.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = string.CompareOrdinal(_labels[middle].Key, key);
            if (order == 0)
                return middle;
            if (order < 0)
                low = middle + 1;
            else
                high = middle - 1;
        }
        return -1;
    }
}
