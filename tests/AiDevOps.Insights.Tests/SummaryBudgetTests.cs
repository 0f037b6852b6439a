using AiDevOps.Insights.Summaries;

namespace AiDevOps.Insights.Tests;

public sealed class SummaryBudgetTests
{
    private static readonly TimeSpan Configured = TimeSpan.FromSeconds(20);

    [Fact]
    public void Without_a_budget_the_model_gets_the_configured_timeout() =>
        Assert.Equal(Configured, SummaryBudget.ModelTimeout(Configured, null));

    [Theory]
    [InlineData(5_000, 4_000)]
    [InlineData(1_500, 1_200)]
    [InlineData(400, 300)]
    [InlineData(100, 0)]
    public void A_budget_shorter_than_the_timeout_leaves_a_fifth_or_at_least_100_ms_for_the_fallback(int budget, int expected) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expected), SummaryBudget.ModelTimeout(Configured, budget));

    [Fact]
    public void A_budget_longer_than_the_timeout_does_not_lengthen_it() =>
        Assert.Equal(Configured, SummaryBudget.ModelTimeout(Configured, SummaryBudget.MaxMilliseconds));
}
