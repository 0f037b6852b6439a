using System.Text.RegularExpressions;

namespace AiDevOps.Storage.Query;

public enum MatchOperator
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// A Prometheus label matcher (<c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>). As in Prometheus, a missing label has the
/// value "", and regular expressions are anchored at both ends.
/// </summary>
public sealed class LabelMatcher
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);
    private readonly Regex? _regex;

    private LabelMatcher(string name, MatchOperator op, string value, Regex? regex)
    {
        Name = name;
        Operator = op;
        Value = value;
        _regex = regex;
    }

    public string Name { get; }
    public MatchOperator Operator { get; }
    public string Value { get; }

    public static LabelMatcher Equal(string name, string value) => new(name, MatchOperator.Equal, value, null);

    /// <summary>Builds a matcher; a regular expression that does not compile throws <see cref="ArgumentException"/>.</summary>
    public static LabelMatcher Create(string name, MatchOperator op, string value) =>
        new(name, op, value, op is MatchOperator.Regex or MatchOperator.NotRegex
            ? new Regex($"^(?:{value})$", RegexOptions.CultureInvariant, RegexTimeout)
            : null);

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var actual = labels.TryGetValue(Name, out var v) ? v : "";
        return Operator switch
        {
            MatchOperator.Equal => actual == Value,
            MatchOperator.NotEqual => actual != Value,
            MatchOperator.Regex => _regex!.IsMatch(actual),
            _ => !_regex!.IsMatch(actual),
        };
    }

    public override string ToString() => Name + Operator switch
    {
        MatchOperator.Equal => "=",
        MatchOperator.NotEqual => "!=",
        MatchOperator.Regex => "=~",
        _ => "!~",
    } + "\"" + Value + "\"";
}
