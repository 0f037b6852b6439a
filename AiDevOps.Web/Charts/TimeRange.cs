using System.Globalization;

namespace AiDevOps.Web.Charts;

/// <summary>
/// A time window to chart and the step between its points: at most <see cref="MaxPoints"/> points a series (about one
/// per two pixels of a wide chart: more draw nothing new, and cost the query, the page and the browser), at least
/// <see cref="MinStep"/> apart (a step below the scrape interval only repeats samples).
/// </summary>
public sealed record TimeRange(DateTimeOffset Start, DateTimeOffset End, TimeSpan Step)
{
    public const int MaxPoints = 720;
    public static readonly TimeSpan MinStep = TimeSpan.FromSeconds(15);

    /// <summary>The presets offered, by name.</summary>
    public static readonly IReadOnlyList<(string Name, TimeSpan Span)> Presets =
    [
        ("1h", TimeSpan.FromHours(1)),
        ("6h", TimeSpan.FromHours(6)),
        ("24h", TimeSpan.FromHours(24)),
        ("7d", TimeSpan.FromDays(7)),
    ];

    public TimeSpan Span => End - Start;

    public static TimeRange Last(TimeSpan span, DateTimeOffset now) => Between(now - span, now);

    /// <summary>The last <paramref name="span"/> at a step of one's choosing, ending on the first whole step not before now.</summary>
    public static TimeRange Last(TimeSpan span, DateTimeOffset now, TimeSpan step)
    {
        var end = Align(now, step) is var aligned && aligned < now ? aligned + step : aligned;
        return new TimeRange(end - span, end, step);
    }

    public static TimeRange Between(DateTimeOffset start, DateTimeOffset end)
    {
        if (end <= start)
            throw new ArgumentException($"The range must end after it starts ({start:O} .. {end:O}).", nameof(end));
        var seconds = Math.Ceiling((end - start).TotalSeconds / (MaxPoints - 1));
        var step = TimeSpan.FromSeconds(Math.Max(MinStep.TotalSeconds, seconds));
        // Aligned to the step, so refreshing the same range asks for the same points.
        var aligned = Align(end, step);
        return new TimeRange(aligned - (end - start), aligned, step);
    }

    private static DateTimeOffset Align(DateTimeOffset at, TimeSpan step) =>
        DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds() / (long)step.TotalSeconds * (long)step.TotalSeconds);

    /// <summary>A preset by name (1h, 6h, 24h, 7d); null for anything else.</summary>
    public static TimeSpan? Preset(string? name) =>
        Presets.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal)) is { Name: not null } found ? found.Span : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start:u} – {End:u}, every {Step.TotalSeconds:0}s");
}
