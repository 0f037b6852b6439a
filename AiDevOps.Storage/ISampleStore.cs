using AiDevOps.Storage.Query;
using AiDevOps.Contracts;

namespace AiDevOps.Storage;

/// <summary>
/// Samples and the series index of every tenant. Every call names its tenant and never sees another's data, and
/// nothing older than the tenant's retention is ever returned.
/// </summary>
public interface ISampleStore
{
    /// <summary>Stores the samples and indexes new series; returns once every sample is durable.</summary>
    Task AppendAsync(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch, CancellationToken ct);

    /// <summary>Samples of one series in [since, until] (Unix ms), oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SamplePoint>> ReadAsync(string tenant, string seriesId, long since, long until, int limit, CancellationToken ct);

    /// <summary>Samples of several series in [since, until], oldest first per series, all read in one pass.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<SamplePoint>>> ReadManyAsync(
        string tenant, IReadOnlyList<string> seriesIds, long since, long until, CancellationToken ct);

    /// <summary>The latest <paramref name="count"/> samples of one series, oldest first.</summary>
    Task<IReadOnlyList<SamplePoint>> LatestAsync(string tenant, string seriesId, int count, CancellationToken ct);

    /// <summary>Series of one metric that every matcher accepts.</summary>
    Task<IReadOnlyList<Series>> FindSeriesAsync(
        string tenant, string metric, IReadOnlyList<LabelMatcher> matchers, int limit, CancellationToken ct);

    Task<IReadOnlyList<string>> MetricNamesAsync(string tenant, CancellationToken ct);
}
