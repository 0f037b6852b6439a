using AiDevOps.Contracts;
using AiDevOps.Detection.Forecasting;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Cluster;

// Storage and the contracts know nothing of Orleans; these let their types cross between silos as they are.

/// <summary>A series as its tenant and sorted labels: the receiving Brain takes the process's shared set for them, so a series it has seen before costs no id hash.</summary>
[GenerateSerializer]
public readonly record struct SeriesSurrogate([property: Id(0)] string Tenant, [property: Id(1)] KeyValuePair<string, string>[] Labels);

[RegisterConverter]
public sealed class SeriesConverter : IConverter<Series, SeriesSurrogate>
{
    // Made again from its labels as ingest makes it: the shared label set, then the series remembered for that set.
    public Series ConvertFromSurrogate(in SeriesSurrogate surrogate) =>
        Series.Of(surrogate.Tenant, LabelSets.Of([.. surrogate.Labels], out _) ?? throw new InvalidDataException("A series arrived with a label name twice."));

    public SeriesSurrogate ConvertToSurrogate(in Series value) =>
        new(value.Tenant, value.Labels is LabelDictionary set ? set.Sorted.ToArray() : [.. value.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)]);
}

[GenerateSerializer]
public readonly record struct SamplePointSurrogate([property: Id(0)] long Timestamp, [property: Id(1)] double Value);

[RegisterConverter]
public sealed class SamplePointConverter : IConverter<SamplePoint, SamplePointSurrogate>
{
    public SamplePoint ConvertFromSurrogate(in SamplePointSurrogate surrogate) => new(surrogate.Timestamp, surrogate.Value);

    public SamplePointSurrogate ConvertToSurrogate(in SamplePoint value) => new(value.Timestamp, value.Value);
}

[GenerateSerializer]
public readonly record struct ForecastSurrogate([property: Id(0)] TimeSpan Horizon, [property: Id(1)] double Expected, [property: Id(2)] double Low, [property: Id(3)] double High);

[RegisterConverter]
public sealed class ForecastConverter : IConverter<Forecast, ForecastSurrogate>
{
    public Forecast ConvertFromSurrogate(in ForecastSurrogate surrogate) => new(surrogate.Horizon, surrogate.Expected, surrogate.Low, surrogate.High);

    public ForecastSurrogate ConvertToSurrogate(in Forecast value) => new(value.Horizon, value.Expected, value.Low, value.High);
}

[GenerateSerializer]
public readonly record struct ExhaustionSurrogate(
    [property: Id(0)] double Limit, [property: Id(1)] double Level, [property: Id(2)] double SlopePerHour,
    [property: Id(3)] TimeSpan Expected, [property: Id(4)] TimeSpan Earliest, [property: Id(5)] TimeSpan Latest);

[RegisterConverter]
public sealed class ExhaustionConverter : IConverter<Exhaustion, ExhaustionSurrogate>
{
    public Exhaustion ConvertFromSurrogate(in ExhaustionSurrogate s) => new(s.Limit, s.Level, s.SlopePerHour, s.Expected, s.Earliest, s.Latest);

    public ExhaustionSurrogate ConvertToSurrogate(in Exhaustion value) =>
        new(value.Limit, value.Level, value.SlopePerHour, value.Expected, value.Earliest, value.Latest);
}
