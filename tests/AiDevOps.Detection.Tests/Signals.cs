using AiDevOps.Detection;

namespace AiDevOps.Detection.Tests;

/// <summary>Seeded synthetic series at a 5-minute interval, so every test sees the same numbers.</summary>
internal sealed class Signals(int seed)
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private readonly Random _random = new(seed);

    public static DateTimeOffset At(int index) => Start + index * Interval;

    public double Gaussian()
    {
        // Box-Muller: two uniforms give one standard normal.
        var u = 1 - _random.NextDouble();
        var v = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>Level 100 with unit Gaussian noise.</summary>
    public IEnumerable<Sample> Noise(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            yield return new Sample(At(i), 100 + Gaussian());
        }
    }

    public static List<Assessment> Observe(SeriesDetector detector, IEnumerable<Sample> samples) =>
        [.. samples.Select(sample => detector.Observe(sample))];
}
