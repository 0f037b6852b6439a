using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Contracts;
using AiDevOps.Insights.Summaries;
using AiDevOps.Testing;

namespace AiDevOps.Insights.Tests;

/// <summary>
/// A model slower than any budget, behind an Insights app that keeps its default model timeout (20 s), so only the
/// caller's budget can make it answer in time.
/// </summary>
public sealed class SlowModelFixture : FakeModelAppFixture
{
    public static readonly TimeSpan ModelDelay = TimeSpan.FromSeconds(60);

    protected override void ConfigureModel(FakeOpenAiServer model) => model.Delay = ModelDelay;

    // The first request pays for JIT of routing, binding and JSON; a validation problem warms all of that without
    // touching the model, so the timed request measures the budget rather than a cold start.
    protected override async Task OnStartedAsync()
    {
        using var client = App.CreateClient();
        using var warmUp = await client.PostAsJsonAsync("/api/summaries", TestFacts.TargetDown() with { Metric = "" }, JsonSerializerOptions.Web);
    }
}

/// <summary>Timing tests run alone, after the others, so other classes' app startups do not share the two cores.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

[Collection(nameof(RunsAlone))]
public sealed class SummaryBudgetApiTests(SlowModelFixture fixture) : IClassFixture<SlowModelFixture>
{
    // What the caller may see beyond its budget: the test client's own overhead on a shared two-core machine. The
    // reserve Insights keeps for itself is inside the budget, not in this slack.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task A_model_slower_than_the_callers_budget_gives_the_deterministic_summary_within_the_budget()
    {
        const int budgetMilliseconds = 1500;
        var facts = TestFacts.TargetDown() with { BudgetMilliseconds = budgetMilliseconds };
        using var client = fixture.App.CreateClient();

        var elapsed = Stopwatch.StartNew();
        using var response = await client.PostAsJsonAsync("/api/summaries", facts, JsonSerializerOptions.Web)
            .WaitAsync(SlowModelFixture.ModelDelay / 2);
        var summary = await response.Content.ReadFromJsonAsync<InsightSummary>(JsonSerializerOptions.Web);
        elapsed.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DeterministicSummarizer.Summarize(facts), summary);
        Assert.True(elapsed.Elapsed < TimeSpan.FromMilliseconds(budgetMilliseconds) + Slack,
            $"answered after {elapsed.ElapsedMilliseconds} ms with a budget of {budgetMilliseconds} ms");
        Assert.NotEmpty(fixture.Model.Requests);
    }
}
