namespace AiDevOps.Web.Charts;

/// <summary>
/// What a time-series chart draws, as the browser's chart script takes it: one time axis (Unix seconds) shared by
/// every series (a missing point is null), optionally a baseline band, a forecast past the data and marked spans.
/// Counts are drawn <see cref="Stepped"/>: a count holds for its whole step, it does not slope between steps.
/// </summary>
public sealed record ChartData(
    IReadOnlyList<double> Times,
    IReadOnlyList<ChartSeries> Series,
    ChartBand? Band = null,
    ChartForecast? Forecast = null,
    IReadOnlyList<ChartMark>? Marks = null,
    int Height = 320,
    bool Stepped = false)
{
    public bool IsEmpty => Times.Count == 0 || Series.Count == 0;

    /// <summary>Whether it draws the same as <paramref name="other"/>: a live page then keeps the chart it has (and its zoom).</summary>
    public bool DrawsSameAs(ChartData other) =>
        Times.SequenceEqual(other.Times)
        && Series.Count == other.Series.Count
        && Series.Zip(other.Series).All(pair => pair.First.Label == pair.Second.Label && pair.First.Values.SequenceEqual(pair.Second.Values))
        && Equals(Band?.Low.Count, other.Band?.Low.Count) && (Band is null || Band.Low.SequenceEqual(other.Band!.Low) && Band.High.SequenceEqual(other.Band.High))
        && Forecast == other.Forecast
        && (Marks ?? []).SequenceEqual(other.Marks ?? []);
}

public sealed record ChartSeries(string Label, IReadOnlyList<double?> Values);

public sealed record ChartBand(IReadOnlyList<double?> Low, IReadOnlyList<double?> High);

/// <summary>From the last sample (<see cref="From"/> at its time) to <see cref="At"/>: the expected value and its band.</summary>
public sealed record ChartForecast(double At, double From, double Expected, double Low, double High);

/// <summary>A span to shade, e.g. an anomaly from opening to resolving (open-ended while it lasts).</summary>
public sealed record ChartMark(double From, double? To, string Label);
