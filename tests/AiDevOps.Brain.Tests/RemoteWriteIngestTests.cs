using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Contracts.RemoteWrite;

namespace AiDevOps.Brain.Tests;

public sealed class RemoteWriteIngestTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    private static ByteArrayContent Body(byte[] bytes, string contentType = RemoteWriteCodec.ContentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        content.Headers.ContentEncoding.Add(RemoteWriteCodec.ContentEncoding);
        return content;
    }

    [Fact]
    public async Task An_agent_s_version_and_queue_are_kept_from_its_delivery_and_listed_with_it_and_who_a_key_is_is_told()
    {
        using var client = brain.ClientWithKey(BrainFactory.GlobexKey);
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue(AgentHeaders.Product, "1.4.0+abc1234"));
        client.DefaultRequestHeaders.Add(AgentHeaders.QueuedSamples, "12345");
        var payload = RemoteWriteCodec.Encode([new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "rw_report" }, [new SamplePoint(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1)])]);
        using (var response = await client.PostAsync("/api/v1/write", Body(payload)))
            response.EnsureSuccessStatusCode();

        var agent = Assert.Single((await client.GetFromJsonAsync<JsonElement[]>("/api/agents"))!);
        Assert.Equal(("globex-edge", "1.4.0+abc1234", 12345), (agent.GetProperty("id").GetString(), agent.GetProperty("version").GetString(), agent.GetProperty("queuedSamples").GetInt64()));
        var me = await client.GetFromJsonAsync<JsonElement>("/api/agents/me");
        Assert.Equal(("globex-edge", "globex"), (me.GetProperty("id").GetString(), me.GetProperty("tenant").GetString()));
    }

    [Theory]
    [InlineData("AiDevOps-Agent/1.4.0+abc1234", "1.4.0+abc1234")]
    [InlineData("AiDevOps-Agent/2.0.0-rc.1 (linux)", "2.0.0-rc.1")]
    [InlineData("curl/8.5.0", null)]
    [InlineData("AiDevOps-Agent/<script>", null)]
    [InlineData(null, null)]
    public void Only_an_agent_s_own_user_agent_gives_a_version(string? userAgent, string? version) =>
        Assert.Equal(version, AgentHeaders.Version(userAgent));

    [Fact]
    public async Task A_retried_batch_is_acknowledged_again_but_stored_once()
    {
        var host = "rw-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var payload = RemoteWriteCodec.Encode(
        [
            new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "rw_test", ["instance"] = host }, [new SamplePoint(now - 1000, 1), new SamplePoint(now, 2)]),
        ]);
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        client.DefaultRequestHeaders.Add(RemoteWriteCodec.BatchIdHeader, "agent-a:1-" + host);

        using var first = await client.PostAsync("/api/v1/write", Body(payload));
        using var retry = await client.PostAsync("/api/v1/write", Body(payload));

        Assert.False((await first.Content.ReadFromJsonAsync<IngestResponse>())!.Duplicate);
        Assert.Equal(new IngestResponse(1, 2, Duplicate: true), await retry.Content.ReadFromJsonAsync<IngestResponse>());
        var series = await client.GetFromJsonAsync<JsonElement>($"/api/series?metric=rw_test&instance={host}");
        var id = Assert.Single(series.EnumerateArray()).GetProperty("id").GetString();
        var samples = await client.GetFromJsonAsync<JsonElement>($"/api/series/{id}/samples?from={(now - 60_000) / 1000}");
        Assert.Equal([1.0, 2.0], samples.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("value").GetDouble()));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4, 5 }, RemoteWriteCodec.ContentType, HttpStatusCode.BadRequest)]
    [InlineData(new byte[] { 1, 2, 3 }, "application/json", HttpStatusCode.UnsupportedMediaType)]
    public async Task Bad_bodies_get_problem_details(byte[] body, string contentType, HttpStatusCode status)
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsync("/api/v1/write", Body(body, contentType));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_malformed_batch_id_is_refused_before_anything_is_stored()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        client.DefaultRequestHeaders.Add(RemoteWriteCodec.BatchIdHeader, "not allowed/with spaces");
        var payload = RemoteWriteCodec.Encode([new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "rw_bad_id" }, [new SamplePoint(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1)])]);
        using var response = await client.PostAsync("/api/v1/write", Body(payload));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/api/series?metric=rw_bad_id")).EnumerateArray());
    }
}
