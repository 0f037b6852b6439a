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
    public static Series Of(string tenant, IReadOnlyDictionary<string, string> labels)
    {
        var sorted = new SortedDictionary<string, string>(labels.ToDictionary(), StringComparer.Ordinal);
        return new Series(tenant, IdOf(sorted), sorted[WellKnownLabels.MetricName], sorted);
    }

    /// <summary>The first 128 bits of SHA-256 over the sorted labels, in hex: collisions are out of reach.</summary>
    private static string IdOf(SortedDictionary<string, string> sorted)
    {
        var canonical = new StringBuilder();
        foreach (var (name, value) in sorted)
            canonical.Append(name).Append('\u0000').Append(value).Append('\u0000');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())).AsSpan(0, 16));
    }

    /// <summary>The labels other than the metric name, as Prometheus prints them: <c>{job="node",instance="…"}</c>.</summary>
    public string Selector() =>
        Metric + "{" + string.Join(",", Labels.Where(l => l.Key != WellKnownLabels.MetricName)
            .Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
}
