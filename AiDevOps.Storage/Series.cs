using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using AiDevOps.Contracts;

namespace AiDevOps.Storage;

/// <summary>
/// A time series of one tenant: its labels (metric name included) and a stable id derived from them, so every
/// writer and reader agrees on the id without a lookup.
/// </summary>
public sealed record Series(string Tenant, string Id, string Metric, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>
    /// The series last made of each label set given as one, as long as the set lives: ingest gets the process's one set
    /// for labels it has seen (<see cref="LabelSets"/>), and so hashes a series' id once rather than in every request.
    /// Labels given as another dictionary make a set that never comes again, so they are not remembered.
    /// </summary>
    private static readonly ConditionalWeakTable<LabelDictionary, Series> Known = new();

    public static Series Of(string tenant, IReadOnlyDictionary<string, string> labels)
    {
        if (labels is not LabelDictionary set)
            return Made(tenant, LabelDictionary.Of(labels));
        if (Known.TryGetValue(set, out var known))
            return string.Equals(known.Tenant, tenant, StringComparison.Ordinal) ? known : known with { Tenant = tenant };
        var series = Made(tenant, set);
        Known.AddOrUpdate(set, series);
        return series;
    }

    private static Series Made(string tenant, LabelDictionary sorted) => new(tenant, IdOf(sorted), sorted[WellKnownLabels.MetricName], sorted);

    /// <summary>
    /// The first 128 bits of SHA-256 over the sorted labels (each name and value followed by a zero byte, UTF-8), in
    /// hex: collisions are out of reach. Hashed from one pooled buffer: this runs for every series of every delivery.
    /// </summary>
    private static string IdOf(LabelDictionary sorted)
    {
        var length = 0;
        foreach (var (name, value) in sorted.Sorted)
            length += Encoding.UTF8.GetMaxByteCount(name.Length) + Encoding.UTF8.GetMaxByteCount(value.Length) + 2;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = 0;
            foreach (var (name, value) in sorted.Sorted)
            {
                written += Encoding.UTF8.GetBytes(name, buffer.AsSpan(written));
                buffer[written++] = 0;
                written += Encoding.UTF8.GetBytes(value, buffer.AsSpan(written));
                buffer[written++] = 0;
            }
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, written), hash);
            return Convert.ToHexStringLower(hash[..16]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The labels other than the metric name, as Prometheus prints them: <c>{job="node",instance="…"}</c>.</summary>
    public string Selector() =>
        Metric + "{" + string.Join(",", Labels.Where(l => l.Key != WellKnownLabels.MetricName)
            .Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
}
