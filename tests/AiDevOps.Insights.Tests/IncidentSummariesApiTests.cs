using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiDevOps.Contracts;
using AiDevOps.Insights.Apis;
using AiDevOps.Insights.Incidents;
using Microsoft.AspNetCore.Mvc;

namespace AiDevOps.Insights.Tests;

public sealed class IncidentSummariesApiTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Without_a_model_the_incident_summary_is_deterministic()
    {
        await using var app = InsightsAppFactory.Start(new Dictionary<string, string?>());
        using var client = app.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/incident-summaries", IncidentTestFacts.DiskFilling(), JsonSerializerOptions.Web)
            .WaitAsync(TestTimeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await response.Content.ReadFromJsonAsync<InsightSummary>(JsonSerializerOptions.Web);
        Assert.Equal(IncidentExplainer.Deterministic(IncidentTestFacts.DiskFilling()), summary);
    }

    [Theory]
    [InlineData("/api/incident-summaries", null)]
    [InlineData("/api/incident-summaries", "a-wrong-key")]
    [InlineData("/api/summaries", null)]
    public async Task A_caller_without_the_key_is_refused_before_its_body_is_read(string path, string? key)
    {
        await using var app = InsightsAppFactory.Start(new Dictionary<string, string?>());
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key);

        using var response = await client.PostAsync(path, new StringContent("{not json", Encoding.UTF8, "application/json")).WaitAsync(TestTimeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task With_no_key_configured_nobody_is_answered_and_the_problem_names_the_setting()
    {
        await using var app = InsightsAppFactory.Start(new Dictionary<string, string?> { [InsightsApiKey.Setting] = null });
        using var client = app.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/incident-summaries", IncidentTestFacts.DiskFilling(), JsonSerializerOptions.Web)
            .WaitAsync(TestTimeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(JsonSerializerOptions.Web);
        Assert.Contains(InsightsApiKey.Setting, problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_setting_that_is_not_a_sha256_stops_the_start_naming_it()
    {
        var error = InsightsAppFactory.StartupFailure(new Dictionary<string, string?> { [InsightsApiKey.Setting] = "plain-key" });
        Assert.Contains($"{InsightsApiKey.Setting} 'plain-key' must be the SHA-256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_facts_are_a_validation_problem_naming_each_field()
    {
        await using var app = InsightsAppFactory.Start(new Dictionary<string, string?>());
        using var client = app.CreateClient();
        var facts = IncidentTestFacts.CpuSaturation();
        var invalid = facts with
        {
            State = "burning",
            Members = [facts.Members[0] with { Metric = "" }],
            Tools = new InsightTools("not a url", "", DateTimeOffset.UtcNow),
            MaxCharacters = 5,
            BudgetMilliseconds = 0,
        };

        using var response = await client.PostAsJsonAsync("/api/incident-summaries", invalid, JsonSerializerOptions.Web).WaitAsync(TestTimeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(JsonSerializerOptions.Web);
        Assert.Equal(
            ["budgetMilliseconds", "maxCharacters", "members[0].metric", "state", "tools.brainUrl", "tools.token"],
            problem!.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_body_of_the_wrong_shape_names_the_field()
    {
        await using var app = InsightsAppFactory.Start(new Dictionary<string, string?>());
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/api/incident-summaries",
            new StringContent("""{"incidentId":"inc-1","members":"not a list"}""", Encoding.UTF8, "application/json")).WaitAsync(TestTimeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(JsonSerializerOptions.Web);
        Assert.Contains("members", problem!.Errors.Keys);
    }

    [Theory]
    [InlineData("OpenAI", null, "Insights:Model:ApiKey is required for Insights:Model:Provider 'OpenAI'")]
    [InlineData("AzureOpenAI", null, "Insights:Model:Endpoint is required for Insights:Model:Provider 'AzureOpenAI'")]
    [InlineData(null, "0", "Insights:Model:MaxCallsPerMinute must be between 1 and 10000, but is 0.")]
    public void Provider_settings_missing_what_they_need_fail_startup_naming_the_option(string? provider, string? maxCalls, string expected)
    {
        var settings = new Dictionary<string, string?>();
        if (provider is not null)
            settings["Insights:Model:Provider"] = provider;
        else
            settings["Insights:Model:Endpoint"] = "http://127.0.0.1:1/v1";
        if (maxCalls is not null)
            settings["Insights:Model:MaxCallsPerMinute"] = maxCalls;

        var failure = Assert.ThrowsAny<Exception>(() => InsightsAppFactory.Start(settings));

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }
}
