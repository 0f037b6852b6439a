using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiDevOps.Contracts;
using AiDevOps.Testing;

namespace AiDevOps.Insights.Tests;

/// <summary>A model that answers at once with a fixed reply; each test only reads from it.</summary>
public sealed class SummariesApiFixture : FakeModelAppFixture
{
    public const string ModelReply = "Node exporter at 127.0.0.1:9100 has been down since 10:15:03 UTC.";

    protected override void ConfigureModel(FakeOpenAiServer model) => model.Reply = ModelReply;
}

public sealed class SummariesApiTests(SummariesApiFixture fixture) : IClassFixture<SummariesApiFixture>
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Post_returns_the_models_summary_of_the_facts()
    {
        using var client = fixture.App.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/summaries", TestFacts.TargetDown(), JsonSerializerOptions.Web)
            .WaitAsync(TestTimeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await response.Content.ReadFromJsonAsync<InsightSummary>(JsonSerializerOptions.Web);
        Assert.Equal(new InsightSummary(SummariesApiFixture.ModelReply, SummarySources.Model), summary);
    }

    [Fact]
    public async Task A_budget_the_model_answers_within_still_gives_the_models_summary()
    {
        using var client = fixture.App.CreateClient();

        using var response = await client.PostAsJsonAsync(
                "/api/summaries", TestFacts.TargetDown() with { BudgetMilliseconds = 10_000 }, JsonSerializerOptions.Web)
            .WaitAsync(TestTimeout);

        var summary = await response.Content.ReadFromJsonAsync<InsightSummary>(JsonSerializerOptions.Web);
        Assert.Equal(new InsightSummary(SummariesApiFixture.ModelReply, SummarySources.Model), summary);
    }

    [Fact]
    public async Task Post_passes_the_detectors_evidence_on_to_the_model()
    {
        // The fixture's model is shared by the class, so this request is told apart from the others by its evidence.
        const string evidence = "ewma: expected 12.5, got 48 (score 4.20)";
        using var client = fixture.App.CreateClient();

        using var response = await client.PostAsJsonAsync(
                "/api/summaries", TestFacts.LatencySpike() with { Evidence = evidence, Score = 4.2 }, JsonSerializerOptions.Web)
            .WaitAsync(TestTimeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(fixture.Model.Requests, request => request.MessageContents[1].Contains(evidence, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Listens_on_loopback_through_the_real_server()
    {
        using var client = fixture.App.CreateClient();

        Assert.Equal("127.0.0.1", client.BaseAddress!.Host);
        Assert.NotEqual(0, client.BaseAddress.Port);
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative)).WaitAsync(TestTimeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Post_without_a_metric_is_a_validation_problem_naming_metric()
    {
        const string body = """{"labels":{},"kind":"target_down","detector":"up","since":"2026-11-24T10:15:03Z","recentValues":[]}""";

        var problem = await PostExpectingProblemAsync(body);

        Assert.True(problem.GetProperty("errors").TryGetProperty("metric", out _), problem.ToString());
    }

    [Fact]
    public async Task Post_with_too_many_recent_values_is_a_validation_problem_naming_recentValues()
    {
        var facts = TestFacts.TargetDown() with { RecentValues = [.. Enumerable.Range(0, 501).Select(i => new SamplePoint(i, 1))] };

        var problem = await PostExpectingProblemAsync(JsonSerializer.Serialize(facts, JsonSerializerOptions.Web));

        Assert.True(problem.GetProperty("errors").TryGetProperty("recentValues", out _), problem.ToString());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(120_001)]
    public async Task Post_with_a_budget_out_of_range_is_a_validation_problem_naming_budgetMilliseconds(int budgetMilliseconds)
    {
        var facts = TestFacts.TargetDown() with { BudgetMilliseconds = budgetMilliseconds };

        var problem = await PostExpectingProblemAsync(JsonSerializer.Serialize(facts, JsonSerializerOptions.Web));

        Assert.True(problem.GetProperty("errors").TryGetProperty("budgetMilliseconds", out _), problem.ToString());
    }

    [Fact]
    public async Task Post_with_a_mistyped_field_is_a_validation_problem_naming_that_field()
    {
        const string body = """{"metric":"up","labels":{},"kind":"target_down","detector":"up","since":"2026-11-24T10:15:03Z","recentValues":[{"timestamp":1,"value":"high"}]}""";

        var problem = await PostExpectingProblemAsync(body);

        Assert.True(problem.GetProperty("errors").TryGetProperty("recentValues[0].value", out _), problem.ToString());
    }

    [Fact]
    public async Task Post_with_malformed_json_is_a_problem_not_a_server_error()
    {
        var problem = await PostExpectingProblemAsync("""{"metric": "up", """);

        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Post_without_a_body_is_a_validation_problem_naming_the_body()
    {
        var problem = await PostExpectingProblemAsync("");

        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), problem.ToString());
    }

    private async Task<JsonElement> PostExpectingProblemAsync(string json)
    {
        using var client = fixture.App.CreateClient();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(new Uri("/api/summaries", UriKind.Relative), content).WaitAsync(TestTimeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.Clone();
    }
}
