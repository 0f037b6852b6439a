using System.Globalization;
using System.Text;

using AiDevOps.Contracts;

namespace AiDevOps.Storage.Query;

/// <summary>What the Prometheus API evaluates: a series selector, optionally inside <c>rate(…[window])</c>.</summary>
public sealed record SelectorQuery(IReadOnlyList<LabelMatcher> Matchers, TimeSpan? RateWindow);

/// <summary>
/// The part of PromQL the Brain answers: <c>metric{label="v",other!~"re.*"}</c> and <c>rate(selector[5m])</c>.
/// Anything else is a <see cref="FormatException"/> whose message says what was expected where.
/// </summary>
public static class PromQlParser
{
    public static SelectorQuery Parse(string expression)
    {
        var reader = new Reader(expression);
        TimeSpan? window = null;
        IReadOnlyList<LabelMatcher> matchers;
        if (reader.TryKeyword("rate"))
        {
            reader.Expect('(');
            matchers = Selector(reader);
            reader.Expect('[');
            window = ParseDuration(reader.Until(']'));
            reader.Expect(']');
            reader.Expect(')');
        }
        else
            matchers = Selector(reader);
        reader.ExpectEnd();
        if (matchers.All(m => m.Matches(new Dictionary<string, string>())))
            throw new FormatException("vector selector must contain at least one non-empty matcher");
        return new SelectorQuery(matchers, window);
    }

    /// <summary>
    /// Arithmetic on number literals, such as <c>1+1</c>: Grafana's "Save &amp; test" of a Prometheus data source asks
    /// exactly that. Anything that is not such an expression returns false, to be parsed as a selector.
    /// </summary>
    public static bool TryParseScalar(string expression, out double value)
    {
        var reader = new Reader(expression);
        try
        {
            value = Sum(reader);
            reader.ExpectEnd();
            return true;
        }
        catch (FormatException)
        {
            value = 0;
            return false;
        }
    }

    private static double Sum(Reader reader)
    {
        var value = Product(reader);
        while (true)
        {
            if (reader.TryConsume('+'))
                value += Product(reader);
            else if (reader.TryConsume('-'))
                value -= Product(reader);
            else
                return value;
        }
    }

    private static double Product(Reader reader)
    {
        var value = Factor(reader);
        while (true)
        {
            if (reader.TryConsume('*'))
                value *= Factor(reader);
            else if (reader.TryConsume('/'))
                value /= Factor(reader);
            else
                return value;
        }
    }

    private static double Factor(Reader reader)
    {
        if (reader.TryConsume('-'))
            return -Factor(reader);
        if (!reader.TryConsume('('))
            return reader.Number();
        var value = Sum(reader);
        reader.Expect(')');
        return value;
    }

    /// <summary>A selector on its own, as <c>match[]</c> of /api/v1/series gives it.</summary>
    public static IReadOnlyList<LabelMatcher> ParseSelector(string selector)
    {
        var query = Parse(selector);
        if (query.RateWindow is not null)
            throw new FormatException("match[] must be a series selector, not a function");
        return query.Matchers;
    }

