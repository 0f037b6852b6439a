using System.Globalization;
using System.Text;
using AiDevOps.Contracts;

namespace AiDevOps.Agent.Collection;

/// <summary>
/// Parses the Prometheus text exposition format (version 0.0.4): <c>name{label="value",…} value [timestamp_ms]</c>
/// per line, <c>#</c> lines are comments; and OpenMetrics, whose timestamps are seconds and whose sample lines may
/// end in an exemplar (<c># {trace_id="…"} 1.0</c>), which is dropped. Lines that do not parse are skipped and counted, as one bad line must not
/// lose a whole scrape.
/// </summary>
public static class ExpositionParser
{
    public sealed record Result(IReadOnlyList<SeriesSamples> Series, int SkippedLines);

    public const string OpenMetricsContentType = "application/openmetrics-text";

    public static Result Parse(string text, long defaultTimestamp, IReadOnlyDictionary<string, string> targetLabels, bool openMetrics = false)
    {
        var series = new List<SeriesSamples>();
        var skipped = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            // An exemplar follows the value; label values (inside the braces) may hold " # " themselves.
            if (openMetrics && line.IndexOf(" # ", Math.Max(0, line.IndexOf('}', StringComparison.Ordinal)), StringComparison.Ordinal) is var exemplar and > 0)
                line = line[..exemplar];
            if (TryParseLine(line, defaultTimestamp, openMetrics, out var labels, out var sample))
            {
                foreach (var (name, value) in targetLabels)
                {
                    // As Prometheus does with honor_labels off: the target's labels win, the exposed ones are kept as exported_*.
                    if (labels.TryGetValue(name, out var exposed) && exposed != value)
                        labels["exported_" + name] = exposed;
                    labels[name] = value;
                }
                series.Add(new SeriesSamples(labels, [sample]));
            }
            else
            {
                skipped++;
            }
        }
        return new Result(series, skipped);
    }

    public static double ParseValue(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static bool TryParseLine(string line, long defaultTimestamp, bool secondsTimestamps, out Dictionary<string, string> labels, out SamplePoint sample)
    {
        labels = new Dictionary<string, string>(StringComparer.Ordinal);
        sample = default!;
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
            i++;
        if (i == 0 || char.IsAsciiDigit(line[0]))
            return false;
        labels[WellKnownLabels.MetricName] = line[..i];

        if (i < line.Length && line[i] == '{' && !TryParseLabels(line, ref i, labels))
            return false;

        var rest = line[i..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2)
            return false;
        try
        {
            var value = ParseValue(rest[0]);
            var timestamp = rest.Length < 2 ? defaultTimestamp
                : secondsTimestamps ? (long)Math.Round(double.Parse(rest[1], NumberStyles.Float, CultureInfo.InvariantCulture) * 1000)
                : long.Parse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            sample = new SamplePoint(timestamp, value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static bool TryParseLabels(string line, ref int i, Dictionary<string, string> labels)
    {
        i++; // '{'
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or ',')
                i++;
            if (i >= line.Length)
                return false;
            if (line[i] == '}')
            {
                i++;
                return true;
            }
            var start = i;
            while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_'))
                i++;
            var name = line[start..i];
            while (i < line.Length && line[i] == ' ')
                i++;
            if (name.Length == 0 || i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"')
                return false;
            i += 2;
            var value = new StringBuilder();
            while (i < line.Length && line[i] != '"')
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] switch { 'n' => '\n', var c => c });
                }
                else
                {
                    value.Append(line[i]);
                }
                i++;
            }
            if (i >= line.Length)
                return false;
            i++; // closing quote
            labels[name] = value.ToString();
        }
    }
}
