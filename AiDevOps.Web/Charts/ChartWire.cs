using System.Buffers.Binary;

namespace AiDevOps.Web.Charts;

/// <summary>
/// A chart as it goes to the browser. The values of every series (then the band's low and high) travel as one
/// block of little-endian 32-bit floats, a column of <see cref="Points"/> each, NaN for a missing point: Blazor sends
/// a byte array as binary, where 72,000 values as JSON text cost the page ~140 ms to write, send and parse.
/// A float holds 7 significant digits, more than a chart or its legend shows.
/// </summary>
public sealed record ChartWire(
    double Start,
    double Step,
    int Points,
    IReadOnlyList<string> Labels,
    byte[] Columns,
    bool HasBand,
    ChartForecast? Forecast,
    IReadOnlyList<ChartMark> Marks,
    int Height,
    bool Stepped)
{
    public static ChartWire Of(ChartData chart)
    {
        var points = chart.Times.Count;
        var step = points > 1 ? chart.Times[1] - chart.Times[0] : 0;
        for (var i = 2; i < points; i++)
        {
            if (chart.Times[i] - chart.Times[i - 1] != step)
                throw new ArgumentException("A chart's times are evenly spaced.", nameof(chart));
        }

        IEnumerable<IReadOnlyList<double?>> columns = chart.Series.Select(s => s.Values);
        if (chart.Band is { } band)
            columns = columns.Append(band.Low).Append(band.High);
        var columnList = columns.ToList();
        var bytes = new byte[columnList.Count * points * sizeof(float)];
        var at = 0;
        foreach (var column in columnList)
        {
            if (column.Count != points)
                throw new ArgumentException("Every series has a value (or null) for each time.", nameof(chart));
            foreach (var value in column)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), value is { } v ? (float)v : float.NaN);
                at += sizeof(float);
            }
        }

        return new ChartWire(
            points > 0 ? chart.Times[0] : 0, step, points, [.. chart.Series.Select(s => s.Label)], bytes,
            chart.Band is not null, chart.Forecast, chart.Marks ?? [], chart.Height, chart.Stepped);
    }
}