    /// <summary>A time as Prometheus's API takes it: Unix seconds (fractions allowed) or RFC 3339; null when it is neither.</summary>
    public static DateTimeOffset? ParseTime(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(Math.Clamp(seconds, 0, 253402300799) * 1000));
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    /// <summary>Prometheus durations (<c>90s</c>, <c>1h30m</c>, <c>100ms</c>, <c>1d</c>) or plain seconds (<c>15</c>, <c>0.5</c>).</summary>
    public static TimeSpan ParseDuration(string text)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds > 0)
            return TimeSpan.FromSeconds(seconds);
        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
                i++;
            if (start == unitStart || !long.TryParse(text.AsSpan(start, unitStart - start), CultureInfo.InvariantCulture, out var amount))
                throw new FormatException($"'{text}' is not a duration such as 30s, 5m or 1h30m");
            total += text[unitStart..i] switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                "d" => TimeSpan.FromDays(amount),
                "w" => TimeSpan.FromDays(7 * amount),
                "y" => TimeSpan.FromDays(365 * amount),
                var unit => throw new FormatException($"'{unit}' in '{text}' is not a duration unit (ms, s, m, h, d, w, y)"),
            };
        }
        return total > TimeSpan.Zero ? total : throw new FormatException($"'{text}' is not a positive duration");
    }

    private static List<LabelMatcher> Selector(Reader reader)
    {
        var matchers = new List<LabelMatcher>();
        var metric = reader.Name();
        if (metric.Length > 0)
            matchers.Add(LabelMatcher.Equal(WellKnownLabels.MetricName, metric));
        if (!reader.TryConsume('{'))
            return metric.Length > 0 ? matchers : throw reader.Error("a metric name or '{'");
        while (!reader.TryConsume('}'))
        {
            var name = reader.Name();
            if (name.Length == 0)
                throw reader.Error("a label name");
            var op = reader.TryConsume("=~") ? MatchOperator.Regex
                : reader.TryConsume("!~") ? MatchOperator.NotRegex
                : reader.TryConsume("!=") ? MatchOperator.NotEqual
                : reader.TryConsume("=") ? MatchOperator.Equal
                : throw reader.Error("one of = != =~ !~");
            try
            {
                matchers.Add(LabelMatcher.Create(name, op, reader.QuotedString()));
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"invalid regular expression for {name}: {e.Message}", e);
            }
            if (!reader.TryConsume(','))
            {
                reader.Expect('}');
                break;
            }
        }
        return matchers;
    }

    private sealed class Reader(string text)
    {
        private int _at;

        public bool TryKeyword(string keyword)
        {
            SkipSpace();
            var end = _at + keyword.Length;
            if (string.CompareOrdinal(text, _at, keyword, 0, keyword.Length) != 0)
                return false;
            var after = end;
            while (after < text.Length && char.IsWhiteSpace(text[after]))
                after++;
            if (after >= text.Length || text[after] != '(')
                return false;
            _at = end;
            return true;
        }

        public string Name()
        {
            SkipSpace();
            var start = _at;
            while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] is '_' or ':') && (_at > start || !char.IsAsciiDigit(text[_at])))
                _at++;
            return text[start.._at];
        }

        public double Number()
        {
            SkipSpace();
            var start = _at;
            while (_at < text.Length && (char.IsAsciiDigit(text[_at]) || text[_at] is '.' or 'e' or 'E'
                || (text[_at] is '+' or '-' && _at > start && text[_at - 1] is 'e' or 'E')))
                _at++;
            return double.TryParse(text.AsSpan(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw Error("a number");
        }

        public string QuotedString()
        {
            SkipSpace();
            if (_at >= text.Length || text[_at] is not ('"' or '\''))
                throw Error("a quoted string");
            var quote = text[_at++];
            var value = new StringBuilder();
            while (_at < text.Length && text[_at] != quote)
            {
                var c = text[_at++];
                if (c == '\\' && _at < text.Length)
                {
                    var escaped = text[_at++];
                    value.Append(escaped switch { 'n' => '\n', 't' => '\t', _ => escaped });
                }
                else
                    value.Append(c);
            }
            if (_at >= text.Length)
                throw Error("a closing quote");
            _at++;
            return value.ToString();
        }

        public string Until(char end)
        {
            var stop = text.IndexOf(end, _at);
            if (stop < 0)
                throw Error($"'{end}'");
            var inside = text[_at..stop];
            _at = stop;
            return inside;
        }

        public bool TryConsume(char c) => TryConsume(c.ToString());

        public bool TryConsume(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _at, token, 0, token.Length) != 0)
                return false;
            _at += token.Length;
            return true;
        }

        public void Expect(char c)
        {
            if (!TryConsume(c))
                throw Error($"'{c}'");
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_at < text.Length)
                throw Error("the end of the expression");
        }

        public FormatException Error(string expected) => new(
            $"parse error at char {_at + 1}: expected {expected}, found {(_at < text.Length ? $"'{text[_at]}'" : "the end")} (the Brain answers selectors, rate(selector[window]) and number arithmetic)");

        private void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
                _at++;
        }
    }
}
