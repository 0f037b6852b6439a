using System.Globalization;
using System.Text;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;

namespace AiDevOps.Agent.Collection;

/// <summary>
/// Parses the Prometheus text exposition format (version 0.0.4): <c>name{label="value",…} value [timestamp_ms]</c>
/// per line, <c>#</c> lines are comments; and OpenMetrics, whose timestamps are seconds and whose sample lines may
/// end in an exemplar (<c># {trace_id="…"} 1.0</c>), which is dropped. Lines that do not parse (a label named twice
/// among them, which Prometheus refuses too) are skipped and counted, as one bad line must not lose a whole scrape.
/// </summary>
/// <remarks>
/// A busy exporter's page is 10,000 lines every scrape, so the parser reads spans of the page and makes nothing per
/// line but the series itself: label names and repeated values are the process's shared strings
/// (<see cref="LabelStrings"/>), and a series' labels one sorted array (<see cref="LabelDictionary"/>), ready for
/// remote_write.
/// </remarks>
public static class ExpositionParser
{
    public sealed record Result(IReadOnlyList<SeriesSamples> Series, int SkippedLines);

    public const string OpenMetricsContentType = "application/openmetrics-text";

    private const string ExportedPrefix = "exported_";

    public static Result Parse(ReadOnlySpan<char> text, long defaultTimestamp, IReadOnlyDictionary<string, string> targetLabels, bool openMetrics = false)
    {
        var series = new List<SeriesSamples>();
        var labels = new List<KeyValuePair<string, string>>(16);
        var skipped = 0;
        while (!text.IsEmpty)
        {
            // Lines end at '\n' only: other line separators may stand unescaped in a label value.
            var end = text.IndexOf('\n');
            var line = (end < 0 ? text : text[..end]).Trim();
            text = end < 0 ? [] : text[(end + 1)..];
            if (line.IsEmpty || line[0] == '#')
                continue;
            // An exemplar follows the value; label values (inside the braces) may hold " # " themselves.
            if (openMetrics)
            {
                var afterLabels = Math.Max(0, line.IndexOf('}'));
                if (line[afterLabels..].IndexOf(" # ", StringComparison.Ordinal) is var exemplar and > 0)
                    line = line[..(afterLabels + exemplar)];
            }
            labels.Clear();
            if (TryParseLine(line, defaultTimestamp, openMetrics, labels, out var sample)
                && WithTargetLabels(labels, targetLabels) is { } labelSet)
                series.Add(new SeriesSamples(labelSet, [sample]));
            else
                skipped++;
        }
        return new Result(series, skipped);
    }

    public static double ParseValue(string text) =>
        TryParseValue(text, out var value) ? value : throw new FormatException($"'{text}' is not a sample value.");

    private static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        switch (text)
        {
            case "NaN":
                value = double.NaN;
                return true;
            case "+Inf" or "Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>As Prometheus does with honor_labels off: the target's labels win, the exposed ones are kept as exported_*.</summary>
    private static LabelDictionary? WithTargetLabels(List<KeyValuePair<string, string>> labels, IReadOnlyDictionary<string, string> targetLabels)
    {
        foreach (var (name, value) in targetLabels)
        {
            var index = IndexOf(labels, name);
            if (index < 0)
            {
                labels.Add(new(name, value));
                continue;
            }
            if (labels[index].Value != value)
                labels.Add(new(Exported(name), labels[index].Value));
            labels[index] = new(name, value);
        }
        return LabelSets.Of(labels, out _);
    }

    /// <summary>The shared string <c>exported_&lt;name&gt;</c>, spelt on the stack: a conflicting exporter conflicts on every line.</summary>
    private static string Exported(string name)
    {
        Span<char> exported = stackalloc char[ExportedPrefix.Length + name.Length];
        ExportedPrefix.CopyTo(exported);
        name.CopyTo(exported[ExportedPrefix.Length..]);
        return LabelStrings.Of(exported);
    }

    private static int IndexOf(List<KeyValuePair<string, string>> labels, string name)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i].Key == name)
                return i;
        }
        return -1;
    }

    private static bool TryParseLine(ReadOnlySpan<char> line, long defaultTimestamp, bool secondsTimestamps, List<KeyValuePair<string, string>> labels, out SamplePoint sample)
    {
        sample = default!;
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
            i++;
        if (i == 0 || char.IsAsciiDigit(line[0]))
            return false;
        labels.Add(new(WellKnownLabels.MetricName, LabelStrings.Of(line[..i])));

        if (i < line.Length && line[i] == '{' && !TryParseLabels(line, ref i, labels))
            return false;

        var rest = line[i..].Trim();
        var space = rest.IndexOf(' ');
        var valueText = space < 0 ? rest : rest[..space];
        var timestampText = space < 0 ? [] : rest[space..].TrimStart();
        if (valueText.IsEmpty || timestampText.Contains(' ') || !TryParseValue(valueText, out var value))
            return false;
        long timestamp;
        if (timestampText.IsEmpty)
            timestamp = defaultTimestamp;
        else if (secondsTimestamps && double.TryParse(timestampText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && Math.Abs(seconds) < long.MaxValue / 1000.0)
            timestamp = (long)Math.Round(seconds * 1000);
        else if (secondsTimestamps || !long.TryParse(timestampText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out timestamp))
            return false;
        sample = new SamplePoint(timestamp, value);
        return true;
    }

    private static bool TryParseLabels(ReadOnlySpan<char> line, ref int i, List<KeyValuePair<string, string>> labels)
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
            if (name.IsEmpty || i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"')
                return false;
            i += 2;
            var valueStart = i;
            while (i < line.Length && line[i] != '"')
                i += line[i] == '\\' ? 2 : 1;
            if (i >= line.Length)
                return false;
            var value = line[valueStart..i];
            i++; // closing quote
            labels.Add(new(LabelStrings.Of(name), value.Contains('\\') ? LabelStrings.Of(Unescape(value)) : LabelStrings.Of(value)));
        }
    }

    private static string Unescape(ReadOnlySpan<char> value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
                text.Append(value[++i] switch { 'n' => '\n', var c => c });
            else
                text.Append(value[i]);
        }
        return text.ToString();
    }
}
