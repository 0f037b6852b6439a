using System.Net.Http.Json;
using System.Text.Json;

namespace AiDevOps.Brain.Tests;

/// <summary>The Brain configured for Azure Table Storage ingests and answers exactly as on DynamoDB.</summary>
public sealed class AzureTablesBrainTests(AzureTablesBrainFactory brain) : IClassFixture<AzureTablesBrainFactory>
{
    [Fact]
    public async Task Ingested_samples_read_back_through_every_read_api()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var ingest = await client.PostAsJsonAsync("/ingest", new IngestRequest(
        [
            new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "node", ["instance"] = "a:9100" },
                [new SamplePoint(now - 15_000, 1), new SamplePoint(now, 0)]),
        ]));
        ingest.EnsureSuccessStatusCode();

        var series = Assert.Single(await client.GetFromJsonAsync<JsonElement[]>("/api/series?metric=up&instance=a:9100") ?? []);
        var id = series.GetProperty("id").GetString();
        var samples = await client.GetFromJsonAsync<JsonElement>($"/api/series/{id}/samples");
        Assert.Equal([1.0, 0.0], samples.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("value").GetDouble()));
        var instant = await client.GetFromJsonAsync<JsonElement>("/api/v1/query?query=up{instance=\"a:9100\"}");
        Assert.Equal("0", Assert.Single(instant.GetProperty("data").GetProperty("result").EnumerateArray()).GetProperty("value")[1].GetString());
        Assert.Contains("acme-edge", await client.GetStringAsync("/api/agents"));
    }
}
