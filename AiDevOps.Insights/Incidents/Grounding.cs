using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AiDevOps.Contracts;

namespace AiDevOps.Insights.Incidents;

/// <summary>
/// Checks that an explanation states nothing the evidence does not hold: every number, host or instance, metric
/// name, date and time in the answer must appear in (or round from) the incident's facts or a tool result. No I/O.
/// </summary>
/// <remarks>
/// Numbers match a known one rounded or truncated to the precision written (<c>0.97</c> for 0.9712), also as a
/// percentage of a 0–1 ratio, scaled by a byte unit (<c>12 GiB</c>), or as the ratio or percent change between a
/// value and its baseline. Durations (<c>12 minutes</c>) match the span between two times of the incident (its
/// start, end, members, forecasts, last samples, <c>now</c>) to the unit written. Times are HH:MM in UTC.
/// </remarks>
public static partial class Grounding
{
    /// <summary>The tokens of <paramref name="answer"/> that the facts and tool results do not support; empty when it is grounded.</summary>
    /// <param name="now">The time the answer is written, for durations up to now; defaults to the current time.</param>
    public static IReadOnlyList<string> Check(string answer, IncidentFacts facts, IEnumerable<string>? toolResults, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (string.IsNullOrWhiteSpace(answer))
            return [];
        var evidence = Evidence.From(facts, toolResults ?? [], now ?? DateTimeOffset.UtcNow);
        var ungrounded = new List<string>();
        var text = new StringBuilder(answer);

        foreach (Match url in Url().Matches(text.ToString()))
        {
            var value = url.Value.TrimEnd('.', ',', ')', ';');
            if (!evidence.ContainsText(value))
                ungrounded.Add(value);
            Mask(text, url);
        }
        foreach (Match date in DateTime_().Matches(text.ToString()))
        {
            if (!evidence.HasDate(date.Groups["date"].Value) || (date.Groups["time"].Success && !evidence.HasTime(date.Groups["time"].Value)))
                ungrounded.Add(date.Value);
            Mask(text, date);
        }
        foreach (var host in new[] { Ipv4(), NameWithPort(), NumberedName(), DottedName() })
            foreach (Match match in host.Matches(text.ToString()))
            {
                if (!evidence.ContainsText(match.Value))
                    ungrounded.Add(match.Value);
                Mask(text, match);
            }
        foreach (Match time in Time().Matches(text.ToString()))
        {
            if (!evidence.HasTime(time.Value))
                ungrounded.Add(time.Value);
            Mask(text, time);
        }
        foreach (Match metric in MetricName().Matches(text.ToString()))
        {
            if (!evidence.ContainsText(metric.Value))
                ungrounded.Add(metric.Value);
            Mask(text, metric);
        }
        foreach (Match number in Number().Matches(text.ToString()))
        {
            if (!evidence.HasNumber(number.Groups["number"].Value, number.Groups["unit"].Value))
                ungrounded.Add(number.Value.Trim());
        }
        return ungrounded.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void Mask(StringBuilder text, Match match)
    {
        for (var i = match.Index; i < match.Index + match.Length; i++)
            text[i] = ' ';
    }

    private sealed class Evidence
    {
        private const int MaxKeyTimes = 64;

        private readonly string _text;
        private readonly List<double> _numbers = [];
        private readonly List<double> _ratios = [];
        private readonly List<double> _percentChanges = [];
        private readonly HashSet<string> _minutes = new(StringComparer.Ordinal);
        private readonly HashSet<string> _seconds = new(StringComparer.Ordinal);
        private readonly HashSet<string> _dates = new(StringComparer.Ordinal);
        private readonly List<double> _durationsSeconds = [];

        private Evidence(string text) => _text = text;

        public static Evidence From(IncidentFacts facts, IEnumerable<string> toolResults, DateTimeOffset now)
        {
            var texts = new List<string?> { facts.Title, facts.IncidentId, facts.State };
            var keyTimes = new List<DateTimeOffset> { facts.Since, now };
            var allTimes = new List<DateTimeOffset>();
            var numbers = new List<double> { (facts.Members ?? []).Count, (facts.OtherAnomalies ?? []).Count, (facts.Correlated ?? []).Count };
            var ratios = new List<double>();
            var changes = new List<double>();
            if (facts.ResolvedAt is { } resolvedAt)
                keyTimes.Add(resolvedAt);
            AddLabels(texts, facts.Group);

            foreach (var member in facts.Members ?? [])
            {
                texts.AddRange([member.Metric, member.Kind, member.Detector, member.Evidence]);
                AddLabels(texts, member.Labels);
                AddLabels(texts, member.Annotations);
                keyTimes.Add(member.Since);
                if (member.ResolvedAt is { } ended)
                    keyTimes.Add(ended);
                if (member.ExhaustionAt is { } exhaustion)
                    keyTimes.Add(exhaustion);
                foreach (var value in new[] { member.Score, member.Expected, member.BandLow, member.BandHigh })
                    if (value is { } known)
                        numbers.Add(known);
                var values = member.RecentValues ?? [];
                foreach (var point in values)
                {
                    numbers.Add(point.Value);
                    allTimes.Add(DateTimeOffset.FromUnixTimeMilliseconds(point.Timestamp));
                }
                if (values.Count > 0)
                {
                    keyTimes.Add(DateTimeOffset.FromUnixTimeMilliseconds(values[0].Timestamp));
                    keyTimes.Add(DateTimeOffset.FromUnixTimeMilliseconds(values[^1].Timestamp));
                    var last = values[^1].Value;
                    foreach (var baseline in new[] { member.Expected, member.BandHigh, member.BandLow, values[0].Value })
                        AddComparison(ratios, changes, last, baseline);
                    numbers.Add(values.Max(p => p.Value));
                    numbers.Add(values.Min(p => p.Value));
                    numbers.Add(values.Average(p => p.Value));
                    if (member.Expected is { } expected)
                        numbers.Add(last - expected);
                }
            }
            foreach (var other in facts.OtherAnomalies ?? [])
            {
                texts.AddRange([other.Metric, other.Kind, other.Evidence]);
                AddLabels(texts, other.Labels);
                keyTimes.Add(other.Since);
            }
            foreach (var correlated in facts.Correlated ?? [])
            {
                texts.Add(correlated.Metric);
                AddLabels(texts, correlated.Labels);
                numbers.AddRange([correlated.Correlation, correlated.MeanBefore, correlated.MeanSince, correlated.MeanSince - correlated.MeanBefore]);
                AddComparison(ratios, changes, correlated.MeanSince, correlated.MeanBefore);
            }
            texts.AddRange(toolResults);

            var evidence = new Evidence(string.Join('\n', texts.Where(t => !string.IsNullOrEmpty(t))).ToLowerInvariant());
            foreach (Match match in KnownNumber().Matches(evidence._text))
            {
                if (!double.TryParse(match.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    continue;
                numbers.Add(value);
                // Prometheus answers carry Unix seconds, the Brain's JSON RFC 3339 times (below) or Unix milliseconds.
                if (value is >= 1e9 and < 4e9)
                    allTimes.Add(DateTimeOffset.FromUnixTimeMilliseconds((long)(value * 1000)));
                else if (value is >= 1e12 and < 4e12)
                    allTimes.Add(DateTimeOffset.FromUnixTimeMilliseconds((long)value));
            }
            foreach (Match match in KnownDateTime().Matches(evidence._text))
                if (DateTimeOffset.TryParse(match.Value.ToUpperInvariant(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                    allTimes.Add(time);
            // Times the evidence writes out ("since 10:15", a tool's "10:05=0.5") count as written, in UTC.
            foreach (Match match in Time().Matches(evidence._text))
            {
                var parts = match.Value.Split(':').Select(p => p.PadLeft(2, '0')).ToArray();
                evidence._minutes.Add($"{parts[0]}:{parts[1]}");
                if (parts.Length == 3)
                    evidence._seconds.Add(string.Join(':', parts));
            }

            evidence._numbers.AddRange(numbers.Where(double.IsFinite));
            evidence._ratios.AddRange(ratios);
            evidence._percentChanges.AddRange(changes);
            foreach (var time in keyTimes.Concat(allTimes))
                evidence.AddTime(time);
            var distinctKeys = keyTimes.Distinct().Take(MaxKeyTimes).ToList();
            for (var i = 0; i < distinctKeys.Count; i++)
                for (var j = i + 1; j < distinctKeys.Count; j++)
                    evidence._durationsSeconds.Add(Math.Abs((distinctKeys[i] - distinctKeys[j]).TotalSeconds));
            return evidence;
        }

        private static void AddLabels(List<string?> texts, IReadOnlyDictionary<string, string>? labels)
        {
            foreach (var (key, value) in labels ?? new Dictionary<string, string>())
                texts.AddRange([key, value]);
        }

        private static void AddComparison(List<double> ratios, List<double> changes, double value, double? baseline)
        {
            if (baseline is not { } b || b == 0 || !double.IsFinite(value) || !double.IsFinite(b))
                return;
            ratios.Add(value / b);
            ratios.Add(b / value);
            changes.Add((value - b) / Math.Abs(b) * 100);
        }

        private void AddTime(DateTimeOffset time)
        {
            var utc = time.UtcDateTime;
            _seconds.Add(utc.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
            _minutes.Add(utc.ToString("HH:mm", CultureInfo.InvariantCulture));
            // A time written to the minute may round rather than truncate its seconds.
            _minutes.Add(utc.AddSeconds(30).ToString("HH:mm", CultureInfo.InvariantCulture));
            _dates.Add(utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        public bool ContainsText(string token) => _text.Contains(token.ToLowerInvariant(), StringComparison.Ordinal);

        public bool HasDate(string date) => _dates.Contains(date);

        public bool HasTime(string time)
        {
            var parts = time.Split(':');
            var normalised = string.Join(':', parts.Select(p => p.PadLeft(2, '0')));
            return parts.Length == 3 ? _seconds.Contains(normalised) : _minutes.Contains(normalised);
        }

        public bool HasNumber(string written, string unit)
        {
            var plain = written.Replace(",", "", StringComparison.Ordinal);
            if (!double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                return false;
            var tolerance = Tolerance(plain);
            unit = unit.Trim().TrimStart('-').Trim().ToLowerInvariant();

            if (Matches(_numbers, value, tolerance))
                return true;
            switch (unit)
            {
                case "%" or "percent":
                    return Matches(_numbers.Select(n => n * 100), value, tolerance) || Matches(_percentChanges, value, tolerance);
                case "x" or "times":
                    return Matches(_ratios, value, tolerance);
                case "kb" or "mb" or "gb" or "tb" or "kib" or "mib" or "gib" or "tib":
                    return ScaledMatch(value, tolerance, unit);
                case "ms" or "millisecond" or "milliseconds":
                    return Matches(_numbers, value / 1000, tolerance / 1000) || Duration(value / 1000, tolerance / 1000);
                case "s" or "sec" or "secs" or "second" or "seconds":
                    return Duration(value, Math.Max(tolerance, 1));
                case "m" or "min" or "mins" or "minute" or "minutes":
                    return Duration(value * 60, Math.Max(tolerance, 1) * 60);
                case "h" or "hr" or "hrs" or "hour" or "hours":
                    return Duration(value * 3600, Math.Max(tolerance, 1) * 3600);
                case "d" or "day" or "days":
                    return Duration(value * 86400, Math.Max(tolerance, 1) * 86400);
                default:
                    return false;
            }
        }

        private bool ScaledMatch(double value, double tolerance, string unit)
        {
            var power = "kmgt".IndexOf(unit[0], StringComparison.Ordinal) + 1;
            foreach (var factor in new[] { Math.Pow(1000, power), Math.Pow(1024, power) })
                if (Matches(_numbers.Select(n => n / factor), value, tolerance))
                    return true;
            return false;
        }

        // Within one unit of the precision written either way: 12 minutes for 12.6 (truncated) or 12.4 (rounded).
        private bool Duration(double seconds, double toleranceSeconds) =>
            _durationsSeconds.Any(d => Math.Abs(d - seconds) < toleranceSeconds);

        private static bool Matches(IEnumerable<double> known, double value, double tolerance)
        {
            var magnitude = Math.Abs(value);
            foreach (var n in known)
            {
                var candidate = Math.Abs(n);
                if (Math.Abs(candidate - magnitude) < tolerance || Math.Abs(candidate - magnitude) <= 1e-9 * Math.Max(1, magnitude))
                    return true;
            }
            return false;
        }

        // "0.97" carries two decimals: any known value within one unit of the last digit rounds or truncates to it.
        // An exponent or many significant digits call for a relative tolerance instead.
        private static double Tolerance(string written)
        {
            var exponent = written.IndexOfAny(['e', 'E']);
            var mantissa = exponent >= 0 ? written[..exponent] : written;
            var point = mantissa.IndexOf('.', StringComparison.Ordinal);
            var decimals = point < 0 ? 0 : mantissa.Length - point - 1;
            var absolute = Math.Pow(10, -decimals);
            if (exponent >= 0 && int.TryParse(written[(exponent + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var power))
                absolute *= Math.Pow(10, power);
            return absolute;
        }
    }

    [GeneratedRegex(@"https?://[^\s<>""']+", RegexOptions.CultureInvariant)]
    private static partial Regex Url();

    [GeneratedRegex(@"\b(?<date>\d{4}-\d{2}-\d{2})(?:[T ](?<time>\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?Z?)?\b", RegexOptions.CultureInvariant)]
    private static partial Regex DateTime_();

    [GeneratedRegex(@"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"\b[A-Za-z][A-Za-z0-9_.-]*:\d{1,5}\b", RegexOptions.CultureInvariant)]
    private static partial Regex NameWithPort();

    // db-1, web-02, pg-replica-3.prod: names with a numbered part, the usual shape of a host.
    [GeneratedRegex(@"\b[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*-\d[A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*\b", RegexOptions.CultureInvariant)]
    private static partial Regex NumberedName();

    [GeneratedRegex(@"\b[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+\.[a-z]{2,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex DottedName();

    [GeneratedRegex(@"\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\b", RegexOptions.CultureInvariant)]
    private static partial Regex Time();

    // Prometheus metric names with at least one underscore (node_filesystem_avail_bytes): words never have one.
    [GeneratedRegex(@"\b[a-zA-Z_:][a-zA-Z0-9:]*_[a-zA-Z0-9_:]*\b", RegexOptions.CultureInvariant)]
    private static partial Regex MetricName();

    [GeneratedRegex(
        @"(?<![\w.:-])(?<number>-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?<unit>[\s-]*(?:%|percent\b|KiB\b|MiB\b|GiB\b|TiB\b|KB\b|MB\b|GB\b|TB\b|kB\b|ms\b|milliseconds?\b|seconds?\b|secs?\b|s\b|minutes?\b|mins?\b|m\b|hours?\b|hrs?\b|h\b|days?\b|d\b|x\b|times\b))?(?![\w])",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Number();

    [GeneratedRegex(@"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex KnownNumber();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:z|[+-]\d{2}:\d{2})?", RegexOptions.CultureInvariant)]
    private static partial Regex KnownDateTime();
}
