using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AiDevOps.Brain.Tests;

public sealed class IngestApiTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static IngestRequest Cpu(string host, params SamplePoint[] samples) => new(
    [
        new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "node_cpu_busy_ratio", ["instance"] = host, ["job"] = "node" }, samples),
    ]);

    [Fact]
    public async Task A_series_named_twice_in_one_delivery_keeps_the_samples_of_both()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        var host = $"twice-{Guid.NewGuid():N}:9100";
        var now = Now;
        var first = Cpu(host, new SamplePoint(now - 30_000, 0.25)).Series[0];
        // The same labels in another order: the same series.
        var again = new SeriesSamples(first.Labels.Reverse().ToDictionary(), [new SamplePoint(now - 15_000, 0.75)]);
        using var response = await client.PostAsJsonAsync("/ingest", new IngestRequest([first, again]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ingested = await response.Content.ReadFromJsonAsync<IngestResponse>();
        Assert.Equal((1, 2), (ingested!.Series, ingested.Samples));

        var series = await client.GetFromJsonAsync<JsonElement>($"/api/series?metric=node_cpu_busy_ratio&instance={host}");
        var id = Assert.Single(series.EnumerateArray()).GetProperty("id").GetString();
        var samples = await client.GetFromJsonAsync<JsonElement>($"/api/series/{id}/samples");
        Assert.Equal([0.25, 0.75], samples.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task Ingest_without_a_key_is_refused_with_401_problem_details()
    {
        using var client = brain.ClientWithKey(null);
        using var response = await client.PostAsJsonAsync("/ingest", Cpu("a:9100", new SamplePoint(Now, 0.5)));
        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        // A newcomer's 401 says how to send the key and where a local run keeps it.
        Assert.Equal("An agent key is required.", problem.GetProperty("title").GetString());
        Assert.Contains("dotnet user-secrets list --id aidevops-apphost", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_with_a_wrong_key_is_refused_with_401()
    {
        using var client = brain.ClientWithKey("not-a-key");
        using var response = await client.PostAsJsonAsync("/ingest", Cpu("a:9100", new SamplePoint(Now, 0.5)));
        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("The API key is not valid.", problem.GetProperty("title").GetString());
        Assert.DoesNotContain("not-a-key", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_that_says_where_it_broke()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsync("/ingest", new StringContent("{\"series\":[{\"labels\":", Encoding.UTF8, "application/json"));
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not valid ingest JSON", problem.GetProperty("detail").GetString());
        Assert.Contains("$.series[0]", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_empty_series_list_is_a_validation_problem()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsJsonAsync("/ingest", new IngestRequest([]));
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("series", out _));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_with_or_without_a_content_length()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        var big = Cpu("big:9100", Enumerable.Range(0, 10_000).Select(i => new SamplePoint(Now - i, i)).ToArray());
        using var sized = await client.PostAsJsonAsync("/ingest", big);
        await AssertProblemAsync(sized, HttpStatusCode.RequestEntityTooLarge);

        // Chunked: the limit must hold while reading, not only against the header.
        var json = JsonSerializer.SerializeToUtf8Bytes(big, JsonSerializerOptions.Web);
        using var chunked = new StreamContent(new MemoryStream(json));
        chunked.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_with_415()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsync("/ingest", new StringContent("up 1", Encoding.UTF8, "text/plain"));
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Accepted_samples_are_stored_and_read_back_by_their_own_tenant_only()
    {
        var host = "stored-" + Guid.NewGuid().ToString("N")[..8] + ":9100";
        var t0 = Now - 60_000;
        using var acme = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var ingested = await acme.PostAsJsonAsync("/ingest", Cpu(host, new SamplePoint(t0, 0.25), new SamplePoint(t0 + 15_000, 0.5)));
        Assert.Equal(HttpStatusCode.OK, ingested.StatusCode);
        Assert.Equal(new IngestResponse(1, 2), await ingested.Content.ReadFromJsonAsync<IngestResponse>());

        var series = await acme.GetFromJsonAsync<JsonElement>($"/api/series?metric=node_cpu_busy_ratio&instance={host}");
        var id = Assert.Single(series.EnumerateArray()).GetProperty("id").GetString();
        var read = await acme.GetFromJsonAsync<JsonElement>($"/api/series/{id}/samples?from={(t0 - 1000) / 1000.0}");
        Assert.Equal([0.25, 0.5], read.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("value").GetDouble()));

        using var globex = brain.ClientWithKey(BrainFactory.GlobexKey);
        var foreign = await globex.GetFromJsonAsync<JsonElement>($"/api/series?metric=node_cpu_busy_ratio&instance={host}");
        Assert.Empty(foreign.EnumerateArray());
        var foreignSamples = await globex.GetFromJsonAsync<JsonElement>($"/api/series/{id}/samples?from={(t0 - 1000) / 1000.0}");
        Assert.Empty(foreignSamples.GetProperty("samples").EnumerateArray());
    }

    [Fact]
    public async Task A_rejected_request_stores_nothing()
    {
        var host = "rejected-" + Guid.NewGuid().ToString("N")[..8] + ":9100";
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        var request = new IngestRequest(
        [
            Cpu(host, new SamplePoint(Now, 1)).Series[0],
            new SeriesSamples(new Dictionary<string, string> { ["job"] = "no-metric-name" }, [new SamplePoint(Now, 1)]),
        ]);
        using var response = await client.PostAsJsonAsync("/ingest", request);
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("series[1].labels", out _));

        var series = await client.GetFromJsonAsync<JsonElement>($"/api/series?metric=node_cpu_busy_ratio&instance={host}");
        Assert.Empty(series.EnumerateArray());
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
