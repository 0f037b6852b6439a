using AiDevOps.Storage.Query;

namespace AiDevOps.Storage.Tests;

public sealed class LabelMatcherTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["__name__"] = "up", ["job"] = "node", ["instance"] = "a:9100" };

    [Theory]
    [InlineData("job", MatchOperator.Equal, "node", true)]
    [InlineData("job", MatchOperator.Equal, "nod", false)]
    [InlineData("job", MatchOperator.NotEqual, "node", false)]
    [InlineData("zone", MatchOperator.Equal, "", true)]
    [InlineData("zone", MatchOperator.NotEqual, "", false)]
    [InlineData("job", MatchOperator.Regex, "no.*", true)]
    [InlineData("job", MatchOperator.Regex, "no", false)] // anchored, as in Prometheus
    [InlineData("instance", MatchOperator.NotRegex, "b:.*", true)]
    [InlineData("zone", MatchOperator.Regex, ".*", true)]
    [InlineData("zone", MatchOperator.NotRegex, ".+", true)]
    public void Matchers_follow_Prometheus_semantics(string name, MatchOperator op, string value, bool expected) =>
        Assert.Equal(expected, LabelMatcher.Create(name, op, value).Matches(Labels));

    [Fact]
    public void A_regex_that_does_not_compile_is_an_argument_error() =>
        Assert.ThrowsAny<ArgumentException>(() => LabelMatcher.Create("job", MatchOperator.Regex, "(unclosed"));
}
