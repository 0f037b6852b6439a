using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection.Forecasting;

/// <summary>A value expected <paramref name="Horizon"/> after the last sample, with a ±2σ band.</summary>
public readonly record struct Forecast(TimeSpan Horizon, double Expected, double Low, double High);

/// <summary>
/// When the series reaches its limit if the trend holds: <paramref name="Expected"/> from the fitted slope,
/// <paramref name="Earliest"/>/<paramref name="Latest"/> from the slope and level ±2 standard errors.
/// </summary>
public readonly record struct Exhaustion(
    double Limit,
    double Level,
    double SlopePerHour,
    TimeSpan Expected,
    TimeSpan Earliest,
    TimeSpan Latest);

/// <summary>
/// Exponentially weighted least-squares line through the recent samples, time in hours relative to the last sample
/// (re-anchored every sample so the sums stay small) and values relative to the first one. Residuals beyond 4σ are
/// clipped before they enter, so a spike does not tilt the line. Constant work per sample; the band comes from the
/// residual variance and the effective number of samples.
/// </summary>
public sealed class TrendForecaster(int samples)
{
    private const double BandSigmas = 2;

    private readonly double _decay = 1 - 1.0 / samples;
    private long _lastTicks;
    private double _origin;
    private double _weight;
    private double _weightSquared;
    private double _sumT;
    private double _sumTT;
    private double _sumX;
    private double _sumXX;
    private double _sumTX;

    private readonly record struct Line(double Level, double Slope, double ResidualVariance, double LevelError, double SlopeError);

    /// <summary>Enough samples for a slope that means something: a third of the window.</summary>
    public bool IsReady => _weight >= samples / 3.0 && _sumTT * _weight - _sumT * _sumT > 0;

    public void Observe(in Sample sample)
    {
        var ticks = sample.Timestamp.UtcTicks;
        if (_weight == 0)
        {
            _origin = sample.Value;
            _lastTicks = ticks;
        }

        if (ticks > _lastTicks)
        {
            var shift = (ticks - _lastTicks) / (double)TimeSpan.TicksPerHour;
            _sumTT += -2 * shift * _sumT + shift * shift * _weight;
            _sumTX -= shift * _sumX;
            _sumT -= shift * _weight;
            _lastTicks = ticks;
        }

        var x = sample.Value - _origin;
        if (IsReady)
        {
            var line = Fit();
            var limit = 4 * Math.Sqrt(line.ResidualVariance) + 1e-12;
            x = Math.Clamp(x, line.Level - _origin - limit, line.Level - _origin + limit);
        }

        _weight = _weight * _decay + 1;
        _weightSquared = _weightSquared * _decay * _decay + 1;
        _sumT *= _decay;
        _sumTT *= _decay;
        _sumX = _sumX * _decay + x;
        _sumXX = _sumXX * _decay + x * x;
        _sumTX *= _decay;
    }

    public Forecast Forecast(TimeSpan horizon)
    {
        if (!IsReady)
        {
            return new Forecast(horizon, double.NaN, double.NaN, double.NaN);
        }

        var line = Fit();
        var hours = horizon.TotalHours;
        var expected = line.Level + line.Slope * hours;
        var spread = BandSigmas * Math.Sqrt(
            line.ResidualVariance + line.LevelError * line.LevelError + line.SlopeError * line.SlopeError * hours * hours);
        return new Forecast(horizon, expected, expected - spread, expected + spread);
    }

    /// <summary>Null unless the series moves toward <paramref name="limit"/> by more than two slope standard errors.</summary>
    public Exhaustion? Exhaustion(double limit)
    {
        if (!IsReady)
        {
            return null;
        }

        var line = Fit();
        var distance = limit - line.Level;
        var speed = Math.Sign(distance) * line.Slope;
        if (speed <= BandSigmas * line.SlopeError || distance == 0)
        {
            return null;
        }

        distance = Math.Abs(distance);
        var levelBand = BandSigmas * line.LevelError;
        return new Exhaustion(
            limit,
            line.Level,
            line.Slope,
            Hours(distance / speed),
            Hours(Math.Max(0, distance - levelBand) / (speed + BandSigmas * line.SlopeError)),
            Hours((distance + levelBand) / (speed - BandSigmas * line.SlopeError)));
    }

    private static TimeSpan Hours(double hours) =>
        hours >= TimeSpan.MaxValue.TotalHours ? TimeSpan.MaxValue : TimeSpan.FromHours(hours);

    private Line Fit()
    {
        var meanT = _sumT / _weight;
        var meanX = _sumX / _weight;
        var varT = Math.Max(_sumTT / _weight - meanT * meanT, 1e-18);
        var covTX = _sumTX / _weight - meanT * meanX;
        var varX = Math.Max(_sumXX / _weight - meanX * meanX, 0);
        var slope = covTX / varT;
        var effective = _weight * _weight / _weightSquared;
        var residual = Math.Max(varX - slope * covTX, 0) * effective / Math.Max(effective - 2, 1);
        var slopeError = Math.Sqrt(residual / (varT * effective));
        var levelError = Math.Sqrt(residual * (1 / effective + meanT * meanT / (varT * effective)));
        return new Line(_origin + meanX - slope * meanT, slope, residual, levelError, slopeError);
    }

    public void Write(SnapshotWriter writer)
    {
        writer.Write(_lastTicks);
        writer.Write(_origin);
        writer.Write(_weight);
        writer.Write(_weightSquared);
        writer.Write(_sumT);
        writer.Write(_sumTT);
        writer.Write(_sumX);
        writer.Write(_sumXX);
        writer.Write(_sumTX);
    }

    public void Read(SnapshotReader reader)
    {
        _lastTicks = reader.ReadInt64();
        _origin = reader.ReadDouble();
        _weight = reader.ReadDouble();
        _weightSquared = reader.ReadDouble();
        _sumT = reader.ReadDouble();
        _sumTT = reader.ReadDouble();
        _sumX = reader.ReadDouble();
        _sumXX = reader.ReadDouble();
        _sumTX = reader.ReadDouble();
    }
}
