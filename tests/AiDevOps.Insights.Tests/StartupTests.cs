using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Contracts;
using AiDevOps.Insights.Summaries;
using Microsoft.Extensions.Options;

namespace AiDevOps.Insights.Tests;

public sealed class StartupTests
{
    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://models.example/v1")]
    [InlineData("/v1")]
    public void An_endpoint_that_is_no_http_url_fails_startup_naming_the_option_and_value(string endpoint)
    {
        var failure = Assert.IsType<OptionsValidationException>(
            InsightsAppFactory.StartupFailure(new Dictionary<string, string?> { ["Insights:Model:Endpoint"] = endpoint }));

        Assert.Contains("Insights:Model:Endpoint", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"'{endpoint}'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_endpoint_summaries_are_deterministic()
    {
        await using var app = InsightsAppFactory.Start(new Dictionary<string, string?>());
        using var client = app.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/summaries", TestFacts.TargetDown(), JsonSerializerOptions.Web)
            .WaitAsync(TimeSpan.FromSeconds(30));

        var summary = await response.Content.ReadFromJsonAsync<InsightSummary>(JsonSerializerOptions.Web);
        Assert.Equal(DeterministicSummarizer.Summarize(TestFacts.TargetDown()), summary);
    }
}
